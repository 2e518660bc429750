"""A file system in a dict, for tests: the seam ``FileSystem`` with nothing behind it.

``fail`` lets a test make the next calls raise (a dropped connection, say) without
monkeypatching a real backend.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from trail.errors import RemoteReadOnlyError
from trail.fs.base import OnBytes

if TYPE_CHECKING:
    from trail.fs.batch import Done, Op

T = TypeVar("T")


class MemoryFS:
    can_list = True
    ranged = True

    def __init__(self, url: str = "memory://", readonly: bool = False) -> None:
        self.url = url
        self.readonly = readonly
        self.files: dict[str, bytes] = {}
        self.calls: list[str] = []
        self.fail: Callable[[str, str], BaseException | None] = lambda op, path: None
        # Back-off delays are drawn from this: a test may seed it, or make them zero.
        self.rng: random.Random | None = None
        self._lock = threading.Lock()

    def _hit(self, op: str, path: str) -> None:
        with self._lock:
            self.calls.append(f"{op} {path}")
        exc = self.fail(op, path)
        if exc is not None:
            raise exc

    def exists(self, path: str) -> bool:
        self._hit("exists", path)
        return path in self.files

    def put_file(self, local: str, path: str, on_bytes: OnBytes = None) -> None:
        if self.readonly:
            raise RemoteReadOnlyError(self.url)
        self._hit("put", path)
        with open(local, "rb") as f:
            data = f.read()
        self.files[path] = data
        if on_bytes is not None:
            on_bytes(len(data))

    def get_file(self, path: str, local: str, on_bytes: OnBytes = None) -> None:
        self._hit("get", path)
        try:
            data = self.files[path]
        except KeyError:
            raise FileNotFoundError(path) from None
        with open(local, "wb") as f:
            f.write(data)

    def read_bytes(self, path: str) -> bytes:
        self._hit("read", path)
        try:
            return self.files[path]
        except KeyError:
            raise FileNotFoundError(path) from None

    def open_read(self, path: str) -> BinaryIO:
        import io

        return io.BytesIO(self.read_bytes(path))

    def read_small(self, path: str, limit: int) -> bytes | None:
        data = self.read_bytes(path)
        return data if len(data) <= limit else None

    def write_bytes(self, path: str, data: bytes) -> None:
        self._hit("write", path)
        self.files[path] = data

    def remove(self, path: str) -> None:
        self._hit("remove", path)
        self.files.pop(path, None)

    def walk_files(self, path: str) -> Iterator[str]:
        self._hit("walk", path)
        prefix = f"{path}/" if path else ""
        yield from sorted(p[len(prefix) :] for p in self.files if p.startswith(prefix))

    def local_path(self, path: str) -> str | None:
        return None

    def run(
        self, ops: Iterable[tuple[T, Op]], *, jobs: int, on_bytes: OnBytes = None
    ) -> Iterator[Done[T]]:
        from trail.fs.batch import Retry, run_threads

        retry = Retry(self.url, self.rng)
        return run_threads(self._execute, ops, jobs=jobs, retry=retry, on_bytes=on_bytes)

    def _execute(self, op: Op, on_bytes: OnBytes) -> bytes | int | None:
        from trail.fs.batch import Get, Put, Read, Stat

        if isinstance(op, Put):
            self.put_file(op.local, op.path, on_bytes)
        elif isinstance(op, Get):
            self.get_file(op.path, op.local, on_bytes)
        elif isinstance(op, Read):
            data = self.read_bytes(op.path)
            return data[op.start : op.end]
        elif isinstance(op, Stat):
            return len(self.read_bytes(op.path))
        else:
            self.write_bytes(op.path, op.data)
        return None

    def check(self, for_write: bool = False) -> None:
        self._hit("check", "")
