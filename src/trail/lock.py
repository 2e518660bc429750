"""The repository lock: an exclusive ``flock`` (the lock DVC takes too), with a clear wait.

A writer waits up to ``core.lock_timeout`` seconds, saying once whom it waits for, then fails
with that message. The kernel drops a flock when its holder dies, so a kill -9 never leaves a
stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator

from trail.errors import LockError

POLL = 0.05


def _owner(path: str) -> str:
    try:
        with open(path + ".info", encoding="utf-8") as f:
            return f.read().strip() or "another process"
    except OSError:
        return "another process"


@contextlib.contextmanager
def repo_lock(
    path: str, timeout: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                who = _owner(path)
                if time.monotonic() >= deadline:
                    raise LockError(
                        f"the repository is locked by {who}; waited {timeout:g} s "
                        "(raise core.lock_timeout, or wait for it to finish)"
                    ) from None
                if not told and on_wait is not None:
                    on_wait(f"waiting for the repository lock held by {who} …")
                    told = True
                time.sleep(POLL)
        info = f"pid {os.getpid()} ({' '.join(['trail', *sys.argv[1:]])[:200]})"
        with contextlib.suppress(OSError), open(path + ".info", "w", encoding="utf-8") as f:
            f.write(info)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock
