"""What the web UI's data-quality page shows, as plain JSON-ready dicts (the UI only draws them).

- ``tables_page(repo, rev="v1")``: the tables among the outputs trail tracks at a revision:
  table files (tracked themselves or inside a tracked directory) and directories whose table
  files share one format (read as one table).
- ``profile_page(repo, "data/train.csv", rev="v1")``: a table's profile at a revision.
- ``drift_page(repo, "data/train.csv", "v1", "HEAD")``: drift between two revisions, with
  both sides' histograms over common bins (``columns[i].histogram``: ``edges`` + ``base`` +
  ``current`` counts for numbers and dates, ``values`` + counts for text; ``None`` stands for
  every other value).

Paths are repository-relative, whatever the current directory. ``profile_page`` and
``drift_page`` take only a path inside an output trail tracks at each revision asked about
(a workspace path must not lead out of the repository through a symlink): anything else
raises ``NotTrackedError`` or ``UnsafePathError`` before anything is read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trail.repo import Repo
from trail.types import Oid

if TYPE_CHECKING:
    from trail.ops.data_browse import TrackedOut

FILES_LISTED = 200  # table files listed per tracked directory (the directory is one table too)


def tables_page(repo: Repo, rev: str | None = None) -> dict[str, Any]:
    """``{"rev", "tables": [{path, output, isdir, format, files, size, hash}]}``, by path;
    ``None`` for a revision means the workspace."""
    from trail.ops.data_browse import WORKSPACE, tracked_at

    found: list[dict[str, Any]] = []
    for out in tracked_at(repo, rev or WORKSPACE):
        if out.oid is not None and out.oid.is_tree:
            found += _directory(repo, out)
        elif _format(out.path) is not None:
            found.append(_table(out.path, out, _format(out.path), 1, out.meta.size, out.oid))
    return {"rev": rev or WORKSPACE, "tables": found}


def _directory(repo: Repo, out: TrackedOut) -> list[dict[str, Any]]:
    from trail.ops.common import expand_files

    assert out.oid is not None
    files = expand_files(repo, out.path, out.oid)
    if files is None:  # its list of files is not cached: the directory alone (fetched to read)
        return [_table(out.path, out, None, out.meta.nfiles, out.meta.size, out.oid, isdir=True)]
    tables = sorted(p for p in files if _format(p) is not None)
    formats = {_format(p) for p in tables}
    found = []
    if len(tables) > 1 and len(formats) == 1:
        found.append(
            _table(out.path, out, formats.pop(), len(tables), out.meta.size, out.oid, isdir=True)
        )
    for path in tables[:FILES_LISTED]:
        found.append(_table(path, out, _format(path), 1, _size(repo, files[path]), files[path]))
    return found


def _table(
    path: str,
    out: TrackedOut,
    fmt: str | None,
    files: int | None,
    size: int | None,
    oid: Oid | None,
    *,
    isdir: bool = False,
) -> dict[str, Any]:
    return {
        "path": path,
        "output": out.path,
        "source": out.source,
        "isdir": isdir,
        "format": fmt,
        "files": files,
        "size": size,
        "hash": str(oid) if oid is not None else None,
    }


def _format(name: str) -> str | None:
    """``csv``, ``parquet``, ``csv.gz``… for a table file's name; None for any other file."""
    from trail.quality.source import format_of

    found = format_of(name)
    if found is None or os.path.basename(name).startswith("."):
        return None
    fmt, compression = found
    return f"{fmt}.{compression}" if compression else fmt


def _size(repo: Repo, oid: Oid) -> int | None:
    try:
        return os.stat(repo.odb.path(oid)).st_size
    except OSError:
        return None  # not in the cache


def profile_page(repo: Repo, path: str, rev: str | None = None) -> dict[str, Any]:
    """``None`` for the revision means the workspace."""
    from trail.quality.repo import targets
    from trail.quality.repo.profile import profile_of

    rel = checked(repo, path, rev)
    result = profile_of(repo, targets.in_repo(repo, rel, rev))
    return {
        "target": result.label,
        "path": rel,
        "rev": rev,
        "hash": str(result.oid) if result.oid is not None else None,
        "stored": result.stored,
        **result.data,
    }


def drift_page(
    repo: Repo,
    path: str,
    baseline_rev: str | None,
    current_rev: str | None,
    thresholds: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """``None`` for a revision means the workspace."""
    from trail.quality.repo import targets
    from trail.quality.repo.drift import drift_of

    rel = checked(repo, path, baseline_rev)
    checked(repo, rel, current_rev)
    report = drift_of(
        repo,
        targets.in_repo(repo, rel, baseline_rev),
        targets.in_repo(repo, rel, current_rev),
        thresholds=thresholds,
    )
    return {"path": rel, **report.to_dict()}


def checked(repo: Repo, path: str, rev: str | None) -> str:
    """``path`` made repository-relative and safe, if an output tracked at ``rev`` (a Git
    revision or an experiment's name) holds it."""
    from trail.errors import UnsafePathError
    from trail.ops.data_browse import WORKSPACE, NotTrackedError, owner
    from trail.ops.locate import resolve_rev

    try:  # a revision may name an experiment too
        rel, _out = owner(repo, path, resolve_rev(repo, rev) if rev else WORKSPACE)
    except NotTrackedError as exc:
        raise NotTrackedError(exc.path, rev or WORKSPACE) from None
    if rev is None:  # read from the workspace: a symlink must not lead out of the repository
        full = repo.path(rel)
        inside = os.path.realpath(repo.root) + os.sep
        if os.path.lexists(full) and not os.path.realpath(full).startswith(inside):
            raise UnsafePathError(rel, "the request")
    return rel
