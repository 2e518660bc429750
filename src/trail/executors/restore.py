"""Results coming back to the workspace: from the run-cache (the local one, then the remote's)
or from a worker, fetched from the remote and checked out as a local run leaves them."""

from __future__ import annotations

import os
from collections.abc import Sequence

from trail.errors import TrailError
from trail.pipeline import runcache
from trail.pipeline.lockfile import LockEntry
from trail.pipeline.model import Stage
from trail.repo import Repo
from trail.types import Oid


def from_run_cache(
    repo: Repo, stage: Stage, inputs: LockEntry, changed: list[str], remote: str
) -> LockEntry | None:
    """Restore a past run with these inputs: from the local run-cache, else from the remote's
    (its entries and their outputs fetched first); None when neither has one."""
    entry = _restore_local(repo, stage, inputs, changed)
    if entry is not None:
        return entry
    if not _fetch_remote_entries(repo, inputs, remote):
        return None
    return _restore_local(repo, stage, inputs, changed)


def _restore_local(
    repo: Repo, stage: Stage, inputs: LockEntry, changed: list[str]
) -> LockEntry | None:
    from trail.pipeline.changes import in_cache

    for entry in runcache.candidates(repo.cache_dir, inputs):
        oids = [o.oid for o in entry.outs]
        if all(oid is not None and in_cache(repo, oid) for oid in oids):
            by_decl = {o.declared: o for o in stage.outs}
            placed = []
            for item in entry.outs:
                assert item.oid is not None
                placed.append((by_decl[item.path].path, item.oid, item.meta.isexec))
            _place(repo, stage, placed, changed)
            return LockEntry(stage.raw_cmd, inputs.deps, inputs.params, entry.outs)
    return None


def _fetch_remote_entries(repo: Repo, inputs: LockEntry, remote: str) -> bool:
    """Bring the remote's run-cache entries for these inputs, and the outputs they record,
    into the cache; whether any entry came."""
    from trail.errors import TransferError
    from trail.ops import runcache_transfer as rc
    from trail.ops.fetch import fetch_outputs
    from trail.remote.open import open_remote

    key = runcache.key_of(inputs)
    folder = f"{rc.RUNS}/{key[:2]}/{key}"
    store = open_remote(repo.config, remote)
    try:
        names = list(store.fs.walk_files(folder))
    except (TrailError, OSError):
        return False  # a remote that cannot be listed: the stage simply runs
    rels = [f"{folder}/{n}" for n in names if "/" not in n]
    if not rels:
        return False
    local = rc.local_entries(repo)
    rc.receive(store, repo, [r for r in rels if r not in local])  # unsound ones are refused
    oids: set[Oid] = set()
    for e in rc.read_local(rc.local_entries(repo)):
        if e.rel in rels:
            oids |= rc.entry_oids(e.text, e.rel)
    try:
        fetch_outputs(repo, rc.as_used(oids), remote=remote)
    except TransferError:
        pass  # an entry whose outputs are gone from the remote is not used
    return True


def fetch_and_checkout(
    repo: Repo,
    stage: Stage,
    outs: Sequence[tuple[str, Oid, bool]],
    remote: str,
    changed: list[str],
) -> None:
    """Fetch a worker's outputs (repo path, object, exec bit) and put them in the workspace."""
    from trail.ops.fetch import fetch_outputs
    from trail.ops.used import UsedOutput

    fetch_outputs(repo, [UsedOutput(p, oid) for p, oid, _x in outs], remote=remote)
    _place(repo, stage, outs, changed)


def _place(
    repo: Repo, stage: Stage, outs: Sequence[tuple[str, Oid, bool]], changed: list[str]
) -> None:
    """Replace the stage's (non-persist) outputs by these objects, git-ignoring cached ones."""
    from trail.fsutil import remove_tree, unlink_missing_ok
    from trail.ops.common import checkout_context
    from trail.workspace.checkout import Changes, checkout_dir, checkout_file

    by_path = {o.path: o for o in stage.outs}
    ctx = checkout_context(repo, force=True)
    for path, oid, isexec in outs:
        full = repo.path(path)
        if not by_path[path].persist:
            if os.path.isdir(full) and not os.path.islink(full):
                remove_tree(full)
            else:
                unlink_missing_ok(full)
        if oid.is_tree:
            checkout_dir(ctx, path, oid, Changes())
        else:
            checkout_file(ctx, path, oid, isexec, Changes())
        if by_path[path].cache:
            _ignore(repo, path, changed)


def _ignore(repo: Repo, relpath: str, changed: list[str]) -> None:
    from trail.pipeline.scheduler import output_locks
    from trail.workspace import gitignore

    if repo.scm is None:
        return
    with output_locks(repo.private_dir, ["\0.gitignore"], 60.0):  # as the local runner does
        path = gitignore.ignore(repo.root, relpath)
    if path and path not in changed:
        changed.append(path)


def save_run(repo: Repo, entry: LockEntry, remote: str) -> None:
    """Record the run in the local run-cache and on the remote (whose objects the worker
    already pushed), so the next client with these inputs restores it."""
    from trail.ops import runcache_transfer as rc
    from trail.remote.open import open_remote

    path = runcache.save(repo.cache_dir, entry)
    rel = os.path.relpath(path, repo.cache_dir).replace(os.sep, "/")
    try:
        store = open_remote(repo.config, remote)
        if not store.fs.exists(rel):
            rc.send(store, repo, [rel], {rel: path})
    except (TrailError, OSError):
        pass  # the run is recorded here; the remote's copy only saves a later rerun
