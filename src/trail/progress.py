"""Progress reporting seam: the core reports, the CLI draws (only on a terminal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Progress(Protocol):
    def start(self, description: str, total_files: int, total_bytes: int | None = None) -> None: ...

    def advance(self, files: int = 1, nbytes: int = 0) -> None: ...

    def finish(self) -> None: ...


class NullProgress:
    def start(self, description: str, total_files: int, total_bytes: int | None = None) -> None:
        pass

    def advance(self, files: int = 1, nbytes: int = 0) -> None:
        pass

    def finish(self) -> None:
        pass


NULL = NullProgress()


def bytes_callback(progress: Progress) -> Callable[[int], None]:
    """A callback for streaming work (hashing, copying) that reports bytes to ``progress``."""

    def on_bytes(n: int) -> None:
        progress.advance(0, n)

    return on_bytes
