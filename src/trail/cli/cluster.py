"""``--executor dask [--scheduler ADDR] [-r NAME]`` for ``repro``, ``exp run`` and
``exp run --run-all``: the flags, and the cluster a command uses while it runs."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import Any

from trail.cli.ui import Console

CONFIG_SECTION, CONFIG_KEY = 'executor "dask"', "address"  # ``executor.dask.address``
IN_FLIGHT = 32  # stages sent at once without -j


def add_flags(p: argparse.ArgumentParser, *, remote: bool = True) -> None:
    p.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="where stages run: here (local) or on a Dask cluster (dask)",
    )
    p.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="the Dask scheduler (default: executor.dask.address, else a cluster on this "
        "machine for the run)",
    )
    if remote:
        p.add_argument(
            "-r", "--remote", help="the remote the workers share (default: the default remote)"
        )


def check_flags(args: argparse.Namespace) -> None:
    from trail.errors import UsageError

    if getattr(args, "scheduler", None) and getattr(args, "executor", "local") != "dask":
        raise UsageError("--scheduler goes with --executor dask")
    if getattr(args, "executor", "local") == "dask" and getattr(args, "no_commit", False):
        raise UsageError(
            "--no-commit does not go with --executor dask: outputs come back through the cache"
        )


def scheduler_address(args: argparse.Namespace, repo: Any) -> str | None:
    """``--scheduler``, else ``executor.dask.address``, else None (a local cluster)."""
    return args.scheduler or repo.config.get(CONFIG_SECTION, CONFIG_KEY) or None


@contextlib.contextmanager
def on_cluster(args: argparse.Namespace, repo: Any, opts: Any, console: Console) -> Iterator[None]:
    """With ``--executor dask``, make ``opts`` (``ReproOptions``) send stages to the cluster
    while the block runs; the connection (or the local cluster) ends with it."""
    check_flags(args)
    if getattr(args, "executor", "local") != "dask" or opts.dry:
        yield
        return
    from trail.executors.dask import DaskExecutor
    from trail.executors.remote_stage import RemoteStages, remote_spec

    spec = remote_spec(repo, args.remote)  # no remote: said before any cluster starts
    address = scheduler_address(args, repo)
    workers = args.jobs if args.jobs > 1 else None

    def connect() -> DaskExecutor:
        if not address:
            console.out("Starting a Dask cluster on this machine for this run …")
        return DaskExecutor.connect(address, workers=workers)

    runner = RemoteStages(
        connect, spec, on_event=_events(opts.on_event, console), on_output=opts.on_output
    )
    opts.runner, opts.on_abort = runner, runner.cancel_all
    opts.on_event = runner.on_event
    # Independent stages all go out at once (the scheduler queues what its workers cannot
    # take yet); -j N caps how many are out at a time.
    opts.jobs = args.jobs if args.jobs > 1 else IN_FLIGHT
    try:
        yield
    finally:
        runner.close()


def _events(base: Any, console: Console) -> Any:
    """One line per stage: where it ran (the command lines are in `trail logs`)."""

    def event(kind: str, stage: str, detail: str) -> None:
        if kind == "running":
            return
        if kind == "remote":
            console.out(f"Stage '{stage}' ran on {detail}")
            return
        base(kind, stage, detail)

    return event


def queue_worker_args(args: argparse.Namespace) -> list[str]:
    """What ``exp run --run-all --executor dask`` passes on to the queue worker."""
    if getattr(args, "executor", "local") != "dask":
        return []
    extra = ["--executor", "dask"]
    if args.scheduler:
        extra += ["--scheduler", args.scheduler]
    if getattr(args, "remote", None):
        extra += ["-r", args.remote]
    return extra


@contextlib.contextmanager
def queue_cluster(args: argparse.Namespace, repo: Any) -> Iterator[list[str]]:
    """The flags each run of the queue worker gets. Without a scheduler, a local cluster
    lives as long as the worker, and every run sends its stages there."""
    check_flags(args)
    if getattr(args, "executor", "local") != "dask":
        yield []
        return
    extra = ["--executor", "dask"] + (["-r", args.remote] if args.remote else [])
    address = scheduler_address(args, repo)
    if address:
        yield [*extra, "--scheduler", address]
        return
    from trail.executors.dask import start_local_cluster

    cluster = start_local_cluster()
    try:
        yield [*extra, "--scheduler", str(cluster.scheduler_address)]
    finally:
        cluster.close()
