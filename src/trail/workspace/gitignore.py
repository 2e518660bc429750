"""Keeping ``.gitignore`` files in step with tracked outputs: ``/name`` beside each output."""

from __future__ import annotations

import os

from trail.fsutil import atomic_write_text, read_text

_SPECIAL = str.maketrans({c: "\\" + c for c in "\\#![]*?"})


def _entry(relpath: str) -> tuple[str, str]:
    """The ``.gitignore`` beside ``relpath`` and its line, escaped as DVC escapes it."""
    parent, name = os.path.split(relpath)
    return parent, "/" + name.translate(_SPECIAL)


def _read(path: str) -> list[str]:
    try:
        return read_text(path, os.path.relpath(path)).splitlines()
    except FileNotFoundError:
        return []


def ignore(root: str, relpath: str) -> str | None:
    """Add ``/name`` to the ``.gitignore`` beside ``relpath``; returns the file if changed."""
    parent, line = _entry(relpath)
    path = os.path.join(root, parent, ".gitignore")
    lines = _read(path)
    if line in lines:
        return None
    text = "\n".join([*lines, line]) + "\n"
    atomic_write_text(path, text)
    return os.path.relpath(path, root).replace(os.sep, "/")


def unignore(root: str, relpath: str) -> str | None:
    """Remove the entry ``ignore`` added; drops the ``.gitignore`` when nothing is left."""
    parent, line = _entry(relpath)
    path = os.path.join(root, parent, ".gitignore")
    lines = _read(path)
    if line not in lines:
        return None
    kept = [ln for ln in lines if ln != line]
    if any(ln.strip() for ln in kept):
        atomic_write_text(path, "\n".join(kept) + "\n")
    else:
        os.unlink(path)
    return os.path.relpath(path, root).replace(os.sep, "/")
