"""The contracts ``repro`` checks around a stage: its deps before it runs, its outs after (by
the hashes the run recorded, so a stage run elsewhere is checked the same way). A broken rule
fails the stage with ``ContractViolation``; nothing of the run is recorded.

``ops.repro`` builds this only when ``trail.contracts.yaml`` exists: a repository without one
pays for a single ``stat``.
"""

from __future__ import annotations

from collections.abc import Iterable

from trail.paths import is_inside
from trail.pipeline.lockfile import LockEntry
from trail.pipeline.model import Stage
from trail.quality import contracts as cmod
from trail.quality.errors import ContractViolation, Violation
from trail.quality.repo import targets
from trail.quality.repo.check import check_one, load_contracts
from trail.repo import Repo
from trail.types import Oid


class ContractHook:
    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.contracts = load_contracts(repo)  # a malformed file stops repro before any run

    def _covering(self, path: str) -> list[cmod.Contract]:
        return [c for c in self.contracts if is_inside(c.path, path)]

    def before(self, stage: Stage, key: str) -> None:
        """Check the contracts of the stage's deps as they are in the workspace."""
        found: list[Violation] = []
        for dep in stage.deps:
            for contract in self._covering(dep.path):
                spec = targets.in_repo(self.repo, contract.path, None)
                found += check_one(self.repo, contract, spec)
        _raise(found, key)

    def after(self, stage: Stage, key: str, entry: LockEntry) -> None:
        """Check the contracts of the outs the run produced (by their recorded hashes)."""
        by_declared = {o.declared: o.path for o in stage.outs}
        found: list[Violation] = []
        for path, oid in _outs(entry, by_declared):
            for contract in self._covering(path):
                spec = targets.in_repo(self.repo, contract.path, None)
                inner = _inner(self.repo, oid, path, contract.path)
                found += check_one(self.repo, contract, spec, oid=inner)
        _raise(found, key)


def _outs(entry: LockEntry, by_declared: dict[str, str]) -> Iterable[tuple[str, Oid]]:
    for item in entry.outs:
        if item.oid is not None:
            yield by_declared.get(item.path, item.path), item.oid


def _inner(repo: Repo, oid: Oid, out_path: str, path: str) -> Oid | None:
    """The object of ``path`` inside the out ``out_path`` (None: read the workspace)."""
    if path == out_path:
        return oid
    return None


def _raise(found: list[Violation], key: str) -> None:
    if found:
        raise ContractViolation(found, stage=key)


def forget_run(cache_dir: str, entry: LockEntry) -> None:
    """Drop the run-cache record of a run whose outputs were refused."""
    import os

    from trail.fsutil import unlink_missing_ok
    from trail.pipeline.runcache import key_of, runs_dir, value_of

    key = key_of(entry)
    unlink_missing_ok(os.path.join(runs_dir(cache_dir), key[:2], key, value_of(entry)))
