"""Progress reporting seam: the core reports, the CLI draws (only on a terminal)."""

from __future__ import annotations

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
