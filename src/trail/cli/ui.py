"""Console output: plain prints for results, rich progress bars only on a terminal."""

from __future__ import annotations

import json
import sys
from typing import Any


class Console:
    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose

    def out(self, text: str = "") -> None:
        if not self.quiet:
            print(text)

    def data(self, text: str) -> None:
        """Results a script asked for (``--json``) print even with ``-q``."""
        print(text)

    def json(self, value: Any) -> None:
        self.data(json.dumps(value, indent=None if not sys.stdout.isatty() else 2))

    def err(self, text: str) -> None:
        print(text, file=sys.stderr)

    def progress(self) -> Any:
        if self.quiet or not sys.stderr.isatty():
            from trail.progress import NULL

            return NULL
        return RichProgress()


class RichProgress:
    """A progress bar for files (and bytes when known); rich is imported only here."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None
        self._bytes = False  # one big file: the bar counts bytes, else files

    def start(self, description: str, total_files: int, total_bytes: int | None = None) -> None:
        self.finish()
        if total_files < 100 and (total_bytes or 0) < 64 << 20:
            return  # too quick to be worth a bar
        from rich import progress as rp

        # Bytes when big files make up the work (one, or 1 MiB each on average); many small
        # ones are counted by number.
        self._bytes = total_bytes is not None and (
            total_files == 1 or total_bytes >= total_files << 20
        )
        count: Any = (
            (rp.DownloadColumn(), rp.TransferSpeedColumn())
            if self._bytes
            else (rp.MofNCompleteColumn(),)
        )
        self._bar = rp.Progress(
            rp.TextColumn("{task.description}"),
            rp.BarColumn(),
            *count,
            rp.TimeRemainingColumn(),
            transient=True,
        )
        self._bar.start()
        total = total_bytes if self._bytes else total_files
        self._task = self._bar.add_task(description, total=total)

    def advance(self, files: int = 1, nbytes: int = 0) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, nbytes if self._bytes else files)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
