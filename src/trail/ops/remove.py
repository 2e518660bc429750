"""``trail remove``: stop tracking outputs (pointer file and .gitignore entry go), or remove
stages from their pipeline file (with their lock entries and .gitignore entries), as DVC does."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from trail.fsutil import remove_tree
from trail.ops.locking import locked
from trail.ops.targets import resolve
from trail.repo import Repo
from trail.workspace import gitignore

if TYPE_CHECKING:
    from trail.pipeline.model import Stage


@locked
def remove(repo: Repo, targets: Sequence[str], *, outs: bool = False) -> list[str]:
    """Returns the pointer files removed and the stages removed (``file:name``); the data
    stays in the workspace unless ``outs``."""
    resolved = resolve(repo, targets)  # every target checked before anything is removed
    removed: list[str] = []
    for t in resolved.tracked:
        if t.pf.path in removed:
            continue
        for out in t.pf.outs:
            _forget(repo, t.pf.out_relpath(out), outs)
        os.unlink(repo.path(t.pf.path))
        removed.append(t.pf.path)
    if resolved.stages:
        removed += _remove_stages(repo, resolved.stages, outs)
    return removed


def _forget(repo: Repo, relpath: str, outs: bool) -> None:
    if repo.scm is not None:
        gitignore.unignore(repo.root, relpath)
    if outs:
        remove_tree(repo.path(relpath))


def _remove_stages(repo: Repo, stages: Sequence[Stage], outs: bool) -> list[str]:
    """Drop each stage's definition (a whole ``foreach``/``matrix`` group for one of its
    stages) from its pipeline file, keeping comments, and its lock entries; a pipeline file
    left without stages goes, with its lock file."""
    from trail.pipeline import lockfile

    by_file: dict[str, list[Stage]] = {}
    for s in stages:
        by_file.setdefault(s.file, []).append(s)
    removed = []
    for file, group in by_file.items():
        keys = {s.name.split("@", 1)[0] for s in group}
        left = _drop_definitions(repo, file, keys)
        lock_path = lockfile.lock_path_for(file, repo.dialect.lock_file)
        entries = lockfile.read(repo.root, lock_path)
        kept = {n: e for n, e in entries.items() if n.split("@", 1)[0] not in keys}
        if not left:
            os.unlink(repo.path(file))
            if os.path.exists(repo.path(lock_path)):
                os.unlink(repo.path(lock_path))
        elif kept != entries:
            lockfile.write(repo.root, lock_path, kept)
        for s in group:
            for out in s.outs:
                _forget(repo, out.path, outs)
            removed.append(f"{file}:{s.name}")
    return removed


def _drop_definitions(repo: Repo, file: str, keys: set[str]) -> int:
    """Remove the stage definitions ``keys`` from pipeline file ``file`` (comments kept);
    returns how many stages the file still defines."""
    from trail.fsutil import atomic_write_text
    from trail.yamlwrite import round_trip, write

    ry = round_trip(preserve_quotes=True, width=4096)
    with open(repo.path(file), encoding="utf-8") as f:
        doc = ry.load(f)
    stages = doc.get("stages") or {}
    for key in keys:
        stages.pop(key, None)
    if not stages and set(doc) <= {"stages"}:
        return 0
    atomic_write_text(repo.path(file), write(ry, doc))
    return len(stages)
