"""The workspace as a Git commit, for the experiment queue, and the temporary clones queued
experiments run in. Nothing here touches the user's index, HEAD or branches."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from trail.scm.commit import commit_tree, temp_index
from trail.scm.git import Git


def snapshots(
    git: Git,
    variants: Sequence[Mapping[str, bytes]],
    message: str,
    copy_paths: Sequence[str] = (),
) -> tuple[str, list[str]]:
    """``(baseline, commits)``: the workspace — tracked files as on disk, untracked files no
    ignore rule covers, and the ``copy_paths`` even if ignored — as one commit per variant,
    each with the variant's files (repo-relative path → content, e.g. params edited by
    ``-S``) laid over it; every commit's parent is HEAD, the baseline. The workspace is read
    once."""
    from trail.scm.refs import head

    baseline, _branch = head(git)
    commits = []
    with temp_index(git) as env:
        git.run_env("add", "-A", "--", ".", env=env)
        if copy_paths:
            git.run_env("add", "-f", "--", *copy_paths, env=env)
        base_tree = git.run_env("write-tree", env=env)[1].strip()
        for files in variants:
            tree = base_tree
            if files:
                git.run_env("read-tree", base_tree, env=env)
                listing = "".join(
                    f"{_mode(git, p)} {_blob(git, data)}\t{p}\n" for p, data in files.items()
                )
                git.run_env("update-index", "--index-info", env=env, input=listing.encode())
                tree = git.run_env("write-tree", env=env)[1].strip()
            commits.append(commit_tree(git, tree, [baseline], message))
    return baseline, commits


def _blob(git: Git, data: bytes) -> str:
    return git.run("hash-object", "-w", "--no-filters", "--stdin", input=data).strip()


def _mode(git: Git, path: str) -> str:
    try:
        executable = os.stat(os.path.join(git.root, path)).st_mode & 0o111
    except FileNotFoundError:
        executable = 0
    return "100755" if executable else "100644"


def clone_shared(source: str, dest: str, baseline: str, snapshot_sha: str) -> Git:
    """A clone of ``source`` at ``dest`` borrowing its objects (nothing is copied), HEAD
    detached at ``baseline``, the snapshot's files in the work tree as uncommitted changes."""
    Git(os.path.dirname(dest)).run("clone", "-q", "--shared", "--no-checkout", source, dest)
    clone = Git(dest)
    clone.run("checkout", "-q", "--detach", baseline)
    clone.run("read-tree", "-u", "--reset", snapshot_sha)  # files added and removed too
    clone.run("reset", "-q")  # the index back at HEAD: changes look as they did to the user
    return clone


def refs_under(git: Git, prefixes: Sequence[str]) -> list[str]:
    return git.run("for-each-ref", "--format=%(refname)", *prefixes).split()


def fetch_all_or_none(git: Git, source: str, refs: Sequence[str], *, force: bool = False) -> None:
    """Fetch ``refs`` of ``source`` into the same names here in one transaction (``--atomic``):
    either every ref arrives or none does. A ref that exists with other content is refused
    unless ``force``."""
    from trail.errors import ScmError

    specs = [f"{'+' if force else ''}{r}:{r}" for r in refs]
    args = ("fetch", "-q", "--atomic", "--no-tags", "--no-write-fetch-head", source, *specs)
    code, _out, err = git.run_env(*args, env={}, check=False)
    if code != 0:
        useful = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("hint:")]
        raise ScmError(f"cannot fetch {', '.join(refs)}: {' '.join(useful)[:300] or code}")
