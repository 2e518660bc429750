"""Moving objects between the cache and a remote: parallel, retried, verified, all-or-listed.

Uploads send files before the manifests that list them, so a manifest on a remote means its
files are there too. Downloads land in a temp file beside their final place in the cache, are
hashed, and only then renamed in: the cache never holds a corrupt or partial object.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from trail.errors import RemoteError, RemoteUnreachableError, TrailError
from trail.odb.local import LocalODB
from trail.oidstr import format_oid
from trail.progress import NULL, Progress
from trail.remote.index import RemoteIndex
from trail.remote.store import RemoteStore
from trail.types import Oid

RETRIES = 3
BACKOFF = 0.25  # seconds, doubled on each retry
GIVE_UP_AFTER = 8  # consecutive unreachable errors: the remote is down, stop trying the rest
SMALL = 1 << 20  # objects up to this size move through memory when the backend allows


def default_jobs(store: RemoteStore | None = None) -> int:
    """4 × cores for network remotes, whose transfers mostly wait; one per core for a folder,
    where more threads only fight over the GIL and the directories."""
    cores = os.cpu_count() or 1
    if store is not None and store.fs.local_path("") is not None:
        return cores
    return 4 * cores


@dataclass
class Transfer:
    """What one transfer did; ``failed`` maps an object to the reason it did not move."""

    done: list[Oid] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    nbytes: int = 0


class _Breaker:
    """Counts consecutive 'unreachable' failures across threads."""

    def __init__(self) -> None:
        self.streak = 0
        self.lock = threading.Lock()

    def record(self, ok: bool) -> None:
        with self.lock:
            self.streak = 0 if ok else self.streak + 1

    @property
    def open(self) -> bool:
        return self.streak >= GIVE_UP_AFTER


def _retrying(fn: Callable[[], int], breaker: _Breaker, url: str) -> int:
    for attempt in range(RETRIES):
        if breaker.open:
            raise RemoteUnreachableError(url, "gave up after repeated connection errors")
        try:
            result = fn()
        except (RemoteUnreachableError, ConnectionError, TimeoutError):
            breaker.record(False)
            if attempt == RETRIES - 1:
                raise
            time.sleep(BACKOFF * 2**attempt)
        else:
            breaker.record(True)
            return result
    raise AssertionError("unreachable")


def _run(
    url: str,
    items: Sequence[Oid],
    work: Callable[[Oid], int],
    jobs: int,
    progress: Progress,
    result: Transfer,
) -> None:
    """Run ``work`` on every item in a pool; failures are collected, never raised."""
    breaker = _Breaker()
    lock = threading.Lock()

    def one(oid: Oid) -> None:
        try:
            n = _retrying(lambda: work(oid), breaker, url)
        except (TrailError, OSError) as exc:
            with lock:
                result.failed[format_oid(oid)] = _reason(exc)
            return
        with lock:
            result.done.append(oid)
            result.nbytes += n
        progress.advance(1, n)

    from trail.parallel import bounded_map

    for _ in bounded_map(one, items, jobs):
        pass


def _reason(exc: BaseException) -> str:
    """A short reason for the failure list (the full error of each would repeat itself)."""
    import errno

    from trail.errors import DiskFullError

    if isinstance(exc, DiskFullError) or getattr(exc, "errno", None) == errno.ENOSPC:
        return "no space left on device"
    if isinstance(exc, FileNotFoundError):
        return "not on the remote"
    if isinstance(exc, OSError) and not isinstance(exc, RemoteError):
        return exc.strerror or str(exc)
    return str(exc)


def upload(
    store: RemoteStore,
    odb: LocalODB,
    oids: Sequence[Oid],
    *,
    jobs: int,
    progress: Progress = NULL,
    index: RemoteIndex | None = None,
) -> Transfer:
    """Send ``oids`` (all present in ``odb``) to the remote: files first, then manifests."""
    result = Transfer()
    # Bytes matter to a progress bar only for one big object; many are counted by number.
    total = _size(odb.path(oids[0])) if len(oids) == 1 else None
    progress.start(f"Pushing to {store.name}", len(oids), total)

    def work(oid: Oid) -> int:
        local = odb.path(oid)
        if not store.link_up(oid, local):
            store.upload(oid, local)
        return _size(local)

    try:
        blobs = [o for o in oids if not o.is_tree]
        trees = [o for o in oids if o.is_tree]
        _run(store.url, blobs, work, jobs, progress, result)
        if index is not None:
            index.add(result.done)
        if result.failed:
            # A manifest on a remote promises its files: it waits until they all arrived.
            for t in trees:
                result.failed[format_oid(t)] = "held back: some files failed to upload"
        else:
            _run(store.url, trees, work, jobs, progress, result)
        if index is not None:
            index.add(o for o in result.done if o.is_tree)
    finally:
        progress.finish()
    return result


def download(
    store: RemoteStore,
    odb: LocalODB,
    oids: Sequence[Oid],
    *,
    jobs: int,
    progress: Progress = NULL,
    label: str = "Fetching",
) -> Transfer:
    """Bring ``oids`` into the cache, each verified by hash before it gets its name."""
    result = Transfer()
    progress.start(f"{label} from {store.name}", len(oids), None)

    def work(oid: Oid) -> int:
        dst = odb.path(oid)
        # A folder remote on this file system: a hard link once the bytes hash right.
        linked = store.link_down(oid, dst)
        if linked is not None:
            return linked
        # Small objects of a folder remote: one read, hashed in memory, one write.
        data = store.read_small(oid, SMALL)
        if data is not None:
            odb.add_bytes(oid, data)
            return len(data)
        return odb.add_written(oid, lambda tmp: store.download(oid, tmp))

    try:
        _run(store.url, list(oids), work, jobs, progress, result)
    finally:
        progress.finish()
    return result


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
