"""The ``deps`` of import pointer files, in DVC's format, and the stage checksum DVC keeps.

A repository import (``trail import``) records where the data came from::

    deps:
    - path: data/images
      repo: {url: ../registry, rev: v2, rev_lock: <commit>}

a URL import (``trail import-url``) what the source looked like when it was read, in the words
of its backend (a content hash for local files and directories, ``etag`` for S3, ``checksum``
for HTTP)::

    deps:
    - etag: 5d41402abc4b2a76b9719d911017c592
      size: 5
      hash: md5
      path: s3://bucket/raw/f.txt

The top-level ``md5`` is DVC's stage checksum: the md5 of the file's JSON without its
annotations and sizes. DVC reports a mismatch as ``changed checksum``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trail.errors import PointerFileError

REPO_KEYS = ("url", "rev", "rev_lock", "config", "remote")
CHECKSUM_KEYS = ("md5", "blake3", "etag", "checksum")
URL_DEP_KEYS = (*CHECKSUM_KEYS, "size", "nfiles", "isexec", "hash", "path", "fs_config")
# Left out of the stage checksum, at every level (what DVC leaves out).
_NOT_HASHED = frozenset(
    ("desc", "type", "labels", "meta", "locked", "frozen", "metric", "persist", "isexec")
) | {"size", "nfiles"}


@dataclass(frozen=True)
class RepoSource:
    """Where a repository import comes from: a Git URL or path, at ``rev`` (None: its HEAD),
    last resolved to the commit ``rev_lock``."""

    url: str
    rev: str | None = None
    rev_lock: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # config / remote, kept as read

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"url": self.url}
        if self.rev:
            d["rev"] = self.rev
        if self.rev_lock:
            d["rev_lock"] = self.rev_lock
        d.update(self.extra)
        return d


@dataclass(frozen=True)
class RepoDep:
    path: str  # inside the source repository, posix
    source: RepoSource

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "repo": self.source.to_dict()}


@dataclass(frozen=True)
class UrlDep:
    """A URL (or an outside path) and what it looked like when read: ``checksum`` is
    ``(key, value)`` — ``("md5", hex)``, ``("etag", …)``, ``("checksum", …)`` — or None."""

    path: str
    checksum: tuple[str, str] | None = None
    size: int | None = None
    nfiles: int | None = None
    algo: str | None = None  # the ``hash:`` key DVC writes beside it
    fs_config: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.checksum is not None:
            d[self.checksum[0]] = self.checksum[1]
            if self.size is not None:
                d["size"] = self.size
            if self.nfiles is not None:
                d["nfiles"] = self.nfiles
        if self.algo:
            d["hash"] = self.algo
        d["path"] = self.path
        if self.fs_config:
            d["fs_config"] = dict(self.fs_config)
        return d

    def same_source(self, other: UrlDep) -> bool:
        """Whether two reads of the URL saw the same thing (checksum and size)."""
        return (
            self.checksum is not None
            and self.checksum == other.checksum
            and self.size == other.size
        )


Dep = RepoDep | UrlDep


def parse_deps(raw: Any, relpath: str, line: int | None = None) -> list[Dep]:
    """The ``deps`` of a pointer file; a malformed one is an error naming the file."""

    def fail(msg: str) -> PointerFileError:
        return PointerFileError(relpath, msg, line)

    if not isinstance(raw, list):
        raise fail("'deps' must be a list")
    deps: list[Dep] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise fail(f"deps[{i}] must be a mapping with a 'path'")
        if "repo" in item:
            deps.append(_repo_dep(item, i, fail))
        else:
            deps.append(_url_dep(item, i, fail))
    return deps


def _repo_dep(item: dict[str, Any], i: int, fail: Any) -> RepoDep:
    unknown = [k for k in item if k not in ("path", "repo")]
    if unknown:
        raise fail(f"unknown key '{unknown[0]}' in deps[{i}]")
    repo = item["repo"]
    if not isinstance(repo, dict) or not isinstance(repo.get("url"), str):
        raise fail(f"deps[{i}].repo must be a mapping with a 'url'")
    for key, value in repo.items():
        if key not in REPO_KEYS:
            raise fail(f"unknown key '{key}' in deps[{i}].repo")
        if key in ("rev", "rev_lock") and not isinstance(value, str):
            raise fail(f"deps[{i}].repo.{key} must be a string, not {value!r}")
    extra = {k: repo[k] for k in ("config", "remote") if k in repo}
    source = RepoSource(repo["url"], repo.get("rev"), repo.get("rev_lock"), extra)
    return RepoDep(item["path"], source)


def _url_dep(item: dict[str, Any], i: int, fail: Any) -> UrlDep:
    for key in item:
        if key not in URL_DEP_KEYS:
            raise fail(f"unknown key '{key}' in deps[{i}]")
    checksum = next(((k, str(item[k])) for k in CHECKSUM_KEYS if k in item), None)
    for key in ("size", "nfiles"):
        value = item.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise fail(f"deps[{i}].{key} must be an integer, not {value!r}")
    fs_config = item.get("fs_config")
    if fs_config is not None and not isinstance(fs_config, dict):
        raise fail(f"deps[{i}].fs_config must be a mapping")
    return UrlDep(
        item["path"], checksum, item.get("size"), item.get("nfiles"), item.get("hash"), fs_config
    )


def import_dep(top: dict[str, Any], relpath: str) -> Dep | None:
    """The dependency of an import pointer file (one dep, no command), else None."""
    raw = top.get("deps")
    if not raw or top.get("cmd"):
        return None
    deps = parse_deps(raw, relpath)
    return deps[0] if len(deps) == 1 else None


def stage_md5(d: dict[str, Any]) -> str:
    """DVC's checksum of a pointer file's content ``d`` (as written, in key order)."""
    import hashlib
    import json

    body = {k: v for k, v in d.items() if k not in ("md5", "meta", "desc")}
    if body.get("wdir") == ".":
        del body["wdir"]
    data = json.dumps(_filtered(body), sort_keys=True).encode("utf-8")
    return hashlib.md5(data).hexdigest()


def _filtered(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _filtered(v) for k, v in value.items() if k not in _NOT_HASHED}
    if isinstance(value, list):
        return [_filtered(v) for v in value]
    return value
