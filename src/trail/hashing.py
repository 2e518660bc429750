"""Hash algorithm registry and streaming file hashing.

The algorithm is a property of the object store, named in every pointer entry (``hash: blake3``).
A hash is a function of the bytes alone: chunk size never changes it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from trail.errors import HashError

CHUNK = 1 << 20
# DVC 2 decided "text or binary" from the first 512 bytes of a file.
TEXT_BLOCK = 512
# Files at least this big are hashed with blake3's multi-threaded mmap path.
MMAP_THRESHOLD = 4 << 20


class Hasher(Protocol):
    def update(self, data: bytes, /) -> object: ...

    def hexdigest(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Algorithm:
    """A named hash function; ``writable`` is False for algorithms kept only to read old data."""

    name: str
    new: Callable[[], Hasher]
    writable: bool = True
    hexlen: int = 32

    def hash_bytes(self, data: bytes) -> str:
        if self.name == "md5-dos2unix" and is_text(data[:TEXT_BLOCK]):
            data = data.replace(b"\r\n", b"\n")
        h = self.new()
        h.update(data)
        return h.hexdigest()

    def hash_file(
        self,
        path: str | os.PathLike[str],
        size: int | None = None,
        on_bytes: Callable[[int], None] | None = None,
    ) -> str:
        """Hash a file's bytes; ``on_bytes`` hears of progress on big files."""
        if self.name == "md5-dos2unix":
            return _hash_dos2unix(path)
        if size is None:
            size = os.stat(path).st_size
        if self.name == "blake3" and size >= MMAP_THRESHOLD:
            return _blake3_mmap(path, on_bytes)
        h = self.new()
        with open(path, "rb", buffering=0) as f:
            if size <= CHUNK:
                h.update(f.read())
            else:
                for chunk in iter(lambda: f.read(CHUNK), b""):
                    h.update(chunk)
                    if on_bytes is not None:
                        on_bytes(len(chunk))
        return h.hexdigest()

    def hash_chunks(self, chunks: Iterable[bytes]) -> str:
        h = self.new()
        _feed(h, chunks)
        return h.hexdigest()


# Slices of a mapped file handed to blake3 at once: big enough for all its threads to work,
# small enough for a progress bar to move.
MMAP_SLICE = 256 << 20


def _blake3_mmap(path: str | os.PathLike[str], on_bytes: Callable[[int], None] | None) -> str:
    import blake3

    b3 = blake3.blake3(max_threads=blake3.blake3.AUTO)
    if on_bytes is None:
        b3.update_mmap(os.fspath(path))
        return str(b3.hexdigest())
    import mmap

    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        view = memoryview(mm)
        try:
            for start in range(0, len(mm), MMAP_SLICE):
                part = view[start : start + MMAP_SLICE]
                b3.update(part)
                on_bytes(len(part))
                part.release()
        finally:
            view.release()
    return str(b3.hexdigest())


def _feed(h: Hasher, chunks: Iterable[bytes]) -> None:
    for chunk in chunks:
        h.update(chunk)


def _new_blake3() -> Hasher:
    import blake3

    return blake3.blake3()


def _new_md5() -> Hasher:
    import hashlib

    return hashlib.md5(usedforsecurity=False)


_TEXT_CHARS = bytes(range(32, 127)) + b"\n\r\t\f\b"


def is_text(block: bytes) -> bool:
    """DVC 2's heuristic for md5-dos2unix: no NUL byte and at most 30 % non-text bytes."""
    if not block:
        return True
    if b"\x00" in block:
        return False
    nontext = block.translate(None, _TEXT_CHARS)
    return len(nontext) / len(block) <= 0.30


def _hash_dos2unix(path: str | os.PathLike[str]) -> str:
    h = _new_md5()
    with open(path, "rb") as f:
        first = f.read(TEXT_BLOCK)
        if not is_text(first):
            h.update(first)
            _feed(h, iter(lambda: f.read(CHUNK), b""))
            return h.hexdigest()
        pending = first
        for chunk in iter(lambda: f.read(CHUNK), b""):
            pending += chunk
            # Keep a trailing CR back: its LF may start the next chunk.
            keep = 1 if pending.endswith(b"\r") else 0
            body, pending = pending[: len(pending) - keep], pending[len(pending) - keep :]
            h.update(body.replace(b"\r\n", b"\n"))
        h.update(pending.replace(b"\r\n", b"\n"))
    return h.hexdigest()


ALGORITHMS: dict[str, Algorithm] = {
    "blake3": Algorithm("blake3", _new_blake3, hexlen=64),
    "md5": Algorithm("md5", _new_md5),
    "md5-dos2unix": Algorithm("md5-dos2unix", _new_md5, writable=False),
}


def get(name: str, where: str = "") -> Algorithm:
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise HashError(name, where) from None
