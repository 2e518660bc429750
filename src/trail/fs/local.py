"""A folder as a remote, on plain ``os`` calls: no fsspec, no per-call overhead."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from trail.errors import RemoteNotFoundError
from trail.fs.base import OnBytes
from trail.fsutil import atomic_fill

if TYPE_CHECKING:
    from trail.fs.batch import Done, Op

T = TypeVar("T")


class LocalFS:
    readonly = False
    can_list = True
    ranged = True

    def __init__(self, root: str) -> None:
        self.url = root
        self.root = root

    def _abs(self, path: str) -> str:
        return os.path.join(self.root, *path.split("/")) if path else self.root

    def exists(self, path: str) -> bool:
        return os.path.exists(self._abs(path))

    def _atomic(self, path: str, fill: Callable[[str], object]) -> None:
        atomic_fill(self._abs(path), fill)

    def put_file(self, local: str, path: str, on_bytes: OnBytes = None) -> None:
        from trail.odb.local import copy_file

        self._atomic(path, lambda tmp: copy_file(local, tmp, on_bytes))

    def get_file(self, path: str, local: str, on_bytes: OnBytes = None) -> None:
        from trail.odb.local import copy_file

        copy_file(self._abs(path), local, on_bytes)

    def read_bytes(self, path: str) -> bytes:
        with open(self._abs(path), "rb") as f:
            return f.read()

    def open_read(self, path: str) -> BinaryIO:
        return open(self._abs(path), "rb")

    def read_small(self, path: str, limit: int) -> bytes | None:
        from trail.fsutil import read_fd

        fd = os.open(self._abs(path), os.O_RDONLY | os.O_CLOEXEC)
        try:
            size = os.fstat(fd).st_size
            return read_fd(fd, size, exact=True) if size <= limit else None
        finally:
            os.close(fd)

    def write_bytes(self, path: str, data: bytes) -> None:
        def fill(tmp: str) -> None:
            with open(tmp, "wb") as f:
                f.write(data)

        self._atomic(path, fill)

    def remove(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._abs(path))

    def walk_files(self, path: str) -> Iterator[str]:
        base = self._abs(path)
        for dirpath, _dirs, files in os.walk(base):
            rel = os.path.relpath(dirpath, base)
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            for name in files:
                yield prefix + name

    def local_path(self, path: str) -> str | None:
        return self._abs(path)

    def run(
        self, ops: Iterable[tuple[T, Op]], *, jobs: int, on_bytes: OnBytes = None
    ) -> Iterator[Done[T]]:
        from trail.fs.batch import Retry, run_threads

        return run_threads(self._execute, ops, jobs=jobs, retry=Retry(self.url), on_bytes=on_bytes)

    def _execute(self, op: Op, on_bytes: OnBytes) -> bytes | int | None:
        from trail.fs.batch import Get, Put, Read, Stat

        if isinstance(op, Put):
            self.put_file(op.local, op.path, on_bytes)
        elif isinstance(op, Get):
            self.get_file(op.path, op.local, on_bytes)
        elif isinstance(op, Read):
            return self._read_range(op.path, op.start, op.end)
        elif isinstance(op, Stat):
            return os.stat(self._abs(op.path)).st_size
        else:
            self.write_bytes(op.path, op.data)
        return None

    def _read_range(self, path: str, start: int, end: int | None) -> bytes:
        from trail.fsutil import read_fd

        fd = os.open(self._abs(path), os.O_RDONLY | os.O_CLOEXEC)
        try:
            size = os.fstat(fd).st_size
            stop = size if end is None else min(end, size)
            if start:
                os.lseek(fd, start, os.SEEK_SET)
            return read_fd(fd, max(0, stop - start), exact=True)
        finally:
            os.close(fd)

    def check(self, for_write: bool = False) -> None:
        if for_write:
            os.makedirs(self.root, exist_ok=True)
        elif not os.path.isdir(self.root):
            raise RemoteNotFoundError(self.root, "no such directory")
