"""Where each node of the pipeline graph stands: up to date, changed (and why, in DVC's
``status`` words), frozen, never run, or running now in another process.

"Running" is read from the per-output locks ``repro`` holds while it produces a stage's
outputs (``pipeline.scheduler.output_locks``): a stage whose output lock is held by someone
is being run (or restored) right now. Stages without outputs cannot be seen running.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trail.ops.dag import Graph
from trail.repo import Repo
from trail.types import Meta, Oid

if TYPE_CHECKING:
    from trail.pipeline.lockfile import LockEntry
    from trail.pipeline.model import Stage

UP_TO_DATE, CHANGED, FROZEN, NEVER_RUN, RUNNING = (
    "up to date",
    "changed",
    "frozen",
    "never run",
    "running",
)


@dataclass(frozen=True)
class NodeState:
    """One node of the graph: a stage (``kind="stage"``) or a pointer file (``"data"``)."""

    name: str
    kind: str
    state: str
    changes: tuple[Any, ...] = ()  # DVC's status entries for this node
    file: str = ""  # the pipeline or pointer file that defines it
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PipelineView:
    graph: Graph
    nodes: dict[str, NodeState]


def pipeline_view(repo: Repo) -> PipelineView:
    """The stage graph (stages and pointer files) with each node's state. A broken pipeline
    file raises its ``PipelineError`` (naming file:line)."""
    from trail.index import collect, outputs
    from trail.ops.common import out_status
    from trail.ops.dag import dag
    from trail.pipeline import lockfile
    from trail.pipeline.load import load_pipelines

    graph = dag(repo)
    nodes: dict[str, NodeState] = {}
    locks: dict[str, dict[str, lockfile.LockEntry]] = {}
    for pipeline in load_pipelines(repo):
        lock_path = lockfile.lock_path_for(pipeline.file, repo.dialect.lock_file)
        if lock_path not in locks:
            locks[lock_path] = lockfile.read(repo.root, lock_path)
        for stage in pipeline.stages.values():
            entry = locks[lock_path].get(stage.name)
            nodes[stage.addressing] = _stage_state(repo, stage, entry)
    for pf in collect(repo):
        changes: dict[str, str] = {}
        for t in outputs([pf]):
            change = out_status(repo, t)
            if change is not None:
                changes[t.relpath] = change
        state = CHANGED if changes else UP_TO_DATE
        found = ({"changed outs": changes},) if changes else ()
        outs = [_item(t.relpath, t.out.oid, t.out.meta) for t in outputs([pf])]
        nodes[pf.path] = NodeState(pf.path, "data", state, found, pf.path, {"outs": outs})
    return PipelineView(graph, nodes)


def _stage_state(repo: Repo, stage: Stage, entry: LockEntry | None) -> NodeState:
    from trail.pipeline.changes import stage_changes

    changes = tuple(stage_changes(repo, stage, entry))
    if held(repo.private_dir, [o.path for o in stage.outs]):
        state = RUNNING
    elif entry is None:
        state = NEVER_RUN
    elif stage.frozen:
        state = FROZEN
    elif changes:
        state = CHANGED
    else:
        state = UP_TO_DATE
    return NodeState(stage.addressing, "stage", state, changes, stage.file, _details(stage, entry))


def _details(stage: Stage, entry: LockEntry | None) -> dict[str, Any]:
    """cmd, deps (with the hashes the lock records), params and outs of a stage."""
    deps: list[dict[str, Any]] = []
    outs: list[dict[str, Any]] = []
    for dep in stage.deps:
        item = entry.dep(dep.declared) if entry is not None else None
        deps.append(_item(dep.path, item.oid if item else None, item.meta if item else None))
    for out in stage.outs:
        item = entry.out(out.declared) if entry is not None else None
        found = _item(out.path, item.oid if item else None, item.meta if item else None)
        outs.append({**found, "type": out.kind.value, "cache": out.cache})
    params: dict[str, Any] = {}
    for pdep in stage.params:
        recorded = entry.params.get(pdep.declared, {}) if entry is not None else {}
        keys = pdep.keys if pdep.keys is not None else tuple(recorded)
        params[pdep.path] = {k: recorded.get(k) for k in keys}
    return {
        "cmd": list(stage.cmd),
        "wdir": stage.wdir,
        "deps": deps,
        "params": params,
        "outs": outs,
        "frozen": stage.frozen,
        "always_changed": stage.always_changed,
        "desc": stage.desc,
        "where": str(stage.where) if stage.where is not None else stage.file,
    }


def _item(path: str, oid: Oid | None, meta: Meta | None) -> dict[str, Any]:
    return {
        "path": path,
        "hash": str(oid) if oid is not None else None,
        "size": meta.size if meta is not None else None,
        "nfiles": meta.nfiles if meta is not None else None,
    }


def held(private_dir: str, paths: Iterable[str]) -> bool:
    """Whether another process holds the output lock of any of ``paths`` now. Probed with a
    shared, non-blocking flock that is let go at once: a ``repro`` waiting for the lock
    retries in 50 ms, and nothing is created."""
    from trail.lock import is_held
    from trail.pipeline.scheduler import output_lock_path

    return any(is_held(output_lock_path(private_dir, path)) for path in paths)
