"""File locks: the one place trail takes a ``flock`` (the repository lock, per-output locks of
``repro``, the queue worker's lock, a worker cache's object locks, and probes of them).

The repository lock is an exclusive ``flock`` (the lock DVC takes too), with a clear wait.

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
from collections.abc import Callable, Iterator, Sequence

from trail.errors import LockError

POLL = 0.05


def _owner(path: str) -> str:
    try:
        with open(path + ".info", encoding="utf-8") as f:
            return f.read().strip() or "another process"
    except OSError:
        return "another process"


def lock_fd(path: str) -> int:
    """A descriptor to lock ``path`` through (file and folder made if missing); closing it
    lets go of any lock taken through it."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)


def try_lock(fd: int, *, shared: bool = False) -> bool:
    """Take the lock if free now; whether it was taken."""
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def wait_lock(fd: int, timeout: float | None, on_busy: Callable[[], None] | None = None) -> bool:
    """Take the exclusive lock, waiting up to ``timeout`` seconds (None: as long as it takes);
    ``on_busy`` is called once if it has to wait. Whether it was taken."""
    if timeout is None:
        if not try_lock(fd):
            if on_busy is not None:
                on_busy()
            fcntl.flock(fd, fcntl.LOCK_EX)
        return True
    deadline = time.monotonic() + timeout
    told = False
    while not try_lock(fd):
        if time.monotonic() >= deadline:
            return False
        if not told and on_busy is not None:
            on_busy()
            told = True
        time.sleep(POLL)
    return True


@contextlib.contextmanager
def holding(
    paths: Sequence[str], timeout: float | None, busy: Callable[[str], Exception]
) -> Iterator[None]:
    """Hold the exclusive locks at ``paths``, taken in sorted order (the same everywhere, so
    two holders of overlapping sets cannot deadlock); ``busy(path)`` is raised for a lock
    not free within ``timeout``."""
    fds: list[int] = []
    try:
        for path in sorted(set(paths)):
            fds.append(lock_fd(path))
            if not wait_lock(fds[-1], timeout):
                raise busy(path)
        yield
    finally:
        for fd in fds:
            os.close(fd)


def is_held(path: str) -> bool:
    """Whether some process holds the lock at ``path`` now: probed with a shared, non-blocking
    lock let go at once; nothing is created."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False  # never locked: no such file
    try:
        return not try_lock(fd, shared=True)
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)  # closing drops the probe's lock


@contextlib.contextmanager
def repo_lock(
    path: str, timeout: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    fd = lock_fd(path)
    try:
        busy = (
            None
            if on_wait is None
            else lambda: on_wait(f"waiting for the repository lock held by {_owner(path)} …")
        )
        if not wait_lock(fd, timeout, busy):
            raise LockError(
                f"the repository is locked by {_owner(path)}; waited {timeout:g} s "
                "(raise core.lock_timeout, or wait for it to finish)"
            )
        info = f"pid {os.getpid()} ({' '.join(['trail', *sys.argv[1:]])[:200]})"
        with contextlib.suppress(OSError), open(path + ".info", "w", encoding="utf-8") as f:
            f.write(info)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock
