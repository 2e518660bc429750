"""``trail ls-url``: what a URL or a path outside any repository holds, as ``dvc ls-url``
lists it: names relative to the URL (every file below it with ``recursive``), with sizes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trail.errors import WorkspaceError


@dataclass(frozen=True, slots=True)
class UrlEntry:
    path: str  # relative to the URL listed (the URL itself for a file)
    isdir: bool
    size: int | None


def ls_url(
    url: str,
    *,
    recursive: bool = False,
    fs_config: Mapping[str, Any] | None = None,
    config: Any = None,
) -> list[UrlEntry]:
    if "://" not in url or url.startswith("file://"):
        return _local(url.removeprefix("file://"), recursive)
    return _remote(url, recursive, fs_config, config)


def _local(path: str, recursive: bool) -> list[UrlEntry]:
    if not os.path.exists(path):
        raise WorkspaceError(f"'{path}' does not exist")
    if not os.path.isdir(path):
        return [UrlEntry(path, False, os.path.getsize(path))]
    out = []
    if recursive:
        for dirpath, _, names in os.walk(path):
            for name in names:
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, path).replace(os.sep, "/")
                out.append(UrlEntry(rel, False, os.path.getsize(full)))
    else:
        with os.scandir(path) as it:
            for e in it:
                out.append(UrlEntry(e.name, e.is_dir(), e.stat().st_size))
    return sorted(out, key=lambda e: e.path)


def _remote(
    url: str, recursive: bool, fs_config: Mapping[str, Any] | None, config: Any
) -> list[UrlEntry]:
    from trail.config import Config
    from trail.fs.translate import translated
    from trail.remote.urls import open_url

    fs = open_url(config or Config(None), url, fs_config)
    with translated(fs.url):
        top = fs.fs.info(fs.root)
        if top.get("type") != "directory":
            return [UrlEntry(url, False, top.get("size"))]
        prefix = fs.root.rstrip("/") + "/"
        if recursive:
            found = fs.fs.find(fs.root, detail=True)
        else:
            found = {m["name"]: m for m in fs.fs.ls(fs.root, detail=True)}
    out = [
        UrlEntry(name[len(prefix) :].rstrip("/"), meta.get("type") == "directory", meta.get("size"))
        for name, meta in sorted(found.items())
        if name.startswith(prefix) and name.rstrip("/") != fs.root.rstrip("/")
    ]
    return sorted(out, key=lambda e: e.path)
