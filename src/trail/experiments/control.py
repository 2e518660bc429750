"""Stopping and forgetting queued runs: ``queue kill`` and ``queue remove``."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from trail.errors import UsageError
from trail.experiments.queue import (
    DONE,
    FAILED,
    KILLED,
    QUEUED,
    RUNNING,
    SUCCESS,
    Entry,
    Queue,
    QueueError,
)

CLEANUP_WAIT = 15.0  # seconds `kill` waits for the worker to remove the clone


class NotRunningError(QueueError):
    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = tuple(entries)
        shown = ", ".join(f"'{e.name}' ({e.status})" for e in self.entries)
        super().__init__(
            f"not running: {shown}; `trail queue remove` forgets queued or finished runs"
        )


class RunningError(QueueError):
    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = tuple(entries)
        shown = ", ".join(f"'{e.name}'" for e in self.entries)
        super().__init__(f"still running: {shown}; stop it first with `trail queue kill`")


def kill(queue: Queue, entries: Sequence[Entry]) -> list[Entry]:
    """Stop running entries: each is marked ``killed`` first (so its worker records nothing
    more), then its process group is stopped and its clone removed. Entries that are not
    running are refused, before anything is stopped."""
    from trail.experiments.isolated import remove_clone, stop

    idle = [e for e in entries if e.status != RUNNING]
    if idle:
        raise NotRunningError(idle)
    killed = []
    for entry in entries:
        marked = queue.update(
            entry.id, status=KILLED, error="killed by `trail queue kill`", finished_at=time.time()
        )
        current = marked or entry
        clone = queue.clone_path(entry.id)
        if current.proc is not None:
            stop(current.proc, clone)
        _wait_for_cleanup(queue, current, clone)
        remove_clone(clone)
        killed.append(queue.get(entry.id) or current)
    return killed


def _wait_for_cleanup(queue: Queue, entry: Entry, clone: str) -> None:
    """Give the entry's worker the time to notice and remove the clone itself (it may be
    making it right now); a dead worker is not waited for."""
    deadline = time.monotonic() + CLEANUP_WAIT
    while os.path.exists(clone) and time.monotonic() < deadline:
        if entry.worker is None or not entry.worker.alive():
            return
        latest = queue.get(entry.id)
        if latest is not None and latest.proc is not None and latest.proc != entry.proc:
            from trail.experiments.isolated import stop

            stop(latest.proc, clone)  # it started a process after we looked
            entry = latest
        time.sleep(0.05)


def select(
    queue: Queue,
    keys: Sequence[str],
    *,
    every: bool = False,
    queued: bool = False,
    failed: bool = False,
    success: bool = False,
) -> list[Entry]:
    """Entries named by ``keys`` plus those the flags choose; at least one way must be used."""
    if not (keys or every or queued or failed or success):
        raise UsageError("name runs to remove, or use --all, --queued, --failed or --success")
    chosen = queue.find(keys) if keys else []
    for entry in queue.entries():
        wanted = (
            (every and entry.status != RUNNING)
            or (queued and entry.status == QUEUED)
            or (failed and entry.status in (FAILED, KILLED))
            or (success and entry.status == SUCCESS)
        )
        if wanted and entry not in chosen:
            chosen.append(entry)
    return chosen


def remove(queue: Queue, entries: Sequence[Entry]) -> list[Entry]:
    """Forget entries (their record, snapshot ref and log); running ones are refused."""
    with queue.locked():
        current = [queue.get(e.id) or e for e in entries]
        running = [e for e in current if e.status not in DONE and e.status != QUEUED]
        if running:
            raise RunningError(running)
        for entry in current:
            queue.delete(entry)
    return current
