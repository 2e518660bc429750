"""A worker's objects: its own cache, filled from the remote and sent back to it.

The cache outlives the tasks (``$TRAIL_WORKER_DIR/cache``, else ``<tmp>/trail-worker-<uid>``),
so a big dep used by several stages crosses the network once per machine, not once per stage.
Two tasks needing the same object at once download it once: each object is fetched under a
file lock of its own (threads and processes of the machine alike). Every download is verified
by hash before it gets its name, as in ``trail fetch``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator

from trail import manifest
from trail.errors import LockError, RemoteError
from trail.executors.task import RemoteSpec
from trail.odb.local import LocalODB
from trail.remote.store import RemoteStore, present
from trail.remote.transfer import default_jobs, download, upload
from trail.types import Oid

DIR_ENV = "TRAIL_WORKER_DIR"

_stores: dict[str, RemoteStore] = {}
_stores_lock = threading.Lock()


def worker_dir() -> str:
    base = os.environ.get(DIR_ENV) or os.path.join(
        tempfile.gettempdir(), f"trail-worker-{os.getuid()}"
    )
    os.makedirs(base, exist_ok=True)
    return base


def worker_cache() -> LocalODB:
    return LocalODB(os.path.join(worker_dir(), "cache"))


def open_store(spec: RemoteSpec) -> RemoteStore:
    """The remote, opened once per worker process (a client per task would cost a handshake)."""
    from trail.fs.open import open_fs

    key = repr((spec.url, sorted(spec.options.items())))
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            # Never hard-link with a folder remote: a command changing a dep in place would
            # change the remote's copy too.
            store = RemoteStore(spec.name, open_fs(spec.url, spec.options), share_inodes=False)
            _stores[key] = store
        return store


@contextlib.contextmanager
def _object_locks(odb: LocalODB, oids: Iterable[Oid]) -> Iterator[None]:
    from trail.lock import holding

    folder = os.path.join(odb.root, "locks")
    names = {hashlib.sha256(str(oid).encode()).hexdigest()[:32] for oid in oids}
    with holding([os.path.join(folder, n) for n in names], None, LockError):
        yield


def fetch(store: RemoteStore, odb: LocalODB, oids: Iterable[Oid]) -> tuple[int, int]:
    """Bring ``oids`` (and the files their manifests list) into the worker's cache; returns
    how many objects and bytes were downloaded."""
    wanted = set(oids)
    n, nbytes = _fetch_flat(store, odb, {o for o in wanted if o.is_tree})
    files = {o for o in wanted if not o.is_tree}
    for tree in (o for o in wanted if o.is_tree):
        files.update(e.oid for e in manifest.parse(odb.read_bytes(tree), tree.algo, str(tree)))
    more, more_bytes = _fetch_flat(store, odb, files)
    return n + more, nbytes + more_bytes


def _fetch_flat(store: RemoteStore, odb: LocalODB, oids: set[Oid]) -> tuple[int, int]:
    missing = {o for o in oids if not odb.exists(o)}
    if not missing:
        return 0, 0
    with _object_locks(odb, missing):
        missing = {o for o in missing if not odb.exists(o)}  # another task got them meanwhile
        moved = download(store, odb, sorted(missing, key=str), jobs=default_jobs(store))
    if moved.failed:
        name, why = next(iter(moved.failed.items()))
        raise RemoteError(
            f"the worker could not fetch {len(moved.failed)} object(s) from {store.url} "
            f"(first: {name}: {why})"
        )
    return len(moved.done), moved.nbytes


def push(store: RemoteStore, odb: LocalODB, oids: Iterable[Oid]) -> int:
    """Send objects (with the files of their manifests) the remote lacks; files before
    manifests, as ``trail push`` does. Idempotent: an object already there is not sent."""
    needed = set(oids)
    for tree in [o for o in needed if o.is_tree]:
        needed.update(e.oid for e in manifest.parse(odb.read_bytes(tree), tree.algo, str(tree)))
    jobs = default_jobs(store)
    todo = needed - present(store, needed, jobs)
    moved = upload(store, odb, sorted(todo, key=str), jobs=jobs)
    if moved.failed:
        name, why = next(iter(moved.failed.items()))
        raise RemoteError(
            f"the worker could not push {len(moved.failed)} object(s) to {store.url} "
            f"(first: {name}: {why})"
        )
    return len(moved.done)
