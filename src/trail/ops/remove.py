"""``trail remove``: stop tracking outputs (pointer file and .gitignore entry go)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from trail.fsutil import remove_tree
from trail.index import resolve_targets
from trail.repo import Repo
from trail.workspace import gitignore


def remove(repo: Repo, targets: Sequence[str], *, outs: bool = False) -> list[str]:
    """Returns the pointer files removed; the data stays in the workspace unless ``outs``."""
    resolved = resolve_targets(repo, targets)
    removed: list[str] = []
    for target in resolved:
        t = target.tracked
        if t.pf.path in removed:
            continue
        for out in t.pf.outs:
            rel = t.pf.out_relpath(out)
            if repo.scm is not None:
                gitignore.unignore(repo.root, rel)
            if outs:
                remove_tree(repo.path(rel))
        os.unlink(repo.path(t.pf.path))
        removed.append(t.pf.path)
    return removed
