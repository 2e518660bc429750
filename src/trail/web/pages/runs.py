"""Runs: the queue (its worker, each run's state and log, tailed while it runs) and the kept
logs of stage runs; starting and stopping the worker, killing a run."""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import asdict
from typing import Any

from trail.web.page import Api, Call, Page

TAIL = 256 << 10  # a log's first answer holds at most its last 256 KiB


def runs(call: Call) -> dict[str, Any]:
    from trail.executors.local import running_worker
    from trail.experiments.queue import Queue

    queue = Queue(call.repo)
    entries = [_entry(e) for e in queue.entries()]
    return {"worker": running_worker(queue), "entries": entries, "stages": _stage_runs(call)}


def _entry(e: Any) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.name,
        "status": _status(e),
        "queued_at": e.queued_at,
        "started_at": e.started_at,
        "finished_at": e.finished_at,
        "set": list(e.set_params),
        "exp_ref": e.exp_ref,
        "error": e.error,
        "baseline": e.baseline,
    }


def _status(e: Any) -> str:
    """A running entry whose worker is gone is failed, as the next queue command records."""
    from trail.experiments.queue import FAILED, RUNNING, owner_alive

    return FAILED if e.status == RUNNING and not owner_alive(e) else str(e.status)


def _stage_runs(call: Call) -> list[dict[str, Any]]:
    """Stages with kept logs or running now, each with its runs (newest first) without their
    output."""
    from trail.pipeline import logs

    folder = os.path.join(call.repo.private_dir, "logs")
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    found = []
    for quoted in names:
        stage = urllib.parse.unquote(quoted)
        kept = logs.read(call.repo.private_dir, stage)
        running = bool(logs.running(call.repo.private_dir, stage))
        runs = [
            {"started": r.started, "ended": r.ended, "returncode": r.returncode}
            for r in reversed(kept)
        ]
        if runs or running:
            found.append({"stage": stage, "runs": runs, "running": running})
    return found


def stage_log(call: Call) -> dict[str, Any]:
    """One kept run of a stage: ``n`` counts back from the newest (0, the default)."""
    from trail.errors import UsageError
    from trail.pipeline import logs

    stage = call.need("stage")
    kept = logs.read(call.repo.private_dir, stage)
    n = call.number("n", 0)
    if not 0 <= n < len(kept):
        raise UsageError(f"stage '{stage}' has {len(kept)} kept runs, not a run number {n}")
    return asdict(kept[-1 - n])


def stage_live(call: Call) -> dict[str, Any]:
    """A running stage's output from byte ``offset`` on (its last 256 KiB when first asked);
    ``done`` once no run of it goes on (its log is then kept: ``runs/stage-log``)."""
    from trail.pipeline import logs

    stage = call.need("stage")
    live = logs.running(call.repo.private_dir, stage)
    if not live:
        return {"stage": stage, "text": "", "start": 0, "offset": 0, "done": True}
    start, chunk = _tail(live[0], call.number("offset", -1))
    return {
        "stage": stage,
        "text": chunk.decode("utf-8", errors="replace"),
        "start": start,
        "offset": start + len(chunk),
        "done": False,
    }


def _tail(path: str, offset: int) -> tuple[int, bytes]:
    """(where the chunk starts, the bytes from ``offset`` — the last ``TAIL`` when < 0)."""
    try:
        with open(path, "rb") as f:
            end = f.seek(0, os.SEEK_END)
            start = max(0, end - TAIL) if offset < 0 else min(offset, end)
            f.seek(start)
            return start, f.read(end - start)
    except FileNotFoundError:
        return max(offset, 0), b""


def queue_log(call: Call) -> dict[str, Any]:
    """A queued run's log from byte ``offset`` on (the last 256 KiB when first asked), and
    where to ask from next: the page tails it while the run goes on."""
    from trail.experiments.queue import DONE, Queue

    queue = Queue(call.repo)
    (entry,) = queue.find([call.need("id")])
    start, chunk = _tail(queue.log_path(entry.id), call.number("offset", -1))
    status = _status(entry)
    return {
        "id": entry.id,
        "name": entry.name,
        "status": status,
        "text": chunk.decode("utf-8", errors="replace"),
        "start": start,
        "offset": start + len(chunk),
        "done": status in DONE,
    }


def start_worker(call: Call) -> dict[str, Any]:
    from trail.errors import UsageError
    from trail.experiments.queue import Queue, recover
    from trail.experiments.workers import start

    jobs = call.body.get("jobs", 1)
    if not isinstance(jobs, int) or isinstance(jobs, bool):
        raise UsageError("'jobs' must be a whole number")
    queue = Queue(call.repo)
    recover(queue)
    pid, started = start(queue, jobs)
    return {"pid": pid, "started": started}


def stop_worker(call: Call) -> dict[str, Any]:
    from trail.experiments.queue import Queue
    from trail.experiments.workers import stop

    killed = stop(Queue(call.repo))
    return {"killed": [e.name for e in killed]}


def kill_run(call: Call) -> dict[str, Any]:
    from trail.errors import UsageError
    from trail.experiments.control import kill
    from trail.experiments.queue import Queue, recover

    key = call.body.get("id")
    if not isinstance(key, str) or not key:
        raise UsageError("name the run to kill ('id')")
    queue = Queue(call.repo)
    recover(queue)
    killed = kill(queue, queue.find([key]))
    return {"killed": [e.name for e in killed]}


PAGE = Page(
    path="/runs",
    title="Runs",
    script="runs.js",
    order=60,
    api={
        "runs": Api(runs, cached=True),
        "runs/stage-log": stage_log,
        "runs/stage-live": stage_live,
        "runs/queue-log": queue_log,
    },
    actions={"worker/start": start_worker, "worker/stop": stop_worker, "kill": kill_run},
)
