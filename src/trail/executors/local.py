"""The local queue worker: a detached process that runs queued experiments N at a time.

It survives the terminal that started it (a new session, stdin closed, output to a log) and
holds ``worker.lock`` (an exclusive ``flock``) while it lives, so there is one worker per
repository and anyone can tell whether it is alive; the kernel drops the lock if it dies. It
exits when nothing is queued or running any more.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace

from trail.experiments.queue import QUEUED, RUNNING, Entry, Proc, Queue, recover

POLL = 0.5  # seconds between looks at the queue while runs go on


def _worker_lock_path(queue: Queue) -> str:
    return os.path.join(queue.dir, "worker.lock")


def _info_path(queue: Queue) -> str:
    return os.path.join(queue.dir, "worker.json")


@contextlib.contextmanager
def _exclusive(path: str) -> Iterator[bool]:
    """Try to hold the flock at ``path``: yields whether this process got it."""
    from trail.lock import lock_fd, try_lock

    fd = lock_fd(path)
    try:
        yield try_lock(fd)
    finally:
        os.close(fd)


def running_worker(queue: Queue) -> dict[str, int] | None:
    """``{"pid", "jobs"}`` of the live worker, or None."""
    with _exclusive(_worker_lock_path(queue)) as free:
        if free:
            return None
    try:
        with open(_info_path(queue), encoding="utf-8") as f:
            info = json.load(f)
        return {"pid": int(info["pid"]), "jobs": int(info["jobs"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {"pid": 0, "jobs": 0}  # starting up: the lock is held, the file not yet written


def work(queue: Queue, jobs: int, extra: Sequence[str] = ()) -> int:
    """Run queued entries, ``jobs`` at a time, until none is left; returns how many ran
    (0 at once if another worker holds the lock). ``extra`` flags go to each run's ``exp run``
    (``--executor dask --scheduler ADDR``: its stages go to the cluster)."""
    from trail.fsutil import atomic_write, unlink_missing_ok

    with _exclusive(_worker_lock_path(queue)) as mine:
        if not mine:
            return 0
        info = json.dumps({"pid": os.getpid(), "jobs": jobs, "started": time.time()})
        atomic_write(_info_path(queue), info.encode())
        try:
            return _loop(queue, jobs, extra)
        finally:
            unlink_missing_ok(_info_path(queue))


def _loop(queue: Queue, jobs: int, extra: Sequence[str] = ()) -> int:
    from trail.experiments.runner import run_entry

    started = 0
    running: dict[str, Future[Entry]] = {}
    with ThreadPoolExecutor(jobs, thread_name_prefix="trail-queue") as pool:
        while True:
            recover(queue)
            for entry in claim(queue, jobs - len(running)):
                running[entry.id] = pool.submit(run_entry, queue, entry, None, extra)
                started += 1
            if not running:
                return started
            wait(running.values(), timeout=POLL, return_when=FIRST_COMPLETED)
            running = {k: f for k, f in running.items() if not f.done()}


def claim(queue: Queue, count: int) -> list[Entry]:
    """Mark up to ``count`` of the oldest queued entries as running in this process."""
    if count <= 0:
        return []
    with queue.locked():
        chosen = [e for e in queue.entries() if e.status == QUEUED][:count]
        me = Proc.me()
        return [
            queue.save(replace(e, status=RUNNING, worker=me, started_at=time.time()))
            for e in chosen
        ]


# Started through a short-lived intermediate process that exits at once: the worker is then
# nobody's child here (no zombie to reap, no process object to keep), adopted by init.
_DETACH = """\
import subprocess, sys
log = open(sys.argv[1], "ab")
proc = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log,
                        stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
print(proc.pid)
"""


def spawn_worker(queue: Queue, jobs: int, extra: Sequence[str] = ()) -> int:
    """Start a detached worker (a new session, stdin closed, output to ``worker.log``); returns
    its pid. It keeps running after this process and its terminal are gone. ``extra``: flags
    of ``queue worker`` (``--executor dask …``)."""
    from trail.experiments.isolated import trail_command

    os.makedirs(queue.dir, exist_ok=True)
    log = os.path.join(queue.dir, "worker.log")
    argv = trail_command("-q", "queue", "worker", "-j", str(jobs), *extra)
    out = subprocess.run(
        [sys.executable, "-I", "-c", _DETACH, log, *argv],
        cwd=queue.repo.root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=True,
    )
    pid = int(out.stdout)
    _wait_until_up(queue, Proc(pid))
    return pid


def _wait_until_up(queue: Queue, worker: Proc, timeout: float = 60.0) -> None:
    """Return once the new worker holds its lock (or has already left), so that a caller
    looking again right away never starts a second one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and worker.alive() and running_worker(queue) is None:
        time.sleep(0.02)
