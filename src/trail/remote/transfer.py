"""Moving objects between the cache and a remote: batched, retried, verified, all-or-listed.

Uploads send files before the manifests that list them, so a manifest on a remote means its
files are there too. Downloads are hashed before they take their name in the cache: the cache
never holds a corrupt or partial object. How a batch of objects travels is a mover's business;
this module orders batches, counts them for the progress bar, keeps the remote's index and
collects failures. A mover is two functions over a whole batch, each yielding a ``Moved`` per
object as it finishes and reporting to ``progress``::

    send(store, [(oid, cache path, size), …], *, jobs, progress) -> Iterator[Moved]
    receive(store, [oid, …], odb, *, jobs, progress, label) -> Iterator[Moved]

``trail.remote.loose`` moves one object per request; a pack mover (many objects per request,
byte-range reads) fits the same shape, on the same ``FileSystem.run`` ops (``Write``/``Read``).
What every mover keeps to (the tests of ``tests/unit/test_remote.py`` hold ``loose`` to it):

- one object's failure is a ``Moved(oid, error=…)``, never an exception; the batch goes on;
- ``progress.advance(1, nbytes)`` once per object that moved (bytes already streamed through
  ``on_bytes`` are not counted twice);
- a download is hashed before it takes its name in ``odb``; an upload never shows part of an
  object under its name (a single PUT, or a temp name then a rename);
- an interrupt (``KeyboardInterrupt``, the caller closing the iterator) propagates, and the
  mover's temp files, local or remote, are gone when it has.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from trail.odb.local import LocalODB
from trail.oidstr import format_oid
from trail.progress import NULL, Progress
from trail.remote import loose
from trail.remote.index import RemoteIndex
from trail.remote.store import Moved, RemoteStore
from trail.types import Oid


def default_jobs(store: RemoteStore | None = None) -> int:
    """Requests in flight: 4 × cores for network remotes, whose transfers mostly wait, or more
    where the backend says so (an object store: its event loop holds a request for the price
    of a coroutine, and the store serves them in parallel); one per core for a folder, where
    more threads only fight over the GIL and the directories."""
    cores = os.cpu_count() or 1
    if store is not None and store.fs.local_path("") is not None:
        return cores
    wide: int = getattr(store.fs, "jobs", 0) if store is not None else 0
    return max(wide, 4 * cores)


@dataclass
class Transfer:
    """What one transfer did; ``failed`` maps an object to the reason it did not move."""

    done: list[Oid] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    nbytes: int = 0

    def record(self, moved: Iterable[Moved]) -> None:
        for m in moved:
            if m.error is None:
                self.done.append(m.oid)
                self.nbytes += m.nbytes
            else:
                self.failed[format_oid(m.oid)] = _reason(m.error)


def _reason(exc: BaseException) -> str:
    """A short reason for the failure list (the full error of each would repeat itself)."""
    import errno

    from trail.errors import DiskFullError, RemoteError

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
    batch = [(o, odb.path(o), _size(odb.path(o))) for o in oids]
    progress.start(f"Pushing to {store.name}", len(batch), sum(n for _o, _p, n in batch))
    try:
        blobs = [b for b in batch if not b[0].is_tree]
        trees = [b for b in batch if b[0].is_tree]
        result.record(loose.send(store, blobs, jobs=jobs, progress=progress))
        if index is not None:
            index.add(result.done)
        if result.failed:
            # A manifest on a remote promises its files: it waits until they all arrived.
            for t, _path, _n in trees:
                result.failed[format_oid(t)] = "held back: some files failed to upload"
        else:
            result.record(loose.send(store, trees, jobs=jobs, progress=progress))
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
    what = f"{label} from {store.name}"
    progress.start(what, len(oids), None)
    try:
        moved = loose.receive(store, oids, odb, jobs=jobs, progress=progress, label=what)
        result.record(moved)
    finally:
        progress.finish()
    return result


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
