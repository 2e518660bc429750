"""``trail gc``: remove cache objects that no kept revision needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trail.errors import UsageError
from trail.ops import used
from trail.ops.locking import locked
from trail.repo import Repo
from trail.types import Oid

if TYPE_CHECKING:
    from trail.remote.store import RemoteStore

ALGOS = ("blake3", "md5", "md5-dos2unix")


@dataclass
class GcPlan:
    keep: set[Oid] = field(default_factory=set)
    remove: list[Oid] = field(default_factory=list)
    revisions: int = 0
    unreadable: set[Oid] = field(default_factory=set)  # kept manifests not in the cache

    def size(self, repo: Repo) -> int:
        import os

        total = 0
        for oid in self.remove:
            try:
                total += os.path.getsize(repo.odb.path(oid))
            except OSError:
                pass
        return total


@locked
def plan(
    repo: Repo,
    *,
    workspace: bool = False,
    all_branches: bool = False,
    all_tags: bool = False,
    all_commits: bool = False,
    all_experiments: bool = False,
    rev: str | None = None,
    num: int = 1,
    date: str | None = None,
    skip_failed: bool = False,
) -> GcPlan:
    """What to remove: objects that none of the kept revisions needs — the workspace, every
    branch, tag, commit or experiment, ``rev`` and the ``num - 1`` commits before it, the
    commits since ``date`` (YYYY-MM-DD). ``skip_failed`` passes over revisions that cannot
    be read (a broken pointer or lock file) instead of failing."""
    if not (workspace or all_branches or all_tags or all_commits or all_experiments or rev or date):
        raise UsageError(
            "say what to keep: -w (workspace), -a (all branches), -T (all tags), "
            "--all-commits, --all-experiments, --rev or --date"
        )
    if num < 1:
        raise UsageError("-n/--num must be at least 1")
    result = GcPlan()
    revs = used.revisions(
        repo,
        all_branches=all_branches,
        all_tags=all_tags,
        all_commits=all_commits,
        all_experiments=all_experiments,
    )
    revs = sorted(set(revs) | set(_since(repo, rev, num, date)))
    outs = _used(repo, revs, skip_failed)  # the workspace is always kept
    result.keep, result.unreadable = used.closure(repo, [u for u in outs if not u.imported])
    # Imports come back from their source, not from a remote: nothing to guard there.
    result.keep |= used.closure(repo, [u for u in outs if u.imported])[0]
    result.revisions = len(revs)
    for algo in ALGOS:
        result.remove.extend(o for o in repo.odb.iter_oids(algo) if o not in result.keep)
    return result


def _since(repo: Repo, rev: str | None, num: int, date: str | None) -> list[str]:
    """``rev`` and the ``num - 1`` commits before it; the commits since ``date``."""
    if rev is None and date is None:
        return []
    if repo.scm is None:
        raise UsageError("--rev and --date need Git, and this repository has none")
    found: list[str] = []
    if rev is not None:
        sha = repo.scm.resolve(rev)
        found += repo.scm.run("rev-list", "-n", str(num), sha).split()
    if date is not None:
        import datetime as dt

        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise UsageError(f"--date {date!r}: use YYYY-MM-DD") from None
        out = repo.scm.run("rev-list", "--exclude=refs/exps/*", "--all", f"--since={date}")
        found += out.split()
    return found


def _used(repo: Repo, revs: list[str], skip_failed: bool) -> list[used.UsedOutput]:
    if not skip_failed:
        return used.used_outputs(repo, revs=revs, every_lock_object=True)
    from trail.errors import TrailError

    found = used.used_outputs(repo, revs=[], workspace=True, every_lock_object=True)
    for one in revs:
        try:
            found += used.used_outputs(repo, revs=[one], workspace=False, every_lock_object=True)
        except TrailError:
            continue  # --skip-failed: a revision that cannot be read keeps nothing
    return found


@locked
def drop_pushed(repo: Repo, gc_plan: GcPlan, remote: str | None, jobs: int | None) -> int:
    """``--not-in-remote``, as DVC: of the data the kept revisions use, keep only what the
    remote lacks — what it has can come back with ``pull``. Returns how many objects more
    are removed for it."""
    from trail.errors import RemoteNotFoundError
    from trail.remote.open import open_remote
    from trail.remote.store import present
    from trail.remote.transfer import default_jobs

    store = open_remote(repo.config, remote)
    try:
        store.fs.check()
        there = present(store, set(gc_plan.keep), jobs or default_jobs(store))
    except RemoteNotFoundError:
        there = set()  # nothing pushed yet: everything used stays
    gone = [o for o in sorted(there, key=str) if repo.odb.exists(o)]
    gc_plan.keep -= there
    gc_plan.remove.extend(gone)
    return len(gone)


@locked
def apply(repo: Repo, gc_plan: GcPlan) -> int:
    from trail.parallel import bounded_map

    # An unlink waits on the file system's journal: several at once take a third of the time.
    list(bounded_map(repo.odb.remove, gc_plan.remove, 8))
    repo.state.forget_trees()
    for algo in ALGOS:
        repo.odb.clean_tmp(algo)
    return len(gc_plan.remove)


@dataclass
class RemoteGcPlan:
    """Objects on a remote that no kept revision needs."""

    remote: str
    url: str
    remove: list[Oid] = field(default_factory=list)


@locked
def plan_remote(repo: Repo, gc_plan: GcPlan, remote: str | None) -> RemoteGcPlan:
    from trail.remote.open import open_remote

    store = open_remote(repo.config, remote)
    store.fs.check()
    if not store.fs.can_list:
        from trail.errors import RemoteReadOnlyError

        raise RemoteReadOnlyError(store.url)
    keep = gc_plan.keep | _listed_by_remote_manifests(store, gc_plan.unreadable)
    stale = sorted((o for o in store.iter_oids() if o not in keep), key=str)
    return RemoteGcPlan(store.name, store.url, stale)


def _listed_by_remote_manifests(store: RemoteStore, trees: set[Oid]) -> set[Oid]:
    """Files that kept directories list, read from the remote's copy of their manifests: a
    manifest missing from the cache must never let its files be deleted from the remote."""
    from trail import hashing, manifest
    from trail.errors import TrailError
    from trail.remote.store import object_path

    found: set[Oid] = set()
    lost = []
    for oid in sorted(trees, key=str):
        try:
            data = store.fs.read_bytes(object_path(oid))
        except FileNotFoundError:
            data = b""
        if hashing.get(oid.algo).hash_bytes(data) != oid.hex:
            lost.append(str(oid))
            continue
        found.update(e.oid for e in manifest.parse(data, oid.algo, object_path(oid)))
    if lost:
        raise TrailError(
            f"gc -c stopped: the manifests of kept directories {', '.join(lost[:5])} are in "
            "neither the cache nor the remote, so the files they list cannot be told apart; "
            "nothing was removed"
        )
    return found


@locked
def apply_remote(repo: Repo, remote_plan: RemoteGcPlan, jobs: int | None = None) -> int:
    """Delete the planned objects; the gc marker is rewritten before and after, so every
    client's remote index of this remote is dropped (SPEC 11)."""
    from trail.parallel import bounded_map
    from trail.remote.open import open_remote
    from trail.remote.stale import clean_stale_temps
    from trail.remote.transfer import default_jobs

    store = open_remote(repo.config, remote_plan.remote)
    store.write_gc_marker()
    list(bounded_map(store.remove, remote_plan.remove, jobs or default_jobs(store)))
    clean_stale_temps(store)  # what killed pushes left, anywhere on a folder remote
    store.write_gc_marker()
    return len(remote_plan.remove)
