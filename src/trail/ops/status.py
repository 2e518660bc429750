"""``trail status``: which pointer files (and, later, stages) differ from the workspace."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trail.index import collect, outputs, resolve_targets
from trail.ops.common import out_status
from trail.repo import Repo


def status(repo: Repo, targets: Sequence[str] = ()) -> dict[str, list[Any]]:
    """Changes in DVC's shape: ``{"x.trail": [{"changed outs": {"x": "modified"}}]}``."""
    pfs = collect(repo)
    tracked = [t.tracked for t in resolve_targets(repo, targets, pfs)] if targets else outputs(pfs)
    result: dict[str, list[Any]] = {}
    for t in tracked:
        change = out_status(repo, t)
        if change is None:
            continue
        entries = result.setdefault(t.pf.path, [])
        if not entries:
            entries.append({"changed outs": {}})
        entries[0]["changed outs"][t.relpath] = change
    return result
