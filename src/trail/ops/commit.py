"""``trail commit``: record the workspace's current state of tracked outputs (pointer files,
and stage outputs in lock files)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trail import pointer
from trail.index import Tracked, collect, outputs
from trail.ops.common import build_context, in_cache
from trail.ops.locking import locked
from trail.pointer import Output
from trail.progress import NULL, Progress
from trail.repo import Repo
from trail.workspace.build import build
from trail.workspace.symlinks import refuse_for_storing


@locked
def commit(
    repo: Repo, targets: Sequence[str] = (), *, force: bool = False, progress: Progress = NULL
) -> list[str]:
    """Cache changed outputs and rewrite their pointer files; returns the rewritten files.

    ``force`` also re-stores outputs whose hash did not change (repairing a damaged cache).
    """
    pfs = collect(repo)
    if targets:  # pointer files, outputs, stages (``trail.ops.targets``)
        from trail.ops.targets import resolve

        chosen = resolve(repo, targets, pfs=pfs)
        tracked = chosen.tracked
        named = [s.addressing for s in chosen.involved_stages]
        stage_plan = _stage_plan(repo, force, named) if named else None
    else:
        tracked = outputs(pfs)
        stage_plan = _stage_plan(repo, force, None)  # may refuse: before anything is written
    refuse_for_storing(repo.root, [t.relpath for t in tracked if t.out.use_cache], "commit")
    by_pf: dict[str, list[Tracked]] = {}
    for t in tracked:
        by_pf.setdefault(t.pf.path, []).append(t)
    written = []
    for group in by_pf.values():
        pf = group[0].pf
        outs = list(pf.outs)
        changed = False
        for t in group:
            if not t.out.use_cache:
                continue
            ctx = build_context(repo, store=True, progress=progress)
            if t.out.oid is not None and not force and in_cache(repo, t.out.oid):
                probe = build(build_context(repo, store=False, algo=t.out.oid.algo), t.relpath)
                if probe.oid == t.out.oid:
                    continue
            built = build(ctx, t.relpath)
            if built.oid != t.out.oid or built.meta != t.out.meta:
                outs[t.index] = Output(t.out.path, built.oid, built.meta, t.out.options)
                changed = True
        if changed:
            pointer.write(repo.root, pf.with_outs(tuple(outs)))
            written.append(pf.path)
    if stage_plan is not None:
        from trail.pipeline import commit as stage_commit

        written.extend(stage_commit.apply(repo, stage_plan))
    return written


def _stage_plan(repo: Repo, force: bool, only: list[str] | None) -> Any:
    """Stage outputs to record (all stages, or ``only`` these), or None without a pipeline."""
    from trail.ops.common import has_pipeline_file

    if not has_pipeline_file(repo):
        return None
    from trail.pipeline import commit as stage_commit
    from trail.pipeline.load import load_pipelines

    return stage_commit.plan(repo, load_pipelines(repo), force=force, only=only)
