"""``trail push``: send the objects that outputs need to their remotes."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trail.errors import TransferError
from trail.ops import used
from trail.ops.locking import locked
from trail.ops.verify import corrupt_objects
from trail.progress import NULL, Progress
from trail.remote.index import RemoteIndex
from trail.remote.open import open_remote
from trail.remote.stale import clean_stale_temps
from trail.remote.store import object_path, present
from trail.remote.transfer import default_jobs, upload
from trail.repo import Repo

if TYPE_CHECKING:
    from trail.ops.targets import Scope
    from trail.workspace.build import Built
    from trail.workspace.checkout import Changes


@dataclass
class TransferResult:
    """Objects moved, objects already in place, bytes moved, per remote name; for ``pull``,
    what its checkout changed in the workspace."""

    transferred: int = 0
    skipped: int = 0
    nbytes: int = 0
    remotes: list[str] = field(default_factory=list)
    changes: Changes | None = None
    unrecorded: dict[str, Built] = field(default_factory=dict)  # imports fetched, no hash yet
    missing: dict[str, str] = field(default_factory=dict)  # pull --allow-missing: what lacked


def group_by_remote(
    outs: list[used.UsedOutput], remote: str | None
) -> dict[str | None, list[used.UsedOutput]]:
    """``-r`` wins; otherwise an output's own ``remote:``, then the default (None)."""
    groups: dict[str | None, list[used.UsedOutput]] = {}
    for u in outs:
        groups.setdefault(remote or u.remote, []).append(u)
    return groups


@locked
def push(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    remote: str | None = None,
    jobs: int | None = None,
    all_branches: bool = False,
    all_tags: bool = False,
    all_commits: bool = False,
    all_experiments: bool = False,
    run_cache: bool = False,
    use_index: bool = True,
    progress: Progress = NULL,
    scope: Scope | None = None,
) -> TransferResult:
    """Upload what the chosen revisions need (with ``run_cache``, also run-cache entries and
    the objects they record); failures are raised together at the end."""
    revs = used.revisions(
        repo,
        all_branches=all_branches,
        all_tags=all_tags,
        all_commits=all_commits,
        all_experiments=all_experiments,
    )
    outs = used.used_outputs(repo, targets, revs=revs, scope=scope)
    return push_outputs(
        repo,
        outs,
        remote=remote,
        jobs=jobs,
        run_cache=run_cache,
        use_index=use_index,
        progress=progress,
    )


def push_outputs(
    repo: Repo,
    outs: list[used.UsedOutput],
    *,
    remote: str | None = None,
    jobs: int | None = None,
    run_cache: bool = False,
    use_index: bool = True,
    progress: Progress = NULL,
) -> TransferResult:
    """Upload the objects of ``outs`` (those not marked ``push: false``)."""
    # Repository imports come from their source, as in DVC: they are not pushed.
    outs = [u for u in outs if u.push and not u.imported]
    result = TransferResult()
    failed: dict[str, str] = {}
    for name, group in group_by_remote(outs, remote).items():
        _push_one(repo, name, group, jobs, use_index, progress, result, failed)
    if run_cache:
        _push_runs(repo, remote, jobs, use_index, progress, result, failed)
    if failed:
        raise TransferError("push", failed)
    return result


def _push_runs(
    repo: Repo,
    remote: str | None,
    jobs: int | None,
    use_index: bool,
    progress: Progress,
    result: TransferResult,
    failed: dict[str, str],
) -> None:
    """The objects run-cache entries record (those the cache has), then the entries."""
    from trail.ops import runcache_transfer as rc
    from trail.ops.common import in_cache

    paths = rc.local_entries(repo)
    oids = {o for e in rc.read_local(paths) for o in rc.entry_oids(e.text, e.rel)}
    ours = {o for o in oids if in_cache(repo, o)}  # what gc removed stays behind
    _push_one(repo, remote, rc.as_used(ours), jobs, use_index, progress, result, failed)
    if failed:
        return  # an entry on a remote promises its objects
    store = open_remote(repo.config, remote)
    there = rc.remote_entries(store)
    result.transferred += rc.send(store, repo, sorted(r for r in paths if r not in there), paths)


def _push_one(
    repo: Repo,
    name: str | None,
    group: list[used.UsedOutput],
    jobs: int | None,
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
    jobs = jobs or default_jobs(store)
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
        whole = index.complete_trees(u.oid for u in group if u.oid.is_tree)
        rest = [u for u in group if u.oid not in whole]
        result.skipped += len(group) - len(rest)
        needed, unreadable = used.closure(repo, rest)
        errors = {str(o): "its manifest is not in the local cache" for o in unreadable}
        local = {o for o in needed if repo.odb.exists(o)}
        errors.update((str(o), "missing from the local cache") for o in needed - local)
        todo = local - index.known(local)
        there = present(store, todo, jobs)
        index.add(there)
        todo -= there
        result.skipped += len(local) - len(todo)
        corrupt = corrupt_objects(repo.odb, repo.state, todo, jobs)
        for oid, actual in corrupt.items():
            errors[str(oid)] = (
                f"corrupt in the local cache (its bytes hash to {actual}); not uploaded: "
                "run `trail fsck`"
            )
        if corrupt:  # a manifest on a remote promises its files: it waits for them
            held = {o for o in todo if o.is_tree and o not in corrupt}
            errors.update((str(o), "held back: a file it lists is corrupt") for o in held)
            todo -= held | set(corrupt)
        # Where this push writes, temps an earlier, killed one left there go first.
        clean_stale_temps(store, {"", *(posixpath.dirname(object_path(o)) for o in todo)})
        moved = upload(
            store, repo.odb, sorted(todo, key=str), jobs=jobs, progress=progress, index=index
        )
        errors.update(moved.failed)
        if not errors:  # every directory here is now on the remote whole
            index.add_complete_trees(u.oid for u in rest if u.oid.is_tree and not u.subpath)
    finally:
        index.close()
    result.transferred += len(moved.done)
    result.nbytes += moved.nbytes
    failed.update(errors)
