"""``trail exp push|pull <git-remote>``: experiment refs (and their metadata refs) through Git,
and the cached outputs they record through the data remote (``trail push``/``fetch``).

Refs move first, data second: a push whose data upload fails leaves the refs on the Git remote
and says so; running it again uploads what is missing (uploads are idempotent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trail.errors import TrailError
from trail.experiments.refs import (
    Experiment,
    ExpRef,
    experiments,
    meta_refs,
    require_git,
)
from trail.experiments.remove import select
from trail.ops.push import TransferResult
from trail.progress import NULL, Progress
from trail.repo import Repo
from trail.scm.exprefs import remote_experiments
from trail.scm.git import Git
from trail.scm.refs import head


@dataclass(frozen=True)
class SyncResult:
    refs: tuple[ExpRef, ...]
    data: TransferResult | None = None  # None when the cache was not transferred
    data_error: TrailError | None = None  # the refs moved, the data (partly) did not


def _chosen(
    git: Git,
    known: list[Experiment],
    names: Sequence[str],
    all_exps: bool,
    rev: str | None,
    num: int,
) -> list[Experiment]:
    """Named experiments, all, or (by default) those of ``rev`` (HEAD)."""
    if not names and not all_exps and rev is None:
        rev = head(git)[0]
    return select(git, known, names, all_exps=all_exps, rev=rev, num=num)


def push(
    repo: Repo,
    git_remote: str,
    names: Sequence[str] = (),
    *,
    all_exps: bool = False,
    rev: str | None = None,
    num: int = 1,
    force: bool = False,
    push_cache: bool = True,
    remote: str | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> SyncResult:
    """Send the chosen experiments' refs to ``git_remote`` and their outputs to the data
    remote (``remote`` or the default one)."""
    from trail.scm.remote import push_refs

    git = require_git(repo)
    chosen = _chosen(git, experiments(git), names, all_exps, rev, num)
    metas = meta_refs(git)
    specs = [e.ref.ref for e in chosen] + [e.ref.meta_ref for e in chosen if e.ref in metas]
    push_refs(git, git_remote, specs, force=force)
    data = None
    if push_cache and chosen:
        from trail.ops.push import push_outputs
        from trail.ops.used import used_outputs

        try:
            outs = used_outputs(repo, revs=[e.sha for e in chosen], workspace=False)
            with repo.lock():
                data = push_outputs(repo, outs, remote=remote, jobs=jobs, progress=progress)
        except TrailError as exc:
            return SyncResult(tuple(e.ref for e in chosen), None, exc)
    return SyncResult(tuple(e.ref for e in chosen), data)


def pull(
    repo: Repo,
    git_remote: str,
    names: Sequence[str] = (),
    *,
    all_exps: bool = False,
    rev: str | None = None,
    num: int = 1,
    force: bool = False,
    pull_cache: bool = True,
    remote: str | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> SyncResult:
    """Fetch the chosen experiments' refs from ``git_remote`` and their outputs into the cache
    (the workspace is not touched: ``trail exp apply`` does that)."""
    from trail.scm.remote import fetch_refs

    git = require_git(repo)
    known, metas = remote_experiments(git, git_remote)
    chosen = _chosen(git, known, names, all_exps, rev, num)
    specs = [e.ref.ref for e in chosen] + [e.ref.meta_ref for e in chosen if e.ref in metas]
    fetch_refs(git, git_remote, specs, force=force)
    data = None
    if pull_cache and chosen:
        from trail.ops.fetch import fetch_outputs
        from trail.ops.used import used_outputs

        try:
            outs = used_outputs(repo, revs=[e.sha for e in chosen], workspace=False)
            with repo.lock():
                data = fetch_outputs(repo, outs, remote=remote, jobs=jobs, progress=progress)
        except TrailError as exc:
            return SyncResult(tuple(e.ref for e in chosen), None, exc)
    return SyncResult(tuple(e.ref for e in chosen), data)
