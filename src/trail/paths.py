"""Path safety: every path that comes from a file or a remote is checked before use."""

from __future__ import annotations

import os
import posixpath

from trail.errors import PathOutsideRepoError, UnsafePathError


def safe_relpath(path: str, where: str) -> str:
    """Return ``path`` normalised if it is relative and stays inside its base, else raise."""
    if not path or "\x00" in path:
        raise UnsafePathError(path, where)
    # "C:/x" is a plain relative name on POSIX; only Windows reads it as a drive.
    if path.startswith("/") or (os.name == "nt" and len(path) > 1 and path[1] == ":"):
        raise UnsafePathError(path, where)
    norm = posixpath.normpath(path)
    if norm == ".." or norm.startswith("../") or norm == ".":
        raise UnsafePathError(path, where)
    return norm


def repo_relpath(root: str, path: str, cwd: str | None = None) -> str:
    """A user-given path as a posix path relative to the repository root."""
    absolute = os.path.normpath(os.path.join(cwd or os.getcwd(), path))
    rel = os.path.relpath(absolute, root)
    if rel == os.curdir:
        return "."
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        raise PathOutsideRepoError(path)
    return rel.replace(os.sep, "/")


def is_inside(child: str, parent: str) -> bool:
    """Whether repo-relative ``child`` is ``parent`` or below it."""
    return parent == "." or child == parent or child.startswith(parent + "/")
