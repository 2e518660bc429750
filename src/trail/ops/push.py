"""``trail push``: send the objects that outputs need to their remotes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from trail.errors import TransferError
from trail.ops import used
from trail.progress import NULL, Progress
from trail.remote.index import RemoteIndex
from trail.remote.open import open_remote
from trail.remote.store import present
from trail.remote.transfer import default_jobs, upload
from trail.repo import Repo
from trail.types import Oid


@dataclass
class TransferResult:
    """Objects moved, objects already in place, bytes moved, per remote name."""

    transferred: int = 0
    skipped: int = 0
    nbytes: int = 0
    remotes: list[str] = field(default_factory=list)


def group_by_remote(
    outs: list[used.UsedOutput], remote: str | None
) -> dict[str | None, list[used.UsedOutput]]:
    """``-r`` wins; otherwise an output's own ``remote:``, then the default (None)."""
    groups: dict[str | None, list[used.UsedOutput]] = {}
    for u in outs:
        groups.setdefault(remote or u.remote, []).append(u)
    return groups


def push(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    remote: str | None = None,
    jobs: int | None = None,
    all_branches: bool = False,
    all_tags: bool = False,
    all_commits: bool = False,
    use_index: bool = True,
    progress: Progress = NULL,
) -> TransferResult:
    """Upload what the chosen revisions need; failures are raised together at the end."""
    revs = used.revisions(
        repo, all_branches=all_branches, all_tags=all_tags, all_commits=all_commits
    )
    outs = used.used_outputs(repo, targets, revs=revs)
    return push_outputs(
        repo, outs, remote=remote, jobs=jobs, use_index=use_index, progress=progress
    )


def push_outputs(
    repo: Repo,
    outs: list[used.UsedOutput],
    *,
    remote: str | None = None,
    jobs: int | None = None,
    use_index: bool = True,
    progress: Progress = NULL,
) -> TransferResult:
    """Upload the objects of ``outs`` (those not marked ``push: false``)."""
    outs = [u for u in outs if u.push]
    result = TransferResult()
    failed: dict[str, str] = {}
    for name, group in group_by_remote(outs, remote).items():
        needed, unreadable = used.closure(repo, group)
        for oid in unreadable:
            failed[str(oid)] = "its manifest is not in the local cache"
        _push_one(repo, name, needed, jobs or default_jobs(), use_index, progress, result, failed)
    if failed:
        raise TransferError("push", failed)
    return result


def _push_one(
    repo: Repo,
    name: str | None,
    needed: set[Oid],
    jobs: int,
    use_index: bool,
    progress: Progress,
    result: TransferResult,
    failed: dict[str, str],
) -> None:
    store = open_remote(repo.config, name)
    if store.fs.readonly:
        from trail.errors import RemoteReadOnlyError

        raise RemoteReadOnlyError(store.url)
    result.remotes.append(store.name)
    local = {o for o in needed if repo.odb.exists(o)}
    for oid in needed - local:
        failed[str(oid)] = "missing from the local cache"
    index = RemoteIndex(repo.private_dir, store.url)
    try:
        store.fs.check(for_write=True)
        marker = store.gc_marker()
        if not marker:
            # A marker from the first push: a remote wiped later loses it, and so the index.
            marker = store.write_gc_marker()
        index.validate(marker)
        if not use_index:
            index.clear()
        todo = local - index.known(local)
        there = present(store, todo, jobs)
        index.add(there)
        todo -= there
        result.skipped += len(local) - len(todo)
        moved = upload(
            store, repo.odb, sorted(todo, key=str), jobs=jobs, progress=progress, index=index
        )
    finally:
        index.close()
    result.transferred += len(moved.done)
    result.nbytes += moved.nbytes
    failed.update(moved.failed)
