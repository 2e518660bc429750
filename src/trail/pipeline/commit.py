"""Record stage outputs as they are now (``trail commit``): after ``repro --no-commit``, or an
output edited by hand. Stages whose deps or command changed are recorded only when forced, since
their outputs no longer follow from what the lock entry would say went in."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass, field

from trail.errors import PipelineError
from trail.pipeline import lockfile
from trail.pipeline.changes import StageCheck
from trail.pipeline.lockfile import LockEntry
from trail.pipeline.model import Pipeline, Stage
from trail.repo import Repo


@dataclass
class StageCommit:
    """Planned lock entries per lock file (stage names in run order)."""

    entries: dict[str, dict[str, Stage]] = field(default_factory=dict)
    order: dict[str, list[str]] = field(default_factory=dict)


def plan(
    repo: Repo,
    pipelines: list[Pipeline],
    *,
    force: bool = False,
    only: Collection[str] | None = None,
) -> StageCommit:
    """Which stages to record (among ``only``, by addressing, if given); raises (before
    anything is written) when one needs ``force``."""
    from trail.pipeline.dag import build_dag, run_order

    dag = build_dag([s for p in pipelines for s in p.stages.values()])
    result = StageCommit()
    for key in run_order(dag):
        stage = dag.stages[key]
        path = lockfile.lock_path_for(stage.file, repo.dialect.lock_file)
        result.order.setdefault(path, []).append(stage.name)
        if only is not None and stage.addressing not in only:
            continue
        entry = lockfile.read(repo.root, path).get(stage.name)
        if not _wanted(repo, stage, entry, force):
            continue
        result.entries.setdefault(path, {})[stage.name] = stage
    return result


def _wanted(repo: Repo, stage: Stage, entry: LockEntry | None, force: bool) -> bool:
    if not all(os.path.lexists(repo.path(o.path)) for o in stage.outs) or not stage.outs:
        return False  # nothing (or not everything) to record
    check = StageCheck(repo, stage, entry)
    found = check.changes()
    if "always changed" in found:
        found.remove("always changed")
    if not found and not force:
        return False
    inputs_changed = entry is None or any(
        c == "changed command" or (isinstance(c, dict) and "changed deps" in c) for c in found
    )
    if inputs_changed and not force:
        raise PipelineError(
            "its deps or command changed since it ran: run `trail repro`, "
            "or `trail commit -f` to record the outputs as they are",
            stage=stage.addressing,
        )
    return True


def apply(repo: Repo, planned: StageCommit) -> list[str]:
    """Cache the outputs and write the lock entries; returns the lock files written."""
    from trail.pipeline.runner import commit_outs, inputs_entry

    written = []
    for path, stages in planned.entries.items():
        new = {}
        for name, stage in stages.items():
            params = inputs_entry(repo, stage).params
            new[name] = commit_outs(repo, stage, params, store=True)
        lockfile.update(repo.root, path, new, planned.order.get(path, []))
        written.append(path)
    return written
