"""``trail status -c``: what the cache and a remote each hold, always asking the remote."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from trail import hashing, manifest
from trail.errors import ObjectMissingError
from trail.ops import used
from trail.ops.push import group_by_remote
from trail.paths import is_inside
from trail.remote.open import open_remote
from trail.remote.store import RemoteStore, object_path, present
from trail.remote.transfer import default_jobs
from trail.repo import Repo
from trail.types import Oid


@dataclass
class CloudStatus:
    """Path → ``new`` (only in the cache), ``deleted`` (only on the remote) or ``missing``
    (in neither); paths in sync are left out. DVC's words."""

    changes: dict[str, str] = field(default_factory=dict)
    remotes: list[str] = field(default_factory=list)


def cloud_status(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    remote: str | None = None,
    jobs: int | None = None,
    revs: Sequence[str] = (),
) -> CloudStatus:
    result = CloudStatus()
    outs = [u for u in used.used_outputs(repo, targets, revs=revs) if not u.imported]
    for name, group in group_by_remote(outs, remote).items():
        store = open_remote(repo.config, name)
        store.fs.check()
        result.remotes.append(store.name)
        paths = _paths(repo, store, group)
        there = present(store, {o for _, o in paths}, jobs or default_jobs(store))
        for path, oid in paths:
            local, remote_has = repo.odb.exists(oid), oid in there
            if local != remote_has:
                result.changes[path] = "new" if local else "deleted"
            elif not local:
                result.changes[path] = "missing"
    result.changes = dict(sorted(result.changes.items()))
    return result


def _paths(repo: Repo, store: RemoteStore, group: list[used.UsedOutput]) -> list[tuple[str, Oid]]:
    """Every (path, object) the outputs need; a directory's files come from its manifest,
    read from the cache or else from the remote (verified, not stored)."""
    found: list[tuple[str, Oid]] = []
    for u in group:
        found.append((u.relpath, u.oid))
        if not u.oid.is_tree:
            continue
        data = _manifest(repo, store, u.oid)
        if data is None:
            continue
        for e in manifest.parse(data, u.oid.algo, object_path(u.oid)):
            if u.subpath is None or e.relpath == u.subpath or is_inside(e.relpath, u.subpath):
                found.append((f"{u.relpath}/{e.relpath}", e.oid))
    return found


def _manifest(repo: Repo, store: RemoteStore, oid: Oid) -> bytes | None:
    try:
        return repo.odb.read_bytes(oid)
    except ObjectMissingError:
        pass
    try:
        data = store.fs.read_bytes(object_path(oid))
    except FileNotFoundError:
        return None
    return data if hashing.get(oid.algo).hash_bytes(data) == oid.hex else None
