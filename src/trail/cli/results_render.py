"""Results as table rows and as the stable ``--json`` shapes (documented in README.md)."""

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


def show_rows(result: ShowResult, precision: int) -> tuple[list[str], list[list[str]]]:
    """One row per (revision, file); one column per flattened metric, sorted."""
    flat = [
        (rev.rev, path, flatten(tree)) for rev in result.revs for path, tree in rev.data.items()
    ]
    keys = sorted({key for _, _, values in flat for key in values})
    several = len(result.revs) > 1
    headers = (["Revision"] if several else []) + ["Path", *keys]
    rows = [
        ([rev] if several else []) + [path] + [cell(values.get(k), precision) for k in keys]
        for rev, path, values in flat
    ]
    return headers, rows


def show_json(result: ShowResult, precision: int | None) -> dict[str, Any]:
    """``{rev: {"data": {path: {"data": {...}} | {"error": {...}}}}}``"""
    out: dict[str, Any] = {}
    for rev in result.revs:
        files: dict[str, Any] = {p: {"data": _rounded(t, precision)} for p, t in rev.data.items()}
        files.update({p: {"error": _error(e)} for p, e in rev.errors.items()})
        out[rev.rev] = {"data": files}
    return out


def _rounded(tree: Any, precision: int | None) -> Any:
    if isinstance(tree, dict):
        return {k: _rounded(v, precision) for k, v in tree.items()}
    return round_value(tree, precision)


def _error(err: ResultsFileError) -> dict[str, Any]:
    return {"type": type(err).__name__, "msg": str(err), "line": err.line}


def diff_rows(
    result: DiffResult, precision: int, noun: str, with_change: bool
) -> tuple[list[str], list[list[str]]]:
    headers = ["Path", noun, result.old_rev, result.new_rev]
    if with_change:
        headers += ["Change", "Change %"]
    rows = []
    for c in result.diff.changes:
        row = [c.path, c.key, cell(c.old, precision), cell(c.new, precision)]
        if with_change:
            rel = "-" if c.rel is None else f"{c.rel * 100:+.{min(precision, 2)}f}%"
            row += [cell(c.diff, precision), rel]
        rows.append(row)
    return headers, rows


def diff_json(result: DiffResult, precision: int | None, with_change: bool) -> dict[str, Any]:
    """``{path: {key: {"old", "new", "diff"?, "rel"?}}}``; diff only for numbers. Values are
    exact (as DVC prints them) unless ``precision`` was asked for."""
    out: dict[str, Any] = {}
    for c in result.diff.changes:
        entry: dict[str, Any] = {"old": c.old, "new": c.new}
        if c.diff is not None:
            entry["diff"] = round_value(c.diff, precision)
        if c.rel is not None and with_change:
            entry["rel"] = round_value(c.rel, precision)
        out.setdefault(c.path, {})[c.key] = entry
    return out
