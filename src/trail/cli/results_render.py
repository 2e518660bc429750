"""Results as table rows and as DVC's ``--json`` shapes (documented in README.md)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from trail.ops.metrics import DiffResult, ShowResult
from trail.results.collect import RevValues
from trail.results.diff import Diff, round_value
from trail.results.loaders import ResultsFileError, flatten


def from_cwd(root: str) -> Callable[[str], str]:
    """Repo-relative paths as the user sees them from the current directory (as DVC shows)."""
    cwd = os.getcwd()
    if os.path.abspath(root) == cwd:
        return lambda path: path
    return lambda path: os.path.relpath(os.path.join(root, path), cwd).replace(os.sep, "/")


def show_for_cwd(result: ShowResult, root: str) -> ShowResult:
    shown = from_cwd(root)
    revs = tuple(
        RevValues(
            rev.rev,
            {shown(p): v for p, v in rev.data.items()},
            {shown(p): e for p, e in rev.errors.items()},
            tuple(shown(p) for p in rev.absent),
        )
        for rev in result.revs
    )
    return ShowResult(revs, result.missing)


def diff_for_cwd(result: DiffResult, root: str) -> DiffResult:
    shown = from_cwd(root)
    changes = tuple(replace(c, path=shown(c.path)) for c in result.diff.changes)
    return replace(result, diff=Diff(changes))


def cell(value: Any, precision: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not isinstance(value, bool):
        return str(round(value, precision)) if math.isfinite(value) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(cell(v, precision) for v in value) + "]"
    return str(value)


def show_json(result: ShowResult, precision: int | None) -> dict[str, Any]:
    """DVC's ``{rev: {"data": {path: {"data": {...}} | {"error": {"type", "msg"}}}}}``; the
    workspace shown alone is ``""``, as DVC writes it."""
    out: dict[str, Any] = {}
    alone = len(result.revs) == 1 and result.revs[0].rev == "workspace"
    for rev in result.revs:
        files: dict[str, Any] = {p: {"data": _rounded(t, precision)} for p, t in rev.data.items()}
        files.update({p: {"error": _error(e)} for p, e in rev.errors.items()})
        files.update({p: {"error": _absent(p)} for p in rev.absent})
        out["" if alone else rev.rev] = {"data": files}
    for err in result.missing:
        for rev in out.values():
            rev["data"].setdefault(err.path, {"error": _error(err)})
    return out


def _rounded(tree: Any, precision: int | None) -> Any:
    if isinstance(tree, dict):
        return {k: _rounded(v, precision) for k, v in tree.items()}
    return round_value(tree, precision)


def _error(err: ResultsFileError) -> dict[str, Any]:
    """DVC's error entry: the kind of failure (as DVC names it) and the message."""
    from trail.results.collect import MissingFileError
    from trail.results.loaders import file_format

    if isinstance(err, MissingFileError):
        return _absent(err.path)
    kind = type(err).__name__
    if kind == "ResultsFileError" and err.message.startswith("invalid "):
        kind = f"{file_format(err.path).upper()}FileCorruptedError"
    return {"type": kind, "msg": str(err)}


def _absent(path: str) -> dict[str, Any]:
    return {"type": "FileNotFoundError", "msg": f"[Errno 2] No such file or directory: '{path}'"}


def show_rows(result: ShowResult, precision: int) -> tuple[list[str], list[list[str]]]:
    """One row per (revision, file), files that failed with ``-``; one column per flattened
    metric, sorted, as DVC draws them."""
    flat = [
        (rev.rev, path, flatten(tree)) for rev in result.revs for path, tree in rev.data.items()
    ]
    failed: list[tuple[str, str, dict[str, Any]]] = [
        (rev.rev, path, {}) for rev in result.revs for path in [*rev.errors, *rev.absent]
    ]
    keys = sorted({key for _, _, values in flat for key in values})
    several = len(result.revs) > 1
    headers = (["Revision"] if several else []) + ["Path", *keys]
    rows = [
        ([rev] if several else []) + [path] + [cell(values.get(k), precision) for k in keys]
        for rev, path, values in [*flat, *failed]
    ]
    return headers, rows


def diff_rows(
    result: DiffResult, precision: int, noun: str, with_change: bool
) -> tuple[list[str], list[list[str]]]:
    headers = ["Path", noun, result.old_rev, result.new_rev]
    if with_change:
        headers.append("Change")
    rows = []
    for c in result.diff.changes:
        row = [c.path, c.key, cell(c.old, precision), cell(c.new, precision)]
        if with_change:
            row.append(cell(c.diff, precision))
        rows.append(row)
    return headers, rows


def diff_json(result: DiffResult, precision: int | None, with_change: bool) -> dict[str, Any]:
    """DVC's ``{path: {key: {"old", "new", "diff"?}}}``; diff only for numbers. Values are
    exact (as DVC prints them) unless ``precision`` was asked for; params that are lists
    are written as text, as DVC writes them (``with_change`` is false for params)."""
    out: dict[str, Any] = {}
    for c in result.diff.changes:
        old, new = (c.old, c.new) if with_change else (_text(c.old), _text(c.new))
        entry: dict[str, Any] = {"old": old, "new": new}
        if c.diff is not None:
            entry["diff"] = round_value(c.diff, precision)
        out.setdefault(c.path, {})[c.key] = entry
    return out


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, list | dict) else value
