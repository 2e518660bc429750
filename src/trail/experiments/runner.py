"""Running one queue entry to its end: clone, check out the data, ``trail exp run`` in the
clone, fetch the experiment it made, remove the clone — recording each outcome in the entry.

Whatever happens (a failing stage, an error here, a kill), the entry ends ``success``,
``failed`` or ``killed`` with its log kept, the clone is removed, and the repository gets
either the whole experiment or nothing of it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import IO

from trail.experiments.isolated import fetch_experiment, make_clone, remove_clone, run_in_clone
from trail.experiments.queue import FAILED, KILLED, SUCCESS, Entry, Proc, Queue


class _Killed(Exception):
    """The entry was killed while this process was working on it."""


def command(entry: Entry, extra: Sequence[str] = ()) -> list[str]:
    """What runs in the clone: the experiment, under its queued name (``extra``: flags of the
    worker's own, such as ``--executor dask``)."""
    force = ["-f"] if entry.force else []
    return ["exp", "run", "-n", entry.name, *force, *entry.args, *extra]


def run_entry(
    queue: Queue,
    entry: Entry,
    echo: Callable[[bytes], None] | None = None,
    extra: Sequence[str] = (),
) -> Entry:
    """Run a ``running`` entry this process owns; returns it as it ended."""
    clone = queue.clone_path(entry.id)
    log_path = queue.log_path(entry.id)
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    outcome: dict[str, object] = {}
    with open(log_path, "ab") as log:
        try:
            log.write(f"trail: experiment '{entry.name}' in {clone}\n".encode())
            log.flush()
            make_clone(queue.repo, clone, entry.baseline, entry.snapshot)
            outcome = _run(queue, entry, clone, log, echo, extra)
        except _Killed:
            outcome = {"status": KILLED}
        except KeyboardInterrupt:
            queue.update(entry.id, status=KILLED, error="interrupted", finished_at=time.time())
            raise
        except Exception as exc:  # recorded in the entry and the log; the queue goes on
            log.write(f"\ntrail: {exc}\n".encode())
            outcome = {"status": FAILED, "error": str(exc)}
        finally:
            remove_clone(clone)
    return queue.update(entry.id, finished_at=time.time(), **outcome) or entry


def _run(
    queue: Queue,
    entry: Entry,
    clone: str,
    out: IO[bytes],
    echo: Callable[[bytes], None] | None,
    extra: Sequence[str] = (),
) -> dict[str, object]:
    def started(proc: Proc) -> None:
        current = queue.update(entry.id, proc=proc)
        if current is None or current.status == KILLED:
            raise _Killed  # killed before its process was known: stopped right here

    # The shared cache holds the data; bring the snapshot's inputs into the clone's workspace
    # (what is missing is reported in the log and left to the run, as in the workspace).
    run_in_clone(clone, ["checkout"], out, started)
    code = run_in_clone(clone, command(entry, extra), out, started, echo)
    if code != 0:
        why = f"`trail exp run` failed (exit code {code}): see `trail queue logs {entry.name}`"
        return {"status": FAILED, "exit_code": code, "error": why}
    ref = fetch_experiment(queue.repo, clone, force=entry.force)
    if ref is None:
        return {"status": FAILED, "exit_code": code, "error": "the run recorded no experiment"}
    out.write(f"trail: experiment recorded as {ref}\n".encode())
    return {"status": SUCCESS, "exit_code": code, "exp_ref": ref}
