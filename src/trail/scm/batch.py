"""One long-lived ``git cat-file --batch`` serving several rounds of reads.

Reading a revision's results takes two rounds (the pipeline file says which params and metrics
files to read next); this keeps one process for all of them, across any number of commits.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import IO

from trail.errors import ScmError
from trail.scm.git import Git


class BatchGit(Git):
    """A ``Git`` whose bulk reads go to one ``cat-file --batch`` kept open until ``close``."""

    def __init__(self, root: str) -> None:
        super().__init__(root)
        self._proc: subprocess.Popen[bytes] | None = None
        self.requests = 0  # objects asked for (tests read it)

    def __enter__(self) -> BatchGit:
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.close()
            self._proc.wait()
            self._proc.stdout.close()
            self._proc = None

    def _process(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            try:
                self._proc = subprocess.Popen(
                    ["git", "cat-file", "--batch"],
                    cwd=self.root,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
            except FileNotFoundError:
                raise ScmError("git is not installed (trail needs the `git` command)") from None
        return self._proc

    def read_objects(self, names: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        """``name`` (``sha``, ``rev:path``) → (object type, content); missing ones left out."""
        names = list(dict.fromkeys(names))
        if not names:
            return {}
        proc = self._process()
        assert proc.stdin is not None and proc.stdout is not None
        self.requests += len(names)
        request = "".join(n + "\n" for n in names).encode()
        # Write from a thread: git answers while we still write, and a full pipe both ways
        # would otherwise deadlock.
        writer = threading.Thread(target=_write, args=(proc.stdin, request), daemon=True)
        writer.start()
        found = {}
        out = proc.stdout
        for name in names:
            header = out.readline().split()
            if not header:
                raise ScmError("git cat-file stopped answering")
            if len(header) != 3:  # "<name> missing" or "<name> ambiguous"
                continue
            size = int(header[2])
            data = out.read(size + 1)[:size]
            found[name] = (header[1].decode(), data)
        writer.join()
        return found

    def read_blobs_at(self, requests: Iterable[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
        requests = list(dict.fromkeys(requests))
        objects = self.read_objects(f"{rev}:./{path}" for rev, path in requests)
        result = {}
        for key in requests:
            found = objects.get(f"{key[0]}:./{key[1]}")
            if found is not None and found[0] == "blob":
                result[key] = found[1]
        return result


def _write(stream: IO[bytes], data: bytes) -> None:
    stream.write(data)
    stream.flush()
