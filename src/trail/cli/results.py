"""Result commands: params show|diff, metrics show|diff, plots show|diff."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console

DEFAULT_PRECISION = 5


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    fmt = argparse.ArgumentParser(add_help=False)
    group = fmt.add_mutually_exclusive_group()
    group.add_argument(
        "--json", dest="fmt", action="store_const", const="json", help="print JSON (DVC's shape)"
    )
    group.add_argument(
        "--md", dest="fmt", action="store_const", const="md", help="a Markdown (GFM) table"
    )
    group.add_argument("--csv", dest="fmt", action="store_const", const="csv", help="print CSV")
    fmt.add_argument("--precision", type=_digits, metavar="N", help="digits after the point (5)")
    fmt.set_defaults(fmt="table")

    p = sub.add_parser("params", parents=[common], help="compare params between revisions")
    psub = p.add_subparsers(dest="params_command", metavar="<subcommand>", required=True)
    s = psub.add_parser("diff", parents=[common, fmt], help="params changed between revisions")
    _diff_args(s)
    s.set_defaults(func=cmd_params_diff)
    s = psub.add_parser("show", parents=[common, fmt], help="params of revisions")
    s.add_argument("targets", nargs="*", help="params files (default: those of the pipeline)")
    _all_revs_args(s)
    s.add_argument("--deps", action="store_true", help="only params some stage depends on")
    s.set_defaults(func=cmd_params_show)

    p = sub.add_parser("metrics", parents=[common], help="show and compare metrics")
    msub = p.add_subparsers(dest="metrics_command", metavar="<subcommand>", required=True)
    s = msub.add_parser("show", parents=[common, fmt], help="metrics of revisions")
    s.add_argument("targets", nargs="*", help="metrics files (default: those declared)")
    _all_revs_args(s)
    s.set_defaults(func=cmd_metrics_show)
    s = msub.add_parser("diff", parents=[common, fmt], help="metrics changed between revisions")
    _diff_args(s)
    s.set_defaults(func=cmd_metrics_diff)

    from trail.cli.plots import register_plots

    register_plots(sub, common)


def _digits(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of digits (0 or more)")
    return int(text)


def _diff_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("a_rev", nargs="?", default="HEAD", help="old revision (HEAD)")
    p.add_argument("b_rev", nargs="?", help="new revision (the workspace)")
    p.add_argument("--targets", nargs="+", default=[], metavar="PATH", help="only these files")
    p.add_argument("--all", action="store_true", help="also show unchanged values")


def _all_revs_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-a", "--all-branches", action="store_true", help="every branch too")
    p.add_argument("-T", "--all-tags", action="store_true", help="every tag too")
    p.add_argument("-A", "--all-commits", action="store_true", help="every commit too")


def _repo() -> Any:
    from trail.cli.repos import open_repo

    return open_repo()


def cmd_metrics_show(args: argparse.Namespace, console: Console) -> int:
    from trail.cli import results_render as r
    from trail.ops.metrics import metrics_show

    repo = _repo()
    result = metrics_show(
        repo,
        args.targets,
        all_branches=args.all_branches,
        all_tags=args.all_tags,
        all_commits=args.all_commits,
    )
    result = r.show_for_cwd(result, repo.root)
    if args.fmt == "json":
        console.json(r.show_json(result, args.precision))
    else:
        headers, rows = r.show_rows(result, _precision(args))
        if rows:
            _table(headers, rows, args.fmt)
        elif not result.errors:
            console.err("No metrics files found (declare them under `metrics:` in the pipeline)")
    for rev in result.revs:  # declared but not made yet: shown as DVC shows them, not an error
        for path in rev.absent:
            where = "the workspace" if rev.rev == "workspace" else rev.rev
            console.err(f"WARNING: {path}: no such file in {where}")
    return _report_errors(result.errors, console)


def cmd_params_show(args: argparse.Namespace, console: Console) -> int:
    from trail.cli import results_render as r
    from trail.ops.metrics import params_show_revs

    repo = _repo()
    result = params_show_revs(
        repo,
        args.targets,
        all_branches=args.all_branches,
        all_tags=args.all_tags,
        all_commits=args.all_commits,
        deps=args.deps,
    )
    result = r.show_for_cwd(result, repo.root)
    if args.fmt == "json":
        console.json(r.show_json(result, args.precision))
    else:
        headers, rows = r.show_rows(result, _precision(args))
        if rows:
            _table(headers, rows, args.fmt)
    return _report_errors(result.errors, console)


def cmd_metrics_diff(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.metrics import metrics_diff

    repo = _repo()
    result = metrics_diff(repo, args.a_rev, args.b_rev, targets=args.targets, show_all=args.all)
    return _show_diff(repo, result, args, console, "Metric", with_change=True)


def cmd_params_diff(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.metrics import params_diff

    repo = _repo()
    result = params_diff(repo, args.a_rev, args.b_rev, targets=args.targets, show_all=args.all)
    return _show_diff(repo, result, args, console, "Param", with_change=False)


def _show_diff(
    repo: Any,
    result: Any,
    args: argparse.Namespace,
    console: Console,
    noun: str,
    with_change: bool,
) -> int:
    from trail.cli import results_render as r

    result = r.diff_for_cwd(result, repo.root)
    if args.fmt == "json":
        console.json(r.diff_json(result, args.precision, with_change))
    elif result.diff.changes:
        headers, rows = r.diff_rows(result, _precision(args), noun, with_change)
        _table(headers, rows, args.fmt)
    return _report_errors(result.errors, console)


def _precision(args: argparse.Namespace) -> int:
    return DEFAULT_PRECISION if args.precision is None else int(args.precision)


def _table(headers: list[str], rows: list[list[str]], fmt: str) -> None:
    from trail.cli.tables import print_table

    print_table(headers, rows, fmt)


def _report_errors(errors: Any, console: Console) -> int:
    for err in errors:
        console.err(f"ERROR: {err}")
    return 1 if errors else 0
