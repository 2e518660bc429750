"""``trail fetch`` and ``trail pull``: bring objects from remotes into the cache (and, for
pull, into the workspace)."""

from __future__ import annotations

from collections.abc import Sequence

from trail.errors import TransferError
from trail.ops import used
from trail.ops.push import TransferResult, group_by_remote
from trail.progress import NULL, Progress
from trail.remote.open import open_remote
from trail.remote.store import RemoteStore
from trail.remote.transfer import default_jobs, download
from trail.repo import Repo
from trail.types import Oid


def fetch(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    remote: str | None = None,
    jobs: int | None = None,
    all_branches: bool = False,
    all_tags: bool = False,
    all_commits: bool = False,
    progress: Progress = NULL,
) -> TransferResult:
    """Download what the chosen revisions need and the cache lacks, verified by hash."""
    revs = used.revisions(
        repo, all_branches=all_branches, all_tags=all_tags, all_commits=all_commits
    )
    outs = used.used_outputs(repo, targets, revs=revs)
    return fetch_outputs(repo, outs, remote=remote, jobs=jobs, progress=progress)


def fetch_outputs(
    repo: Repo,
    outs: list[used.UsedOutput],
    *,
    remote: str | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> TransferResult:
    """Download the objects of ``outs`` that the cache lacks."""
    result = TransferResult()
    failed: dict[str, str] = {}
    for name, group in group_by_remote(outs, remote).items():
        store = open_remote(repo.config, name)
        result.remotes.append(store.name)
        store.fs.check()
        _fetch_one(repo, store, group, jobs or default_jobs(), progress, result, failed)
    if failed:
        raise TransferError("fetch", failed)
    return result


def _fetch_one(
    repo: Repo,
    store: RemoteStore,
    group: list[used.UsedOutput],
    jobs: int,
    progress: Progress,
    result: TransferResult,
    failed: dict[str, str],
) -> None:
    # Manifests first: they say which files a directory needs.
    _, unreadable = used.closure(repo, group)
    if unreadable:
        _download(repo, store, unreadable, jobs, progress, result, failed, "Fetching manifests")
    needed, unreadable = used.closure(repo, group)
    todo = {o for o in needed if o not in unreadable and not repo.odb.exists(o)}
    result.skipped += len(needed) - len(todo) - len(unreadable)
    _download(repo, store, todo, jobs, progress, result, failed, "Fetching")


def _download(
    repo: Repo,
    store: RemoteStore,
    oids: set[Oid],
    jobs: int,
    progress: Progress,
    result: TransferResult,
    failed: dict[str, str],
    label: str,
) -> None:
    if not oids:
        return
    moved = download(
        store, repo.odb, sorted(oids, key=str), jobs=jobs, progress=progress, label=label
    )
    result.transferred += len(moved.done)
    result.nbytes += moved.nbytes
    failed.update(moved.failed)


def pull(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    remote: str | None = None,
    jobs: int | None = None,
    all_branches: bool = False,
    all_tags: bool = False,
    all_commits: bool = False,
    force: bool = False,
    progress: Progress = NULL,
) -> TransferResult:
    """Fetch, then check out; what did arrive is checked out even when some objects failed."""
    from trail.errors import CheckoutError
    from trail.ops.checkout import checkout

    try:
        result = fetch(
            repo,
            targets,
            remote=remote,
            jobs=jobs,
            all_branches=all_branches,
            all_tags=all_tags,
            all_commits=all_commits,
            progress=progress,
        )
    except TransferError:
        try:
            checkout(repo, targets, force=force, progress=progress)
        except CheckoutError:
            pass  # the transfer error below names the objects that are missing
        raise
    checkout(repo, targets, force=force, progress=progress)
    return result
