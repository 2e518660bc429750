"""A remote's objects, laid out as the cache is (``trail.odb.layout``): ``files/<algo>/ab/cdef…``
(``.dir`` for manifests), DVC 2 (md5-dos2unix) objects at the root ``ab/cdef…``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from trail import hashing
from trail.errors import RemoteError
from trail.fs.base import FileSystem, OnBytes
from trail.odb.layout import ALGOS, LEGACY
from trail.odb.layout import object_path as object_path  # what push, gc and tests use
from trail.odb.layout import parse_object_path as parse_object_path
from trail.oidstr import format_oid
from trail.types import Oid

GC_MARKER = ".trail-gc"


class CorruptRemoteObjectError(RemoteError):
    def __init__(self, url: str, oid: Oid, actual: str) -> None:
        self.url, self.oid, self.actual = url, oid, actual
        where = f"{url.rstrip('/')}/{object_path(oid)}"
        super().__init__(
            f"object {format_oid(oid)} on remote {url} is corrupt (its bytes hash to {actual}); "
            f"it was not put in the cache — delete {where} and run `trail push --no-index` "
            "from a clone that has it (a plain push sees the name there and skips it)"
        )


@dataclass(frozen=True, slots=True)
class Moved:
    """What became of one object of a batch: its size once it moved, else why it did not."""

    oid: Oid
    nbytes: int = 0
    error: BaseException | None = None


# Downloads read objects up to this size into memory in one request (hashed there, written
# once); bigger ones stream into a temp file.
SMALL = 1 << 20


class RemoteStore:
    """Objects on one remote. Methods are safe to call from several threads."""

    def __init__(self, name: str, fs: FileSystem, *, share_inodes: bool = False) -> None:
        """``share_inodes``: a folder remote on the cache's file system may hard-link objects
        with the cache (only safe when no workspace file shares an inode with the cache)."""
        self.name, self.fs = name, fs
        # True until a hard link fails here (another file system, permissions)
        self._links = share_inodes

    @property
    def url(self) -> str:
        return self.fs.url

    @property
    def links(self) -> bool:
        """A folder on the cache's file system: objects may be hard-linked with the cache."""
        return self._links and self.fs.local_path("") is not None

    def verify(self, oid: Oid, data: bytes) -> None:
        """Raise ``CorruptRemoteObjectError`` unless ``data`` hashes to ``oid``."""
        actual = hashing.get(oid.algo).hash_bytes(data)
        if actual != oid.hex:
            raise CorruptRemoteObjectError(self.url, oid, actual)

    def verify_file(self, oid: Oid, path: str) -> None:
        """As ``verify``, for the bytes of the local file ``path``."""
        actual = hashing.get(oid.algo).hash_file(path)
        if actual != oid.hex:
            raise CorruptRemoteObjectError(self.url, oid, actual)

    def exists(self, oid: Oid) -> bool:
        return self.fs.exists(object_path(oid))

    def upload(self, oid: Oid, local: str, on_bytes: OnBytes = None) -> None:
        self.fs.put_file(local, object_path(oid), on_bytes)

    def download(self, oid: Oid, tmp: str, on_bytes: OnBytes = None) -> None:
        """Fetch into ``tmp`` and check its hash; a mismatch raises and leaves nothing behind."""
        try:
            self.fs.get_file(object_path(oid), tmp, on_bytes)
            self.verify_file(oid, tmp)
        except BaseException:
            _unlink(tmp)
            raise

    def link_up(self, oid: Oid, local: str) -> bool:
        """Hard-link a (read-only) cache object into a folder remote: one system call, and the
        name appears whole. False where links do not work; the caller then copies."""
        dst = self.fs.local_path(object_path(oid)) if self._links else None
        return dst is not None and self._link(local, dst)

    def link_down(self, oid: Oid, dst: str) -> int | None:
        """Hard-link a folder remote's read-only object into the cache at ``dst`` once its
        bytes hash right; its size, or None where links do not work (then copy)."""
        src = self.fs.local_path(object_path(oid)) if self._links else None
        if src is None:
            return None
        fd = os.open(src, os.O_RDONLY | os.O_CLOEXEC)
        try:
            st = os.fstat(fd)
            if st.st_mode & 0o222:
                return None  # a writable object: the cache must not share its inode
            algo = hashing.get(oid.algo)
            if st.st_size <= 1 << 20:
                from trail.fsutil import read_fd

                actual = algo.hash_bytes(read_fd(fd, st.st_size, exact=True))
            else:
                actual = algo.hash_file(src, st.st_size)
        finally:
            os.close(fd)
        if actual != oid.hex:
            raise CorruptRemoteObjectError(self.url, oid, actual)
        return st.st_size if self._link(src, dst) else None

    def _link(self, src: str, dst: str) -> bool:
        try:
            os.link(src, dst)
        except FileExistsError:
            return True  # the same content is there already
        except FileNotFoundError:
            if not os.path.exists(src):
                raise
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            return self._link(src, dst)
        except OSError:
            self._links = False  # another file system, no permission, too many links
            return False
        return True

    def object_url(self, oid: Oid) -> str:
        """Where the object lives on the remote (the remote's URL joined with its path)."""
        return f"{self.url.rstrip('/')}/{object_path(oid)}"

    def open(self, oid: Oid) -> BinaryIO:
        """The object as a stream, checked against its id when read to the end."""
        from trail.odb.stream import open_verified

        raw = self.fs.open_read(object_path(oid))
        return open_verified(
            raw, oid, lambda actual: CorruptRemoteObjectError(self.url, oid, actual)
        )

    def read_verified(self, oid: Oid) -> bytes:
        """The whole object, checked against its id."""
        data = self.fs.read_bytes(object_path(oid))
        self.verify(oid, data)
        return data

    def read_small(self, oid: Oid, limit: int) -> bytes | None:
        """The object's verified bytes when the backend can hand small ones over cheaply."""
        data = self.fs.read_small(object_path(oid), limit)
        if data is not None:
            self.verify(oid, data)
        return data

    def remove(self, oid: Oid) -> None:
        self.fs.remove(object_path(oid))

    def iter_oids(self) -> Iterator[Oid]:
        """Every object on the remote, from one listing (needs a listable remote)."""
        hexlens = {algo: hashing.get(algo).hexlen for algo in ALGOS}
        for rel in self.fs.walk_files(""):
            if rel.startswith("files/"):
                algo, _, rest = rel[len("files/") :].partition("/")
                if algo in hexlens and algo != LEGACY:
                    oid = parse_object_path(rest, algo, hexlens[algo])
                    if oid is not None:
                        yield oid
            else:
                oid = parse_object_path(rel, LEGACY, hexlens[LEGACY])
                if oid is not None:
                    yield oid

    def gc_marker(self) -> str:
        try:
            return self.fs.read_bytes(GC_MARKER).decode("utf-8", "replace").strip()
        except FileNotFoundError:
            return ""

    def write_gc_marker(self) -> str:
        token = os.urandom(16).hex()
        self.fs.write_bytes(GC_MARKER, token.encode() + b"\n")
        return token


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def present(store: RemoteStore, oids: Iterable[Oid], jobs: int) -> set[Oid]:
    """Which of ``oids`` the remote holds: one listing when that is cheaper than asking each."""
    wanted = set(oids)
    if not wanted:
        return set()
    if store.fs.can_list and len(wanted) > 64:
        return {o for o in store.iter_oids() if o in wanted}
    from trail.fs.batch import Stat

    ops = ((o, Stat(object_path(o))) for o in sorted(wanted, key=object_path))
    found = set()
    for done in store.fs.run(ops, jobs=jobs):
        if isinstance(done.error, FileNotFoundError):
            continue
        if done.error is not None:
            raise done.error
        found.add(done.tag)
    return found
