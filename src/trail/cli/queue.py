"""``trail queue start|status|logs|kill|remove``, and ``trail exp run --queue|--run-all|--temp``
(``exp run`` hands those to ``exp_run`` here)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from trail.cli.ui import Console

if TYPE_CHECKING:
    from trail.experiments.queue import Entry, Queue

WAIT_POLL = 0.5


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("queue", parents=[common], help="run queued experiments; watch, stop them")
    qsub = p.add_subparsers(dest="queue_command", metavar="<subcommand>", required=True)
    s = qsub.add_parser("start", parents=[common], help="start a background worker")
    s.add_argument("-j", "--jobs", type=int, default=1, help="experiments at once (default 1)")
    s.set_defaults(func=cmd_start)
    st = qsub.add_parser("status", parents=[common], help="queued, running and finished runs")
    st.add_argument("--json", action="store_true", help="print JSON, for scripts")
    st.set_defaults(func=cmd_status)
    lg = qsub.add_parser("logs", parents=[common], help="the output of a run")
    lg.add_argument("entry", help="id or name")
    lg.add_argument("-f", "--follow", action="store_true", help="until the run ends")
    lg.set_defaults(func=cmd_logs)
    k = qsub.add_parser("kill", parents=[common], help="stop running experiments")
    k.add_argument("entries", nargs="+", help="ids or names")
    k.set_defaults(func=cmd_kill)
    r = qsub.add_parser("remove", parents=[common], help="forget queued or finished runs")
    r.add_argument("entries", nargs="*", help="ids or names")
    for flag, what in (("--all", "every run not running"), ("--queued", "runs not started")):
        r.add_argument(flag, action="store_true", help=what)
    r.add_argument("--failed", action="store_true", help="failed and killed runs")
    r.add_argument("--success", action="store_true", help="runs that succeeded")
    r.set_defaults(func=cmd_remove)
    w = qsub.add_parser("worker", parents=[common])  # no help: started by `queue start` only
    w.add_argument("-j", "--jobs", type=int, default=1)
    from trail.cli import cluster

    cluster.add_flags(w)
    w.set_defaults(func=cmd_worker)


def _queue() -> Queue:
    from trail.cli.repos import open_repo
    from trail.experiments.queue import Queue, recover

    queue = Queue(open_repo())
    recover(queue)  # a worker killed with -9, a machine that stopped: noticed here
    return queue


def _jobs(jobs: int) -> int:
    if jobs < 1:
        from trail.errors import UsageError

        raise UsageError("-j/--jobs must be at least 1")
    return jobs


def cmd_start(args: argparse.Namespace, console: Console) -> int:
    queue = _queue()
    pid, started = _start(queue, _jobs(args.jobs))
    if pid is None:
        console.out("Nothing is queued.")
    elif started:
        console.out(f"Started a queue worker (pid {pid}, {args.jobs} at a time).")
        console.out("See `trail queue status`; it stops by itself when the queue is empty.")
    else:
        console.out(f"A queue worker is already running (pid {pid}): it takes new runs too.")
    return 0


def _start(queue: Queue, jobs: int, extra: list[str] | None = None) -> tuple[int | None, bool]:
    """(worker pid, whether it was started now); (None, False) when nothing waits."""
    from trail.executors.local import running_worker, spawn_worker
    from trail.experiments.queue import QUEUED

    worker = running_worker(queue)
    if worker is not None:
        return worker["pid"], False
    if not any(e.status == QUEUED for e in queue.entries()):
        return None, False
    return spawn_worker(queue, jobs, extra or []), True


def cmd_worker(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.cluster import queue_cluster
    from trail.executors.local import work

    queue = _queue()
    with queue_cluster(args, queue.repo) as extra:
        work(queue, _jobs(args.jobs), extra)
    return 0


def cmd_status(args: argparse.Namespace, console: Console) -> int:
    from trail.executors.local import running_worker

    queue = _queue()
    entries, worker = queue.entries(), running_worker(queue)
    if args.json:
        console.json({"worker": worker, "entries": [_as_json(queue, e) for e in entries]})
        return 0
    if not entries:
        console.out("The queue is empty.")
    else:
        from trail.cli.tables import print_table

        headers = ["Id", "Name", "Status", "Queued", "Took", "Params", "Experiment"]
        print_table(headers, [_row(e) for e in entries])
    console.out(
        f"Worker: running (pid {worker['pid']}, {worker['jobs']} at a time)"
        if worker
        else "Worker: not running (`trail queue start -j N` runs what is queued)"
    )
    return 0


def _as_json(queue: Queue, entry: Entry) -> dict[str, Any]:
    data = entry.to_json()
    data["log"] = queue.log_path(entry.id)
    data["snapshot_ref"] = entry.ref
    return data


def _row(e: Entry) -> list[str]:
    took = ""
    if e.started_at is not None:
        took = f"{(e.finished_at or time.time()) - e.started_at:.0f} s"
    queued = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.queued_at))
    return [e.id, e.name, e.status, queued, took, " ".join(e.set_params), e.exp_ref or ""]


def cmd_logs(args: argparse.Namespace, console: Console) -> int:
    import os

    from trail.experiments.queue import DONE

    queue = _queue()
    (entry,) = queue.find([args.entry])
    path, pos = queue.log_path(entry.id), 0
    while True:
        if os.path.exists(path):
            with open(path, "rb") as f:
                f.seek(pos)
                chunk = f.read()
            pos += len(chunk)
            _write(chunk)
        current = queue.get(entry.id)
        if not args.follow or current is None or current.status in DONE:
            break
        time.sleep(0.2)
    if pos == 0 and entry.status not in DONE:
        console.err(f"'{entry.name}' has not started yet ({entry.status}).")
    return 0


def _write(chunk: bytes) -> None:
    """Output of a run, as it comes (text: stdout may be captured, without a byte buffer)."""
    sys.stdout.write(chunk.decode("utf-8", errors="replace"))
    sys.stdout.flush()


def cmd_kill(args: argparse.Namespace, console: Console) -> int:
    from trail.experiments.control import kill

    queue = _queue()
    for entry in kill(queue, queue.find(args.entries)):
        console.out(f"Killed '{entry.name}' ({entry.id}).")
    return 0


def cmd_remove(args: argparse.Namespace, console: Console) -> int:
    from trail.experiments.control import remove, select

    queue = _queue()
    chosen = select(
        queue,
        args.entries,
        every=args.all,
        queued=args.queued,
        failed=args.failed,
        success=args.success,
    )
    removed = remove(queue, chosen)
    console.out(f"Removed {len(removed)} run{'s' if len(removed) != 1 else ''} from the queue.")
    return 0


# ``trail exp run --queue | --run-all | --temp`` ------------------------------------------------


def exp_run(args: argparse.Namespace, console: Console) -> int:
    """``exp run`` with ``--queue`` (record runs, ``-S`` sweeps make a grid), ``--run-all``
    (run the queue in the background, ``-j`` at a time, and wait showing progress) or
    ``--temp`` (one run in a temporary clone, in the foreground)."""
    from trail.cli.cluster import check_flags, queue_worker_args
    from trail.experiments.enqueue import enqueue

    _check_combination(args)
    check_flags(args)
    queue = _queue()
    if getattr(args, "executor", "local") == "dask" and (args.run_all or args.temp):
        from trail.executors.remote_stage import remote_spec

        remote_spec(queue.repo, args.remote)  # no remote: said here, not in every run's log
    if args.temp:
        return _temp(queue, args, console)
    if args.queue:
        entries = enqueue(
            queue.repo,
            name=args.name,
            set_params=args.set_params,
            args=clone_flags(args),
            force=args.force,
            copy_paths=getattr(args, "copy_paths", []),
        )
        for entry in entries:
            shown = f" ({' '.join(entry.set_params)})" if entry.set_params else ""
            console.out(f"Queued experiment '{entry.name}'{shown}, id {entry.id}.")
        if not args.run_all:
            console.out("Run the queue with `trail queue start -j N` or `trail exp run --run-all`.")
            return 0
    return _run_all(queue, _jobs(args.jobs), console, queue_worker_args(args))


def _check_combination(args: argparse.Namespace) -> None:
    from trail.errors import UsageError

    if args.temp and (args.queue or args.run_all):
        raise UsageError("--temp runs one experiment now: it does not go with --queue/--run-all")
    if args.run_all and not args.queue and (args.name or args.set_params or args.targets):
        raise UsageError("--run-all runs what is queued: add --queue to queue this run first")


def clone_flags(args: argparse.Namespace) -> list[str]:
    """The repro flags of ``exp run`` to pass on to the run in the clone."""
    flags = [
        flag
        for attr, flag in (
            ("single_item", "-s"),
            ("downstream", "--downstream"),
            ("keep_going", "-k"),
            ("pull", "--pull"),
            ("no_run_cache", "--no-run-cache"),
        )
        if getattr(args, attr, False)
    ]
    message = getattr(args, "message", None)
    if message:
        flags += ["-m", message]
    return [*flags, *getattr(args, "targets", [])]


def _run_all(queue: Queue, jobs: int, console: Console, extra: list[str] | None = None) -> int:
    from trail.experiments.queue import QUEUED, RUNNING

    watched = [e.id for e in queue.entries() if e.status in (QUEUED, RUNNING)]
    if not watched:
        console.out("Nothing is queued.")
        return 0
    pid, started = _start(queue, jobs, extra)
    if pid is not None and not started:
        console.out(f"A queue worker is already running (pid {pid}); waiting for it.")
        if extra:
            console.err("WARNING: its runs keep the executor it was started with.")
    try:
        return _wait(queue, watched, jobs, console, extra)
    except KeyboardInterrupt:
        console.err(
            "Stopped waiting. The experiments go on running in the background:\n"
            "  `trail queue status` shows them, `trail queue logs -f NAME` follows one,\n"
            "  `trail queue kill NAME…` stops them."
        )
        return 130


def _wait(
    queue: Queue, watched: list[str], jobs: int, console: Console, extra: list[str] | None = None
) -> int:
    from trail.experiments.queue import DONE, QUEUED, SUCCESS, recover

    shown: dict[str, str] = {}
    restarts = 0  # workers started since the last change: one that dies at once is a bug
    while True:
        recover(queue)
        entries = [e for e in queue.entries() if e.id in watched]
        for entry in entries:
            if shown.get(entry.id) != entry.status:
                shown[entry.id] = entry.status
                _progress(entry, console)
                restarts = 0
        if all(e.status in DONE for e in entries):
            break
        if any(e.status == QUEUED for e in entries) and _start(queue, jobs, extra)[1]:
            restarts += 1  # the worker may have just left, having seen an empty queue
            if restarts > 3:
                from trail.experiments.queue import QueueError

                raise QueueError(f"the queue worker keeps stopping: see {queue.dir}/worker.log")
        time.sleep(WAIT_POLL)
    ok = sum(e.status == SUCCESS for e in entries)
    console.out(f"{ok} of {len(entries)} experiments succeeded.")
    return 0 if ok == len(entries) else 1


def _progress(entry: Entry, console: Console) -> None:
    from trail.experiments.queue import FAILED, KILLED, RUNNING, SUCCESS

    if entry.status == RUNNING:
        console.out(f"Running '{entry.name}' …")
    elif entry.status == SUCCESS:
        console.out(f"'{entry.name}' succeeded: {entry.exp_ref}")
    elif entry.status in (FAILED, KILLED):
        console.err(f"'{entry.name}' {entry.status}: {entry.error or ''}".rstrip(": "))


def _temp(queue: Queue, args: argparse.Namespace, console: Console) -> int:
    from trail.cli.cluster import queue_worker_args
    from trail.errors import PipelineError
    from trail.experiments.enqueue import enqueue
    from trail.experiments.queue import SUCCESS
    from trail.experiments.runner import run_entry

    (entry,) = enqueue(
        queue.repo,
        name=args.name,
        set_params=args.set_params,
        args=clone_flags(args),
        force=args.force,
        now=True,
        copy_paths=getattr(args, "copy_paths", []),
    )
    console.out(f"Running experiment '{entry.name}' in a temporary clone …")

    def echo(chunk: bytes) -> None:
        if not console.quiet:
            _write(chunk)

    done = run_entry(queue, entry, echo, queue_worker_args(args))
    if done.status != SUCCESS:
        raise PipelineError(done.error or f"experiment '{entry.name}' {done.status}")
    console.out(f"Ran experiment '{entry.name}' ({done.exp_ref}); the workspace is unchanged.")
    return 0
