"""Starting and stopping the queue's background worker (for ``trail ui``'s buttons).

Stopping is abrupt by design: the worker is terminated first (so it claims nothing more), then
each run it left behind is killed as ``trail queue kill`` does (marked ``killed``, its
process group stopped, its clone removed). Queued runs stay queued for the next worker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

from trail.experiments.queue import QUEUED, RUNNING, Entry, Queue, QueueError

STOP_WAIT = 10.0  # seconds to wait for a terminated worker to let go of its lock


def start(queue: Queue, jobs: int = 1) -> tuple[int | None, bool]:
    """(worker pid, whether it was started now); (None, False) when nothing is queued."""
    from trail.executors.local import running_worker, spawn_worker

    if jobs < 1:
        from trail.errors import UsageError

        raise UsageError("jobs must be at least 1")
    worker = running_worker(queue)
    if worker is not None:
        return worker["pid"], False
    if not any(e.status == QUEUED for e in queue.entries()):
        return None, False
    return spawn_worker(queue, jobs), True


def stop(queue: Queue) -> list[Entry]:
    """Stop the worker and the runs it was running; returns the runs killed."""
    from trail.executors.local import running_worker
    from trail.experiments.control import NotRunningError, kill

    worker = running_worker(queue)
    if worker is None or worker["pid"] <= 0:
        raise QueueError("no queue worker is running")
    with contextlib.suppress(ProcessLookupError):
        os.kill(worker["pid"], signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT
    while running_worker(queue) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    killed = []
    for entry in queue.entries():
        if (
            entry.status == RUNNING
            and entry.worker is not None
            and entry.worker.pid == worker["pid"]
        ):
            with contextlib.suppress(NotRunningError):  # recovered as failed meanwhile
                killed += kill(queue, [entry])
    return killed
