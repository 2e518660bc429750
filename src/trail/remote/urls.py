"""A URL outside any repository (``import-url``): how to reach it, what it looks like now, and
its files downloaded.

Options come from a configured remote whose URL the given one starts with (so its endpoint and
credentials apply), ``remote://NAME/path`` names such a remote outright, and ``fs_config`` adds
or overrides options (the names a remote takes: ``endpointurl``, ``user``, ``port`` …).

What a URL "looks like" is what DVC records for its backend: S3's ``etag`` (a directory: the md5
of its files' etags, as a manifest), HTTP's ``ETag``/``Content-MD5`` or else fsspec's checksum of
the response headers (``checksum``). Other backends have no cheap fingerprint: their files are
hashed.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trail.config import Config
from trail.errors import RemoteConfigError, RemoteError
from trail.fs.remotefs import RemoteFS
from trail.fs.translate import translated


@dataclass(frozen=True)
class UrlFile:
    relpath: str  # below the URL ("" for the URL itself, a file)
    size: int | None
    etag: str | None


@dataclass(frozen=True)
class UrlInfo:
    """The URL now: a file or a directory of files, each with its backend fingerprint."""

    isdir: bool
    files: tuple[UrlFile, ...]
    key: str | None  # "etag" or "checksum"; None when the backend has no fingerprint

    @property
    def size(self) -> int | None:
        sizes = [f.size for f in self.files]
        return None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)


def expand(config: Config, url: str) -> tuple[str, dict[str, str]]:
    """The real URL and its file system options (without ``fs_config``)."""
    from trail.remote import settings

    if url.startswith("remote://"):
        name, _, rest = url[len("remote://") :].partition("/")
        info = settings.get(config, name)
        base = info.url.rstrip("/")
        return (f"{base}/{rest}" if rest else base), _options(info.options)
    best: tuple[int, dict[str, str]] = (0, {})
    for info in settings.remotes(config):
        prefix = info.url.rstrip("/")
        matches = "://" in prefix and (url == prefix or url.startswith(prefix + "/"))
        if matches and len(prefix) > best[0]:
            best = (len(prefix), _options(info.options))
    return url, best[1]


def _options(options: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in options.items() if k != "url"}


def open_url(config: Config, url: str, fs_config: Mapping[str, Any] | None) -> RemoteFS:
    """The file system rooted at ``url`` (a non-local URL)."""
    from trail.fs.open import open_fs

    real, options = expand(config, url)
    options.update({k: str(v) for k, v in (fs_config or {}).items()})
    fs = open_fs(real, options)
    if not isinstance(fs, RemoteFS):
        raise RemoteConfigError(f"'{url}' is a local path, not a URL")
    return fs


def info(fs: RemoteFS) -> UrlInfo:
    """What the URL holds now; a missing one is ``FileNotFoundError``."""
    protocol = fs.backend.protocols[0]
    with translated(fs.url):
        top = fs.fs.info(fs.root)
        if top.get("type") != "directory":
            return UrlInfo(
                False, (UrlFile("", top.get("size"), _etag(fs, top, protocol)),), _key(protocol)
            )
        if protocol == "http":
            raise RemoteError(f"{fs.url} is a directory: HTTP cannot list it, import its files")
        found = fs.fs.find(fs.root, detail=True)
    prefix = fs.root.rstrip("/") + "/"
    files = tuple(
        UrlFile(name[len(prefix) :], meta.get("size"), _etag(fs, meta, protocol))
        for name, meta in sorted(found.items())
        if name.startswith(prefix) and meta.get("type") != "directory"
    )
    return UrlInfo(True, files, _key(protocol))


def has_fingerprint(url: str) -> bool:
    from trail.fs.registry import backend_for

    backend = backend_for(url)
    return backend is not None and _key(backend.protocols[0]) is not None


def _key(protocol: str) -> str | None:
    return {"s3": "etag", "http": "checksum", "gs": "etag"}.get(protocol)


def _etag(fs: RemoteFS, meta: Mapping[str, Any], protocol: str) -> str | None:
    if protocol == "s3" and "ETag" in meta:
        return str(meta["ETag"]).strip('"')
    if protocol == "gs" and "etag" in meta:
        import base64

        return base64.b64decode(meta["etag"]).hex()
    if protocol == "http":
        found = meta.get("ETag") or meta.get("Content-MD5")
        if found:
            return str(found)
        # fsspec's fingerprint of the response (size, Last-Modified …), as DVC records it
        with translated(fs.url):
            return str(fs.fs.checksum(meta.get("name") or fs.root))
    return None


def download(fs: RemoteFS, url_info: UrlInfo, dest: str, *, jobs: int) -> None:
    """Every file of the URL into the local path ``dest`` (a file, or a directory of them)."""
    from trail.parallel import bounded_map

    def one(f: UrlFile) -> None:
        local = os.path.join(dest, *f.relpath.split("/")) if f.relpath else dest
        os.makedirs(os.path.dirname(local), exist_ok=True)
        fs.get_file(f.relpath, local)

    list(bounded_map(one, list(url_info.files), jobs))


def basename(url: str) -> str:
    """The last component of a URL's path (``remote://NAME`` alone names nothing)."""
    from urllib.parse import urlsplit

    path = urlsplit(url).path if "://" in url else url
    return posixpath.basename(posixpath.normpath(path.rstrip("/"))) if path.strip("/") else ""
