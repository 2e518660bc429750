"""Objects moved one request each ("loose", as Git says, as opposed to packs).

A batch goes to the file system's runner at once (``FileSystem.run``): on S3, SSH or HTTP that
is one event loop with many requests in flight, not a thread per object. Downloads read small
objects into memory in one request, hash them there and write them once; bigger ones stream
into a temp file beside their place in the cache, are hashed, and only then renamed in. A folder
remote on the cache's file system keeps its own fast path: a hard link per object (after
hashing, for downloads), on one thread per core.

Both directions report each object to ``progress`` as it finishes and yield what became of it;
nothing raises for one object's failure.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from trail.errors import TrailError
from trail.fs.batch import Get, Put, Read, Retry, Stat, attempt
from trail.odb.local import LocalODB
from trail.progress import Progress, bytes_callback
from trail.remote.store import (
    SMALL,
    CorruptRemoteObjectError,
    Moved,
    RemoteStore,
    object_path,
)
from trail.types import Oid

Outgoing = tuple[Oid, str, int]  # an object, its file in the cache, its size
FEW = 32  # objects whose sizes are worth a request each before they are downloaded
T = TypeVar("T", Oid, Outgoing)


def send(
    store: RemoteStore, batch: Sequence[Outgoing], *, jobs: int, progress: Progress
) -> Iterator[Moved]:
    """Upload ``batch``; an object never appears on the remote in part."""
    if store.links:

        def one(item: Outgoing) -> int:
            oid, local, size = item
            if not store.link_up(oid, local):
                store.upload(oid, local)
            return size

        yield from _per_object(store, batch, one, jobs, progress)
        return
    sizes = {oid: size for oid, _local, size in batch}
    # Bytes are counted as they go only where a bar would show them (big objects).
    on_bytes = bytes_callback(progress) if _big(batch) else None
    ops = ((oid, Put(local, object_path(oid))) for oid, local, _size in batch)
    for done in store.fs.run(ops, jobs=jobs, on_bytes=on_bytes):
        if done.error is not None:
            yield Moved(done.tag, error=done.error)
            continue
        size = sizes[done.tag]
        progress.advance(1, max(0, size - done.streamed))
        yield Moved(done.tag, size)


def _big(batch: Sequence[Outgoing]) -> bool:
    return sum(size for _o, _l, size in batch) >= len(batch) * SMALL


def receive(
    store: RemoteStore,
    oids: Sequence[Oid],
    odb: LocalODB,
    *,
    jobs: int,
    progress: Progress,
    label: str,
) -> Iterator[Moved]:
    """Bring ``oids`` into ``odb``; each is hashed before it takes its name there. Objects
    found big are fetched last, under a progress bar of their own (``label``) in bytes."""
    if store.links:

        def fetch(oid: Oid) -> int:
            return _receive_linked(store, odb, oid)

        yield from _per_object(store, oids, fetch, jobs, progress)
        return
    big: list[Oid] = []
    if store.fs.ranged:
        yield from _receive_small(store, oids, odb, jobs, progress, big)
    else:
        big = list(oids)
    if big:
        yield from _receive_big(store, big, odb, jobs, progress, label)


def _receive_small(
    store: RemoteStore,
    oids: Sequence[Oid],
    odb: LocalODB,
    jobs: int,
    progress: Progress,
    big: list[Oid],
) -> Iterator[Moved]:
    """Read the first ``SMALL`` bytes of each object: whole objects go into the cache, and
    those that may be longer join ``big``."""
    ops = ((oid, Read(object_path(oid), 0, SMALL)) for oid in oids)
    for done in store.fs.run(ops, jobs=jobs):
        oid, data = done.tag, done.value
        if done.error is not None or data is None:
            yield Moved(oid, error=done.error)
            continue
        try:
            store.verify(oid, data)
            odb.add_bytes(oid, data)
        except CorruptRemoteObjectError as exc:
            if len(data) >= SMALL:
                big.append(oid)  # the first bytes of a bigger object
            else:
                yield Moved(oid, error=exc)
            continue
        except (TrailError, OSError) as exc:
            yield Moved(oid, error=exc)
            continue
        progress.advance(1, len(data))
        yield Moved(oid, len(data))


def _receive_big(
    store: RemoteStore,
    oids: Sequence[Oid],
    odb: LocalODB,
    jobs: int,
    progress: Progress,
    label: str,
) -> Iterator[Moved]:
    """Stream each object into a temp file beside its place in the cache, hash it, rename it.
    Their sizes are asked first (for a bar in bytes) where they are known to be big, or few."""
    total = _total_size(store, oids, jobs) if store.fs.ranged or len(oids) <= FEW else None
    if total is not None:
        progress.start(label, len(oids), total)
    on_bytes = bytes_callback(progress) if total is not None else None
    # The cache names each temp file (beside the object's place) and takes it in; the batch
    # only fills them.
    tmps = {oid: odb.temp_for(oid) for oid in oids}
    ops = ((oid, Get(object_path(oid), tmps[oid])) for oid in oids)
    try:
        for done in store.fs.run(ops, jobs=jobs, on_bytes=on_bytes):
            oid, tmp = done.tag, tmps.pop(done.tag)
            try:
                if done.error is not None:
                    raise done.error
                size = odb.add_written(oid, functools.partial(store.verify_file, oid), tmp=tmp)
            except (TrailError, OSError) as exc:
                _unlink(tmp)
                yield Moved(oid, error=exc)
                continue
            progress.advance(1, max(0, size - done.streamed))
            yield Moved(oid, size)
    finally:
        for tmp in tmps.values():  # interrupted: what had not finished
            _unlink(tmp)


def _total_size(store: RemoteStore, oids: Sequence[Oid], jobs: int) -> int | None:
    """The bytes of ``oids`` together (one cheap request each), or None if one is not known."""
    ops = ((oid, Stat(object_path(oid))) for oid in oids)
    sizes = [done.size for done in store.fs.run(ops, jobs=jobs)]
    return None if None in sizes else sum(s for s in sizes if s is not None)


def _receive_linked(store: RemoteStore, odb: LocalODB, oid: Oid) -> int:
    """One object from a folder remote: a hard link once its bytes hash right, else a copy."""
    dst = odb.path(oid)
    linked = store.link_down(oid, dst)
    if linked is not None:
        return linked
    data = store.read_small(oid, SMALL)
    if data is not None:
        odb.add_bytes(oid, data)
        return len(data)
    return odb.add_written(oid, lambda tmp: store.download(oid, tmp))


def _per_object(
    store: RemoteStore,
    items: Sequence[T],
    work: Callable[[T], int],
    jobs: int,
    progress: Progress,
) -> Iterator[Moved]:
    """``work`` on each item on ``jobs`` threads (a folder's fast path), retried alike."""
    from trail.parallel import bounded_map

    retry = Retry(store.url)

    def one(item: T) -> Moved:
        oid = item[0] if isinstance(item, tuple) else item
        try:
            n = attempt(lambda: work(item), retry)
        except (TrailError, OSError) as exc:
            return Moved(oid, error=exc)
        progress.advance(1, n)
        return Moved(oid, n)

    yield from bounded_map(one, items, jobs)


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
