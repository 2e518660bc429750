"""``trail exp apply``: put an experiment's files (params, code, lock file) and outputs into the
workspace, leaving HEAD, the index and branches where they are.

Nothing is lost: the workspace may be replaced only when its Git-visible state is already kept
somewhere (it equals HEAD or some experiment), or with ``force``, after saving it as a commit
under ``refs/trail-exps/apply/backup`` (earlier backups stay in that ref's reflog). Untracked
files that the experiment does not have do not count and stay as they are. Outputs whose
workspace content is not in the cache are never overwritten without ``force``.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

from trail.experiments.errors import DirtyWorkspaceError
from trail.experiments.refs import META, Experiment, experiments, require_git, resolve
from trail.repo import Repo
from trail.scm.commit import (
    changed_paths,
    checkout_paths,
    commit_tree,
    tree_without,
    workspace_tree,
)
from trail.scm.git import Git
from trail.scm.refs import head, set_ref_logged
from trail.workspace.checkout import Changes

BACKUP_REF = f"{META}/apply/backup"


@dataclass(frozen=True)
class ApplyResult:
    exp: Experiment
    written: tuple[str, ...]  # Git-visible files written from the experiment
    removed: tuple[str, ...]  # files the experiment does not have
    outputs: Changes
    backup: str | None = None  # the commit that saved the replaced workspace, if any


def apply(repo: Repo, name: str, *, force: bool = False) -> ApplyResult:
    """Make the workspace the experiment ``name`` (see the module docstring for safety)."""
    from trail.ops.checkout import checkout

    git = require_git(repo)
    head_sha, _ = head(git)
    known = experiments(git)
    exp = resolve(git, name, head_sha, known)
    with repo.lock():
        current = workspace_tree(git)
        head_tree = git.run("rev-parse", f"{head_sha}^{{tree}}").strip()
        kept = {head_tree, *(e.tree for e in known)}
        # untracked files the experiment does not have are left alone: neither in the way
        # nor removed (unless the workspace is an experiment that made them: then they are kept)
        base = current if current in kept else _without_strays(git, current, head_tree, exp)
        backup = None
        if base not in kept:
            if not force:
                near, changed = _nearest(git, base, head_tree, known, head_sha)
                raise DirtyWorkspaceError(changed, f"apply '{exp.name}' anyway", near)
            backup = commit_tree(
                git, current, [head_sha], f"trail: workspace before applying {exp.name}\n"
            )
            set_ref_logged(git, BACKUP_REF, backup, f"before exp apply {exp.name}")
        diffs = changed_paths(git, base, exp.tree)
        written = [p for status, p in diffs if status != "D"]
        removed = [p for status, p in diffs if status == "D"]
        checkout_paths(git, exp.sha, written)
        for path in removed:
            _remove(repo.root, path)
        outputs = checkout(repo, force=force)
    return ApplyResult(exp, tuple(written), tuple(removed), outputs, backup)


def _without_strays(git: Git, current: str, head_tree: str, exp: Experiment) -> str:
    """The workspace's tree without the files that are new since HEAD and that the
    experiment does not have."""
    new = {p for status, p in changed_paths(git, head_tree, current) if status == "A"}
    strays = [
        p for status, p in changed_paths(git, current, exp.tree) if status == "D" and p in new
    ]
    return tree_without(git, current, strays)


def _nearest(
    git: Git, current: str, head_tree: str, known: list[Experiment], head_sha: str
) -> tuple[str, list[str]]:
    """What the workspace holds that nothing keeps, told against the closest kept state:
    HEAD or one of the latest experiments of this baseline (after ``exp run`` the workspace
    is that experiment plus the user's edits)."""
    mine = [(f"experiment '{e.name}'", e.tree) for e in known if e.baseline == head_sha]
    candidates = [("HEAD", head_tree), *mine[:20]]
    found = [
        (label, [p for _, p in changed_paths(git, tree, current)]) for label, tree in candidates
    ]
    return min(found, key=lambda item: len(item[1]))


def _remove(root: str, path: str) -> None:
    """Delete a file the experiment does not have, and directories it leaves empty."""
    full = os.path.join(root, path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(full)
    parent = os.path.dirname(full)
    while parent != root and os.path.isdir(parent) and not os.listdir(parent):
        os.rmdir(parent)
        parent = os.path.dirname(parent)
