"""``trail status``: which stages and pointer files differ from the workspace, in DVC's shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trail.index import collect, outputs, resolve_targets
from trail.ops.common import out_status
from trail.repo import Repo


def status(repo: Repo, targets: Sequence[str] = ()) -> dict[str, list[Any]]:
    """``{"x.trail": [{"changed outs": {"x": "modified"}}], "train": ["changed command"]}``."""
    result, rest = _stage_status(repo, targets)
    if targets and not rest:
        return result
    pfs = collect(repo)
    tracked = [t.tracked for t in resolve_targets(repo, rest, pfs)] if rest else outputs(pfs)
    for t in tracked:
        change = out_status(repo, t)
        if change is None:
            continue
        entries = result.setdefault(t.pf.path, [])
        if not entries:
            entries.append({"changed outs": {}})
        entries[0]["changed outs"][t.relpath] = change
    return result


def _stage_status(repo: Repo, targets: Sequence[str]) -> tuple[dict[str, list[Any]], list[str]]:
    """Changes of the stages named in ``targets`` (all without), and the targets left over."""
    import os

    if not os.path.exists(repo.path(repo.dialect.pipeline_file)):
        return {}, list(targets)  # no pipeline: keep a plain status free of YAML
    from trail.pipeline import lockfile, scheduler
    from trail.pipeline.changes import stage_changes
    from trail.pipeline.load import load_pipelines

    stages = scheduler.all_stages(load_pipelines(repo))
    names = {s.name for s in stages} | {s.addressing for s in stages}
    rest = [t for t in targets if t not in names]
    locks: dict[str, dict[str, lockfile.LockEntry]] = {}
    result: dict[str, list[Any]] = {}
    for s in stages:
        if targets and s.name not in targets and s.addressing not in targets:
            continue
        if s.file not in locks:
            locks[s.file] = lockfile.read(
                repo.root, lockfile.lock_path_for(s.file, repo.dialect.lock_file)
            )
        changes = stage_changes(repo, s, locks[s.file].get(s.name))
        if changes:
            result[s.addressing] = changes
    return result, rest
