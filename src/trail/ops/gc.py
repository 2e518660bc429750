"""``trail gc``: remove cache objects that no kept revision needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from trail import manifest
from trail.errors import ObjectMissingError, TrailError, UsageError
from trail.index import collect, collect_at, outputs
from trail.pointer import PointerFile
from trail.repo import Repo
from trail.types import Oid

ALGOS = ("blake3", "md5", "md5-dos2unix")


@dataclass
class GcPlan:
    keep: set[Oid] = field(default_factory=set)
    remove: list[Oid] = field(default_factory=list)
    revisions: int = 0

    def size(self, repo: Repo) -> int:
        import os

        total = 0
        for oid in self.remove:
            try:
                total += os.path.getsize(repo.odb.path(oid))
            except OSError:
                pass
        return total


def _used(repo: Repo, pfs: list[PointerFile], keep: set[Oid], more: set[Oid]) -> None:
    """Keep the outs of ``pfs`` and the objects in ``more`` (lock-file outs), with dir contents."""
    for oid in [t.out.oid for t in outputs(pfs)] + sorted(more, key=str):
        if oid is None or oid in keep:
            continue
        keep.add(oid)
        if oid.is_tree:
            try:
                data = repo.odb.read_bytes(oid)
            except ObjectMissingError:
                continue
            keep.update(e.oid for e in manifest.parse(data, oid.algo, repo.odb.path(oid)))


def plan(
    repo: Repo,
    *,
    workspace: bool = False,
    all_branches: bool = False,
    all_tags: bool = False,
    all_commits: bool = False,
) -> GcPlan:
    if not (workspace or all_branches or all_tags or all_commits):
        raise UsageError(
            "say what to keep: -w (workspace), -a (all branches), -T (all tags) or --all-commits"
        )
    result = GcPlan()
    from trail.pipeline.used import lock_oids, lock_oids_at

    _used(repo, collect(repo), result.keep, lock_oids(repo))
    revs: set[str] = set()
    if all_branches or all_tags or all_commits:
        if repo.scm is None:
            raise TrailError("-a, -T and --all-commits need Git, and this repository has none")
        if all_branches:
            revs.update(repo.scm.refs("refs/heads/"))
        if all_tags:
            revs.update(repo.scm.refs("refs/tags/"))
        if all_commits:
            revs.update(repo.scm.all_commits())
    for rev in sorted(revs):
        _used(repo, collect_at(repo, rev), result.keep, lock_oids_at(repo, rev))
    result.revisions = len(revs)
    for algo in ALGOS:
        result.remove.extend(o for o in repo.odb.iter_oids(algo) if o not in result.keep)
    return result


def apply(repo: Repo, gc_plan: GcPlan) -> int:
    for oid in gc_plan.remove:
        repo.odb.remove(oid)
    repo.state.forget_trees()
    for algo in ALGOS:
        repo.odb.clean_tmp(algo)
    return len(gc_plan.remove)
