"""``trail exp …``: run, show, diff, apply, branch, remove, push, pull, save, list, clean.

``exp run --queue``, ``--run-all`` and ``--temp`` are handed to ``trail.cli.queue``.
"""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("exp", parents=[common], help="run, compare and share experiments")
    esub = p.add_subparsers(dest="exp_command", metavar="<subcommand>", required=True)
    _register_run(esub, common)
    _register_list(esub, common)
    from trail.cli import exp_commands

    exp_commands.register(esub, common)
    s = esub.add_parser("save", parents=[common], help="record the workspace as an experiment")
    s.add_argument("-n", "--name", help="the experiment's name (default: a random one)")
    s.add_argument("-f", "--force", action="store_true", help="replace a same-named one")
    s.set_defaults(func=cmd_save)


def _register_run(esub: Any, common: argparse.ArgumentParser) -> None:
    r = esub.add_parser("run", parents=[common], help="run the pipeline as a new experiment")
    r.add_argument("targets", nargs="*", help="stages to reproduce (default: all)")
    r.add_argument("-n", "--name", help="the experiment's name (default: a random one)")
    r.add_argument(
        "-S",
        "--set-param",
        dest="set_params",
        action="append",
        default=[],
        metavar="[FILE:]KEY=VALUE",
        help="change a param first (+KEY adds, ++KEY sets either way, ~KEY deletes)",
    )
    r.add_argument(
        "-f", "--force", action="store_true", help="run unchanged stages; replace a same-named one"
    )
    r.add_argument("-s", "--single-item", action="store_true", help="only the targets")
    r.add_argument("--downstream", action="store_true", help="the targets and what follows")
    r.add_argument("-k", "--keep-going", action="store_true", help="go on past a failed stage")
    r.add_argument("--pull", action="store_true", help="pull missing deps from the remote")
    r.add_argument("--no-run-cache", action="store_true", help="do not restore past runs")
    r.add_argument("-j", "--jobs", type=int, default=1, help="stages (or queued runs) at once")
    r.add_argument("--queue", action="store_true", help="queue the run instead of running it")
    r.add_argument("--run-all", action="store_true", help="run every queued experiment")
    r.add_argument("--temp", action="store_true", help="run in a temporary clone")
    from trail.cli import cluster

    cluster.add_flags(r)
    r.add_argument("-m", "--message", help="the experiment commit's message")
    r.add_argument(
        "-C",
        "--copy-paths",
        action="append",
        default=[],
        metavar="PATH",
        help="with --queue/--temp: an untracked or ignored path the run needs (repeatable)",
    )
    r.set_defaults(func=cmd_run)


def _register_list(esub: Any, common: argparse.ArgumentParser) -> None:
    p = esub.add_parser(
        "list", aliases=["ls"], parents=[common], help="list experiments by baseline"
    )
    p.add_argument("git_remote", nargs="?", help="list those of this Git remote instead")
    p.add_argument("-a", "--all-branches", action="store_true", help="of every branch tip")
    p.add_argument("-A", "--all-commits", action="store_true", help="of every baseline")
    p.add_argument("--rev", help="of this baseline (default: HEAD)")
    p.add_argument("--name-only", "--names-only", action="store_true", help="names only")
    p.add_argument("--sha-only", "--shas-only", action="store_true", help="commit ids only")
    p.add_argument("--json", action="store_true", help="print JSON, for scripts")
    p.set_defaults(func=cmd_list)


def _repo() -> Any:
    from trail.cli.repos import open_repo

    return open_repo()


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    if args.queue or args.run_all or args.temp:
        return _queued(args, console)
    from trail.cli.cluster import check_flags, on_cluster
    from trail.cli.repro import _restore_sigterm, _stop_on_sigterm, repro_options
    from trail.errors import PipelineError
    from trail.experiments.run import run
    from trail.experiments.setparams import parse_set

    params = [parse_set(s) for s in args.set_params]  # a bad -S stops before any --pull
    check_flags(args)
    opts = repro_options(args, console)
    repo = _repo()
    repo.on_wait = console.err
    previous = _stop_on_sigterm()
    try:
        with on_cluster(args, repo, opts, console):
            result = run(
                repo,
                name=args.name,
                params=params,
                targets=args.targets,
                opts=opts,
                force=args.force,
                argv=getattr(args, "argv", ()),
                message=args.message,
            )
    finally:
        repo.close()
        _restore_sigterm(previous)
    if result.recorded is None:
        failed = ", ".join(f"'{n}'" for n in result.repro.failed)
        raise PipelineError(
            f"failed to reproduce {failed} (see `trail logs <stage>`): no experiment was recorded"
        )
    rec = result.recorded
    verb = "Replaced" if rec.replaced else "Ran"
    console.out(
        f"{verb} experiment '{rec.ref.name}' ({rec.sha[:7]}, baseline {rec.ref.baseline[:7]})"
    )
    console.out("Its results are in the workspace.")
    return 0


def _queued(args: argparse.Namespace, console: Console) -> int:
    """``--queue``, ``--run-all`` and ``--temp`` belong to the queue (``trail.cli.queue``)."""
    from trail.cli.queue import exp_run

    return exp_run(args, console)


def cmd_list(args: argparse.Namespace, console: Console) -> int:
    from trail.experiments.listing import list_experiments

    repo = _repo()
    listing = list_experiments(
        repo,
        rev=args.rev,
        all_branches=args.all_branches,
        all_commits=args.all_commits,
        git_remote=args.git_remote,
    )
    if args.json:
        console.json({b.name: [e.name for e in b.experiments] for b in listing})
        return 0
    for baseline in listing:
        if args.name_only or args.sha_only:
            for exp in baseline.experiments:
                console.data(exp.name if args.name_only else exp.sha)
            continue
        console.data(f"{baseline.name}:")
        for exp in baseline.experiments:
            console.data(f"\t{exp.sha[:7]} [{exp.name}]")
    return 0


def cmd_save(args: argparse.Namespace, console: Console) -> int:
    from trail.experiments.run import save

    repo = _repo()
    try:
        rec = save(repo, name=args.name, force=args.force, argv=getattr(args, "argv", ()))
    finally:
        repo.close()
    console.out(
        f"Saved experiment '{rec.ref.name}' ({rec.sha[:7]}, baseline {rec.ref.baseline[:7]})"
    )
    return 0
