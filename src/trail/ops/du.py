"""``trail du``: disk usage of a repository's files and outputs, as ``dvc du`` counts it — an
output by the size its pointer or lock file records (so data not on disk counts too), a Git
directory by the sum of what it holds; pointer files, pipeline files and the ignore file are
not counted (DVC's file system does not show them)."""

from __future__ import annotations

import posixpath

from trail.ops.ls import Entry, ls


def du(
    url: str, path: str = "", *, rev: str | None = None, summarize: bool = False
) -> list[tuple[str, int]]:
    """(path, size) of each entry directly under ``path``, then (``path``, total); with
    ``summarize`` (or a file) only the total."""
    path = path.strip("/")
    children = ls(url, path, rev=rev)
    if len(children) == 1 and children[0].path == path and not children[0].isdir:
        return [(path, _size(children[0]))]
    sizes = [(c.path, _usage(url, c, rev)) for c in children if not _hidden(c.path)]
    total = sum(size for _, size in sizes)
    return [(path, total)] if summarize else [*sizes, (path, total)]


def _usage(url: str, entry: Entry, rev: str | None) -> int:
    if not entry.isdir or entry.recorded is not None:  # a file, or an output as recorded
        return _size(entry)
    inside = ls(url, entry.path, rev=rev)
    return sum(_usage(url, e, rev) for e in inside if not _hidden(e.path))


def _size(entry: Entry) -> int:
    return entry.recorded if entry.recorded is not None else entry.size or 0


def _hidden(path: str) -> bool:
    from trail.dialect import DIALECTS

    base = posixpath.basename(path)
    return any(
        path.endswith(d.pointer_suffix) or base in (d.pipeline_file, d.ignore_file)
        for d in DIALECTS.values()
    )
