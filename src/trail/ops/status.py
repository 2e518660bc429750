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
    if not _has_pipeline_file(repo):
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


def _has_pipeline_file(repo: Repo) -> bool:
    """Whether any pipeline file exists, without the YAML machinery of the loader.

    Like the loader, skips ignored directories and those tracked by a pointer file beside them.
    """
    import os

    from trail.workspace.ignore import ALWAYS_IGNORED

    if os.path.exists(repo.path(repo.dialect.pipeline_file)):
        return True
    name, suffix = repo.dialect.pipeline_file, repo.dialect.pointer_suffix
    ignore = repo.ignore_rules()
    stack = ["."]
    while stack:
        dirrel = stack.pop()
        try:
            with os.scandir(repo.path(dirrel)) as it:
                entries = list(it)
        except OSError:
            continue
        names = {e.name for e in entries}
        ignore.load_dir(dirrel, ignore.filename in names)
        if name in names:
            return True
        for e in entries:
            rel = e.name if dirrel == "." else f"{dirrel}/{e.name}"
            if e.name in ALWAYS_IGNORED or e.name + suffix in names:
                continue
            skipped = ignore.active and ignore.ignored(rel, True)
            if e.is_dir(follow_symlinks=False) and not skipped:
                stack.append(rel)
    return False
