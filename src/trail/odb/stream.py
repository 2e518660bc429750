"""Reading an object as a stream, hashed on the way: the caller sees the bytes as they come
(nothing is staged on disk), and reaching the end of a stream whose bytes do not hash to the
object's id raises instead of returning a clean EOF."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

from trail import hashing
from trail.types import Oid

Mismatch = Callable[[str], BaseException]  # the actual hex → the error to raise


class VerifiedStream(io.RawIOBase):
    """``raw``'s bytes, checked against ``oid`` when the end is reached; ``mismatch`` makes
    the error (it knows the source: a cache path, a remote URL)."""

    def __init__(self, raw: BinaryIO, oid: Oid, mismatch: Mismatch) -> None:
        super().__init__()
        self.raw, self.oid, self.mismatch = raw, oid, mismatch
        algo = hashing.get(oid.algo)
        # Legacy md5-dos2unix ids depend on the whole file (text or not): not checkable here.
        self._hasher = algo.new() if algo.writable else None
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        n = len(data)
        if n:
            buffer[:n] = data
            if self._hasher is not None:
                self._hasher.update(data)
        elif not self._done:
            self._done = True
            self._check()
        return n

    def _check(self) -> None:
        if self._hasher is None:
            return
        actual = self._hasher.hexdigest()
        if actual != self.oid.hex:
            raise self.mismatch(actual)

    def close(self) -> None:
        if not self.closed:
            self.raw.close()
        super().close()


def open_verified(raw: BinaryIO, oid: Oid, mismatch: Mismatch) -> io.BufferedReader:
    """A buffered binary reader over ``raw`` that checks ``oid`` at the end."""
    return io.BufferedReader(VerifiedStream(raw, oid, mismatch), buffer_size=1 << 20)
