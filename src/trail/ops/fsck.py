"""``trail fsck``: verify every cached object against its hash; quarantine corrupt ones."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from trail import manifest
from trail.errors import TrailError
from trail.ops.gc import ALGOS
from trail.ops.locking import locked
from trail.parallel import bounded_map
from trail.progress import NULL, Progress
from trail.repo import Repo
from trail.types import Oid


@dataclass
class FsckResult:
    checked: int = 0
    corrupt: list[tuple[str, str, str]] = field(default_factory=list)  # path, expected, actual
    quarantined: list[str] = field(default_factory=list)
    temp_removed: int = 0


def _check(repo: Repo, oid: Oid) -> str | None:
    """The actual hash if the object is corrupt, else None."""
    try:
        actual = repo.odb.verify(oid)
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    if actual != oid.hex:
        return actual
    if oid.is_tree:
        try:
            manifest.parse(repo.odb.read_bytes(oid), oid.algo, repo.odb.path(oid))
        except TrailError:
            return "not a valid manifest"
    return None


@locked
def fsck(repo: Repo, *, quarantine: bool = True, progress: Progress = NULL) -> FsckResult:
    result = FsckResult()
    oids = [o for algo in ALGOS for o in repo.odb.iter_oids(algo)]
    progress.start("verifying cache", len(oids))

    def one(oid: Oid) -> tuple[Oid, str | None]:
        bad = _check(repo, oid)
        progress.advance(1)
        return oid, bad

    for oid, bad in bounded_map(one, oids, 4):
        result.checked += 1
        if bad is not None:
            path = repo.odb.path(oid)
            result.corrupt.append((path, manifest.format_oid(oid), bad))
            if quarantine:
                result.quarantined.append(_quarantine(repo, oid))
    progress.finish()
    if result.corrupt:
        repo.state.forget_trees()
    for algo in ALGOS:
        result.temp_removed += repo.odb.clean_tmp(algo)
    return result


def _quarantine(repo: Repo, oid: Oid) -> str:
    dest_dir = os.path.join(repo.private_dir, "quarantine", oid.algo)
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, manifest.format_oid(oid))
    repo.odb.take_out(oid, dest)
    return dest
