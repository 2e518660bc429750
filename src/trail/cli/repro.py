"""Pipeline commands (repro, freeze, unfreeze, logs)."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any

from trail.cli.ui import Console


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add repro, freeze, unfreeze and logs to the parser."""
    p = sub.add_parser("repro", parents=[common], help="run the stages that changed")
    p.add_argument("targets", nargs="*", help="stages to bring up to date (default: all)")
    p.add_argument("-f", "--force", action="store_true", help="run even if unchanged")
    p.add_argument("-s", "--single-item", action="store_true", help="only the targets")
    p.add_argument("--downstream", action="store_true", help="the targets and what follows")
    p.add_argument("--pull", action="store_true", help="pull missing deps from the remote")
    p.add_argument("--dry", action="store_true", help="say what would run, run nothing")
    p.add_argument("-k", "--keep-going", action="store_true", help="go on past a failed stage")
    p.add_argument("--no-commit", action="store_true", help="do not cache the outputs")
    p.add_argument("--no-run-cache", action="store_true", help="do not restore past runs")
    p.add_argument("-j", "--jobs", type=int, default=1, help="stages to run at once")
    from trail.cli import cluster

    cluster.add_flags(p)
    p.add_argument("--no-contracts", action="store_true", help="do not check trail.contracts.yaml")
    p.add_argument("-p", "--pipeline", action="store_true", help="the targets' whole pipelines")
    p.add_argument("-P", "--all-pipelines", action="store_true", help="every pipeline")
    p.add_argument(
        "-R", "--recursive", action="store_true", help="targets are directories of pipelines"
    )
    p.add_argument("--glob", action="store_true", help="targets are stage name patterns")
    p.add_argument(
        "--force-downstream", action="store_true", help="a stage that runs reruns what follows"
    )
    p.add_argument("--allow-missing", action="store_true", help="missing outputs alone run nothing")
    p.add_argument("-i", "--interactive", action="store_true", help="ask before each stage")
    p.set_defaults(func=cmd_repro)

    for name, frozen in (("freeze", True), ("unfreeze", False)):
        f = sub.add_parser(name, parents=[common], help=f"{name} stages")
        f.add_argument("targets", nargs="+", help="stage names")
        f.set_defaults(func=cmd_freeze, frozen=frozen)

    g = sub.add_parser("logs", parents=[common], help="show the logs of a stage's last runs")
    g.add_argument("stage")
    g.add_argument("-n", "--last", type=int, default=1, help="how many runs (default 1)")
    g.add_argument("--rev", help="the run behind the outputs recorded at this Git revision")
    g.add_argument("--json", action="store_true", help="print JSON, for scripts")
    g.set_defaults(func=cmd_logs)


class _Printer:
    """Stage output and events, prefixed with the stage name when stages run side by side."""

    def __init__(self, console: Console, jobs: int) -> None:
        self.console, self.prefix = console, jobs > 1
        self.lock = threading.Lock()

    def output(self, stage: str, stream: str, line: str) -> None:
        if self.console.quiet:
            return
        text = f"[{stage}] {line}" if self.prefix else line
        with self.lock:
            print(text, file=sys.stderr if stream == "stderr" else sys.stdout, flush=True)

    def event(self, event: str, stage: str, detail: str) -> None:
        messages = {
            "unchanged": f"Stage '{stage}' didn't change, skipping",
            "running": f"Running stage '{stage}':"
            + "".join(f"\n> {c}" for c in detail.splitlines()),
            "restored": f"Stage '{stage}' is cached - skipping run, checking out outputs",
            "failed": f"Stage '{stage}' failed: {detail}",
            "skipped": f"Stage '{stage}' skipped: an upstream stage failed",
            "lock": f"Updating lock file '{detail}'",
        }
        if event in messages:
            with self.lock:
                if event in ("failed", "skipped"):
                    self.console.err(messages[event])
                else:
                    self.console.out(messages[event])


def _pull_first(console: Console) -> None:
    """``--pull``: pull what pointer and lock files record, so known results need no rerun.

    Objects the remote lacks are not an error here: their stages simply run.
    """
    from trail.cli.repos import open_repo
    from trail.errors import CheckoutError, TransferError
    from trail.ops.fetch import pull

    with open_repo(console) as repo:
        try:
            pull(repo, progress=console.progress())
        except (TransferError, CheckoutError) as exc:
            console.err(f"WARNING: {exc}")


