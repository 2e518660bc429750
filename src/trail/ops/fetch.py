"""``trail fetch`` and ``trail pull``: bring objects from remotes into the cache (and, for
pull, into the workspace)."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from trail.errors import RemoteConfigError, TransferError
from trail.ops import used
from trail.ops.fetch_imports import unrecorded_imports
from trail.ops.locking import locked
from trail.ops.push import TransferResult, group_by_remote
from trail.progress import NULL, Progress
from trail.remote.open import open_remote
from trail.remote.store import RemoteStore
from trail.remote.transfer import default_jobs, download
from trail.repo import Repo
from trail.types import Oid

NO_SPACE = "no space left on device"  # the reason a transfer gives for a full disk (ENOSPC)

if TYPE_CHECKING:
    from trail.index import Tracked
    from trail.ops.targets import Scope
    from trail.workspace.checkout import Changes


@locked
def fetch(
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
    progress: Progress = NULL,
    scope: Scope | None = None,
    max_size: int | None = None,
    types: Collection[str] = (),
) -> TransferResult:
    """Download what the chosen revisions need and the cache lacks, verified by hash (with
    ``run_cache``, also the remote's run-cache entries and the objects they record).
    ``max_size`` keeps outputs of fewer bytes than that, ``types`` (``metrics``,
    ``plots``) only stage outputs of those kinds, as DVC's ``--max-size``/``--type``."""
    revs = used.revisions(
        repo,
        all_branches=all_branches,
        all_tags=all_tags,
        all_commits=all_commits,
        all_experiments=all_experiments,
    )
    outs = used.used_outputs(repo, targets, revs=revs, scope=scope)
    if max_size is not None:  # strictly below, as DVC counts; an unknown size goes
        outs = [u for u in outs if u.size is None or u.size < max_size]
    if types:
        outs = [u for u in outs if u.kind in types]
    return fetch_outputs(
        repo,
        outs,
        remote=remote,
        jobs=jobs,
        run_cache=run_cache,
        progress=progress,
        unrecorded=[] if types else unrecorded_imports(repo, targets),
    )


def fetch_outputs(
    repo: Repo,
    outs: list[used.UsedOutput],
    *,
    remote: str | None = None,
    jobs: int | None = None,
    run_cache: bool = False,
    progress: Progress = NULL,
    unrecorded: list[Tracked] | None = None,
) -> TransferResult:
    """Download the objects of ``outs`` that the cache lacks (repository imports from their
    source; with ``run_cache``, also the remote's run-cache entries and their objects), and
    the data of ``unrecorded`` imports (``import --no-download``)."""
    result = TransferResult()
    failed: dict[str, str] = {}
    if unrecorded:
        from trail.ops.fetch_imports import fetch_unrecorded

        result.unrecorded = fetch_unrecorded(
            repo, unrecorded, jobs=jobs, progress=progress, result=result, failed=failed
        )
    imported = [u for u in outs if u.imported]
    if imported:  # from their source repositories, first: they need no remote of ours
        from trail.ops.fetch_imports import fetch_imports

        fetch_imports(repo, imported, jobs=jobs, progress=progress, result=result, failed=failed)
    for name, group in group_by_remote([u for u in outs if not u.imported], remote).items():
        store = open_remote(repo.config, name)
        result.remotes.append(store.name)
        store.fs.check()
        _fetch_one(repo, store, group, jobs or default_jobs(store), progress, result, failed)
    if run_cache:
        _fetch_runs(repo, remote, jobs, progress, result, failed)
    if failed:
        if NO_SPACE in failed.values():  # running it again will not help: say what will
            from trail.errors import DiskFullError

            raise DiskFullError(repo.cache_dir)
        raise TransferError("fetch", failed)
    return result


def _fetch_runs(
    repo: Repo,
    remote: str | None,
    jobs: int | None,
    progress: Progress,
    result: TransferResult,
    failed: dict[str, str],
) -> None:
    """Entries the cache lacks, then the objects entries record that the remote holds."""
    from trail.ops import runcache_transfer as rc
    from trail.remote.store import present

    store = open_remote(repo.config, remote)
    store.fs.check()
    jobs = jobs or default_jobs(store)
    local = rc.local_entries(repo)
    done, bad = rc.receive(store, repo, sorted(rc.remote_entries(store) - local.keys()))
    result.transferred += done
    failed.update(bad)
    entries = rc.read_local(rc.local_entries(repo))
    oids = {o for e in entries for o in rc.entry_oids(e.text, e.rel)}
    there = present(store, {o for o in oids if not repo.odb.exists(o)}, jobs)
    _fetch_one(repo, store, rc.as_used(there), jobs, progress, result, failed)


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


@locked
def pull(
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
    force: bool = False,
    progress: Progress = NULL,
    scope: Scope | None = None,
    allow_missing: bool = False,
) -> TransferResult:
    """Fetch, then check out; what did arrive is checked out even when some objects failed.
    With ``allow_missing``, objects neither the cache nor the remote has are not an error:
    they are listed in ``missing`` and the rest is checked out."""
    from trail.errors import CheckoutError
    from trail.ops.checkout import checkout
    from trail.ops.targets import DEFAULT_SCOPE

    scope = scope or DEFAULT_SCOPE

    def place() -> Changes:
        return checkout(
            repo,
            targets,
            force=force,
            progress=progress,
            scope=scope,
            allow_missing=allow_missing,
        )

    missing: dict[str, str] = {}
    try:
        result = fetch(
            repo,
            targets,
            remote=remote,
            jobs=jobs,
            all_branches=all_branches,
            all_tags=all_tags,
            all_commits=all_commits,
            all_experiments=all_experiments,
            run_cache=run_cache,
            progress=progress,
            scope=scope,
        )
    except TransferError as exc:
        if not (allow_missing and all(_absent(why) for why in exc.failures.values())):
            with contextlib.suppress(CheckoutError):  # the transfer error names what lacks
                place()
            raise
        result, missing = TransferResult(), exc.failures
    except RemoteConfigError:
        with contextlib.suppress(CheckoutError):
            place()
        raise
    result.missing = missing
    result.changes = place()
    if result.unrecorded:
        _checkout_unrecorded(repo, result, force, progress)
    return result


def _absent(why: str) -> bool:
    return why in ("not on the remote", "missing from the local cache")


def _checkout_unrecorded(
    repo: Repo, result: TransferResult, force: bool, progress: Progress
) -> None:
    """Imports without a hash yet: their fetched data goes to the workspace (as ``dvc pull``
    does; the pointer file is left alone, so ``status`` shows them modified until
    ``update``)."""
    from trail.ops.common import checkout_context
    from trail.workspace.checkout import checkout_dir, checkout_file

    ctx = checkout_context(repo, force=force, progress=progress)
    assert result.changes is not None
    for relpath, built in sorted(result.unrecorded.items()):
        if built.oid.is_tree:
            checkout_dir(ctx, relpath, built.oid, result.changes)
        else:
            checkout_file(ctx, relpath, built.oid, built.meta.isexec, result.changes)
