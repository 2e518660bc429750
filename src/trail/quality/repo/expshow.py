"""``exp show --profile PATH``: figures of a table's profile at each row's revision, as
columns (``rows``, ``<column>.nulls``, ``<column>.mean``). Profiles come from the store; a
version never profiled is profiled once (from the cache, or the remote) and stored."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

from trail.errors import TrailError
from trail.experiments.show import WORKSPACE, ExpRow
from trail.quality.repo import targets
from trail.quality.repo.profile import profile_resolved
from trail.repo import Repo


def figures(data: dict[str, Any]) -> dict[str, Any]:
    """The profile figures shown as columns."""
    out: dict[str, Any] = {"rows": data["rows"]}
    for c in data["columns"]:
        out[f"{c['name']}.nulls"] = c["nulls"]
        if c.get("mean") is not None and c["type"] != "boolean":
            out[f"{c['name']}.mean"] = c["mean"]
    return out


def with_profiles(repo: Repo, rows: Sequence[ExpRow], paths: Sequence[str]) -> list[ExpRow]:
    """``rows`` with ``profiles`` filled for each of ``paths`` (rows whose revision lacks
    the table, or whose data cannot be had, get none)."""
    done: dict[tuple[str, str], dict[str, Any] | None] = {}
    out = []
    for row in rows:
        found: dict[str, dict[str, Any]] = {}
        for path in paths:
            if row.kind == "queued":
                continue
            key = (path, row.rev)
            if key not in done:
                done[key] = _figures_at(repo, path, None if row.rev == WORKSPACE else row.rev)
            figs = done[key]
            if figs is not None:
                found[path] = figs
        out.append(replace(row, profiles=found) if found else row)
    return out


def _figures_at(repo: Repo, path: str, rev: str | None) -> dict[str, Any] | None:
    try:
        with ExitStack() as stack:
            resolved = targets.resolve(repo, targets.Spec(path, rev), stack)
            return figures(profile_resolved(repo, resolved).data)
    except TrailError:
        return None