def repro_options(args: argparse.Namespace, console: Console) -> Any:
    """``ReproOptions`` from the repro flags (``exp run`` shares them), after ``--pull``."""
    from trail.errors import UsageError
    from trail.ops.repro import ReproOptions

    if args.jobs < 1:
        raise UsageError("-j/--jobs must be at least 1")
    if args.pull:
        _pull_first(console)
    printer = _Printer(console, args.jobs)
    return ReproOptions(
        force=args.force,
        single_item=args.single_item,
        downstream=args.downstream,
        dry=getattr(args, "dry", False),
        keep_going=args.keep_going,
        commit=not getattr(args, "no_commit", False),
        run_cache=not args.no_run_cache,
        jobs=args.jobs,
        contracts=not getattr(args, "no_contracts", False),
        on_output=printer.output,
        on_event=printer.event,
        pipeline=getattr(args, "pipeline", False),
        recursive=getattr(args, "recursive", False),
        glob=getattr(args, "glob", False),
        force_downstream=getattr(args, "force_downstream", False),
        allow_missing=getattr(args, "allow_missing", False),
        confirm=_ask if getattr(args, "interactive", False) else None,
    )


def repro_stage(target: str, console: Console) -> int:
    """``trail repro -s <target>``, with its output and exit code (``stage add --run``)."""
    parser = argparse.ArgumentParser(add_help=False)
    register(parser.add_subparsers(), argparse.ArgumentParser(add_help=False))
    argv = ["repro", "-s", target]
    args = parser.parse_args(argv)
    args.argv = ["trail", *argv]
    return cmd_repro(args, console)


def _ask(stage: str) -> bool:
    """``-i``: DVC's question before each stage, asked again until y/n; without a terminal
    (or at end of input) there is no answer, which is no, as with DVC."""
    if not sys.stdout.isatty():
        return False
    while True:
        print(
            f"Going to reproduce stage: '{stage}'. Are you sure you want to continue? [y/n]",
            end=" ",
            flush=True,
        )
        line = sys.stdin.readline()
        answer = line.strip().lower()
        if not line or answer in ("y", "yes", "n", "no"):
            return answer in ("y", "yes")
        print("Your response must be one of: ['yes', 'no', 'y', 'n']. Please try again.")


def cmd_repro(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.cluster import check_flags, on_cluster
    from trail.cli.repos import open_repo
    from trail.errors import PipelineError
    from trail.ops.repro import repro

    check_flags(args)
    opts = repro_options(args, console)
    from trail.cli.data import _git_hint

    repo = open_repo()
    repo.on_wait = console.err
    if opts.confirm is None and repo.config.get_bool("core", "interactive"):
        import dataclasses

        opts = dataclasses.replace(opts, confirm=_ask)  # DVC's core.interactive is -i
    previous = _stop_on_sigterm()
    try:
        from trail.ops.verify_sources import is_pointer_target, verify

        pointers = [t for t in args.targets if is_pointer_target(repo, t)]
        stages = [t for t in args.targets if t not in pointers]
        verified = verify(repo, pointers, say=console.out) if pointers else None
        if pointers and not stages:
            if verified is not None and verified.written:
                _git_hint(repo, verified.written, console)
            return 0
        if getattr(args, "all_pipelines", False):
            stages = []  # every stage of every pipeline file
        with on_cluster(args, repo, opts, console):
            result = repro(repo, stages, opts)
        written = verified.written if verified is not None else []
        if result.lock_files or result.gitignores or written:  # (finding Git costs an import)
            _git_hint(repo, written + result.lock_files + result.gitignores, console)
    finally:
        repo.close()
        _restore_sigterm(previous)
    if len(result.failed) == 1 and result.failed[0] in result.errors:
        raise result.errors[result.failed[0]]
    if result.failed:
        names = ", ".join(f"'{n}'" for n in result.failed)
        raise PipelineError(f"failed to reproduce {names} (see `trail logs <stage>`)")
    if not result.ran and not result.restored:
        console.out("Data and pipelines are up to date.")
    return 0


def _stop_on_sigterm() -> Any:
    """A kill (SIGTERM) stops the stage commands as Ctrl-C does, instead of orphaning them."""
    import signal

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, interrupt)


def _restore_sigterm(previous: Any) -> None:
    import signal

    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def cmd_freeze(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.ops.freeze import freeze

    repo = open_repo()
    repo.on_wait = console.err
    try:
        changed = freeze(repo, args.targets, frozen=args.frozen)
    finally:
        repo.close()
    for f in changed:
        console.out(f"Modifying '{f}'")
    return 0


def cmd_logs(args: argparse.Namespace, console: Console) -> int:
    from dataclasses import asdict

    from trail.cli.repos import open_repo
    from trail.ops.logs import stage_logs

    repo = open_repo()
    runs = stage_logs(repo, args.stage, last=args.last, rev=args.rev)
    if args.json:
        console.json([asdict(r) for r in runs])
        return 0
    import datetime as dt

    for r in runs:
        when = dt.datetime.fromtimestamp(r.started, dt.UTC).isoformat(timespec="seconds")
        where = f", on worker {r.host}" if r.host else ""
        console.out(f"# stage '{r.stage}', started {when}{where}, exit code {r.returncode}")
        for c in r.cmd:
            console.out(f"> {c}")
        if r.stdout:
            console.out(r.stdout.rstrip("\n"))
        if r.stderr:
            console.out(r.stderr.rstrip("\n"))
    return 0
