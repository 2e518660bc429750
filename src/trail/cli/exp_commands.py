"""``trail exp show|diff|apply|branch|remove|push|pull|clean``."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.results import DEFAULT_PRECISION, _digits
from trail.cli.ui import Console


def register(esub: Any, common: argparse.ArgumentParser) -> None:
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

    s = esub.add_parser("show", parents=[common, fmt], help="compare experiments in a table")
    s.add_argument("-a", "--all-branches", action="store_true", help="of every branch tip too")
    s.add_argument("-T", "--all-tags", action="store_true", help="of every tag too")
    s.add_argument("-A", "--all-commits", action="store_true", help="of every baseline")
    s.add_argument(
        "-n", "--num", type=int, default=1, metavar="N", help="HEAD and N-1 parents (<0: all)"
    )
    s.add_argument(
        "--rev", action="append", default=[], help="start from this commit instead of HEAD"
    )
    s.add_argument("--sort-by", metavar="COL", help="sort experiments by a metric or param")
    s.add_argument("--sort-order", choices=("asc", "desc"), default="asc")
    s.add_argument("--only-changed", action="store_true", help="hide columns that never vary")
    s.add_argument("--keep", metavar="REGEX", action="append", help="always show these columns")
    s.add_argument("--drop", metavar="REGEX", action="append", help="hide columns matching this")
    s.add_argument("--hide-queued", action="store_true", help="hide runs waiting in the queue")
    s.add_argument("--hide-failed", action="store_true", help="hide queued runs that failed")
    s.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="PATH",
        help="add columns of this table's profile (rows, nulls, means); needs trail[data]",
    )
    s.add_argument("--hide-workspace", action="store_true", help="hide the workspace row")
    s.add_argument("--param-deps", action="store_true", help="only params stages depend on")
    s.add_argument("--sha", action="store_true", help="commit ids instead of branch/tag names")
    s.add_argument("--no-pager", action="store_true", help="accepted for DVC (no pager here)")
    s.add_argument("-f", "--force", action="store_true", help="accepted for DVC (no exp cache)")
    s.add_argument("--pcp", action="store_true", help="also draw a parallel coordinates plot")
    s.add_argument("-o", "--out", metavar="DIR", help="where --pcp writes index.html")
    s.set_defaults(func=cmd_show)

    d = esub.add_parser("diff", parents=[common, fmt], help="params and metrics of two experiments")
    d.add_argument("a", nargs="?", help="old experiment or revision (HEAD)")
    d.add_argument("b", nargs="?", help="new experiment or revision (the workspace)")
    d.add_argument("--all", action="store_true", help="also show unchanged values")
    d.add_argument("--env", action="store_true", help="compare the captured environments")
    d.set_defaults(func=cmd_diff)

    a = esub.add_parser("apply", parents=[common], help="put an experiment into the workspace")
    a.add_argument("experiment")
    a.add_argument("-f", "--force", action="store_true", help="replace uncommitted changes")
    a.set_defaults(func=cmd_apply)

    b = esub.add_parser("branch", parents=[common], help="make a Git branch of an experiment")
    b.add_argument("experiment")
    b.add_argument("branch", nargs="?", help="the branch name (default: <experiment>-branch)")
    b.set_defaults(func=cmd_branch)

    r = esub.add_parser("remove", aliases=["rm"], parents=[common], help="remove experiments")
    r.add_argument("experiments", nargs="*")
    _choice_args(r, all_flag=("-A", "--all"))
    r.add_argument("-g", "--git-remote", help="remove them from this Git remote instead")
    r.add_argument("--queue", action="store_true", help="also every run waiting in the queue")
    r.add_argument("--keep", action="store_true", help="keep the ones named, remove the others")
    r.set_defaults(func=cmd_remove)

    n = esub.add_parser("rename", parents=[common], help="give an experiment another name")
    n.add_argument("experiment")
    n.add_argument("name")
    n.add_argument("-f", "--force", action="store_true", help="replace one of that name")
    n.set_defaults(func=cmd_rename)

    for verb in ("push", "pull"):
        x = esub.add_parser(verb, parents=[common], help=f"{verb} experiments and their data")
        x.add_argument("git_remote", help="a Git remote name or URL")
        x.add_argument("experiments", nargs="*")
        _choice_args(x, all_flag=("-A", "--all-commits"))
        x.add_argument("-f", "--force", action="store_true", help="replace diverged refs")
        x.add_argument("--no-cache", action="store_true", help="refs only, not the data")
        x.add_argument("-r", "--remote", help="the data remote (default: the default remote)")
        x.add_argument("-j", "--jobs", type=int, help="parallel transfers")
        x.set_defaults(func=cmd_sync, verb=verb)

    c = esub.add_parser("clean", parents=[common], help="remove leftovers of experiments")
    c.set_defaults(func=cmd_clean)


def _choice_args(p: argparse.ArgumentParser, all_flag: tuple[str, str]) -> None:
    p.add_argument(*all_flag, dest="all_exps", action="store_true", help="every experiment")
    p.add_argument("--rev", help="those of this baseline")
    p.add_argument("-n", "--num", type=int, default=1, help="with --rev: and N-1 parents")


def _repo() -> Any:
    from trail.cli.repos import open_repo

    return open_repo()


def cmd_show(args: argparse.Namespace, console: Console) -> int:
    from trail.cli import exp_render as r
    from trail.errors import UsageError
    from trail.experiments.show import collect

    if args.num == 0:
        raise UsageError("-n/--num must not be 0 (a negative value shows every parent)")
    repo = _repo()
    try:
        shown = collect(
            repo,
            rev=args.rev,
            num=args.num,
            all_branches=args.all_branches,
            all_tags=args.all_tags,
            all_commits=args.all_commits,
            queued=not args.hide_queued,
            failed=not args.hide_failed,
        )
        rows = [r_ for r_ in shown.rows if not (args.hide_workspace and r_.kind == "workspace")]
        if args.profile:
            from trail.quality.repo.expshow import with_profiles

            rows = with_profiles(repo, rows, args.profile)
    finally:
        repo.close()
    if args.fmt in ("json", "csv"):
        return _show_dvc(args, console, rows)
    rows = r.for_cwd(rows, repo.root)
    if args.param_deps:
        rows = [_param_deps_only(row) for row in rows]
    if args.sha:
        rows = [_sha_named(row) for row in rows]
    cols = r.columns(rows)
    ordered = r.sort_rows(rows, cols, args.sort_by, args.sort_order == "desc")
    keep = "|".join(args.keep) if args.keep else None
    drop = "|".join(args.drop) if args.drop else None
    chosen = r.choose(cols, rows, keep=keep, drop=drop, only_changed=args.only_changed)
    precision = DEFAULT_PRECISION if args.precision is None else args.precision
    headers, cells = r.table(ordered, chosen, precision, args.fmt)
    r.print_table(headers, cells, args.fmt)
    if args.pcp:
        _write_pcp(args, console, ordered, chosen)
    return _report_row_errors(rows, console)


def _show_dvc(args: argparse.Namespace, console: Console, rows: list[Any]) -> int:
    """``--json``/``--csv``: DVC's shapes, paths relative to the repository root as DVC's."""
    from trail.experiments.show_json import dvc_csv, dvc_json

    if args.fmt == "json":
        console.json(dvc_json(rows, param_deps=args.param_deps, sha_only=args.sha))
    else:
        text = dvc_csv(
            rows,
            precision=args.precision,
            keep=args.keep or (),
            drop=args.drop or (),
            only_changed=args.only_changed,
            sort_by=args.sort_by,
            descending=args.sort_order == "desc",
            param_deps=args.param_deps,
            sha_only=args.sha,
        )
        console.data(text.rstrip("\n"))
    return _report_row_errors(rows, console)


def _param_deps_only(row: Any) -> Any:
    from dataclasses import replace

    def wanted(file: str, key: str) -> bool:
        keys = row.param_deps.get(file, ())
        return any(key == k or key.startswith(f"{k}.") for k in keys)

    params = {f: {k: v for k, v in d.items() if wanted(f, k)} for f, d in row.params.items()}
    return replace(row, params={f: d for f, d in params.items() if d})


def _sha_named(row: Any) -> Any:
    from dataclasses import replace

    return replace(row, name=row.rev[:7]) if row.kind == "baseline" else row


def _write_pcp(args: argparse.Namespace, console: Console, rows: Any, cols: Any) -> None:
    import os

    from trail.cli.exp_render import pcp_spec
    from trail.ops.plots import write_specs

    out_dir = args.out or "dvc_plots"
    path = write_specs([("Experiments", pcp_spec(rows, cols))], out_dir)
    console.out(f"file://{os.path.abspath(path)}")


def _report_row_errors(rows: Any, console: Console) -> int:
    errors = [(row.name, msg) for row in rows for msg in row.errors.values()]
    for name, msg in errors:
        console.err(f"ERROR: {name}: {msg}")
    return 1 if errors else 0


def cmd_diff(args: argparse.Namespace, console: Console) -> int:
    from trail.cli import results_render as rr

    repo = _repo()
    try:
        if args.env:
            return _env_diff(repo, args, console)
        from trail.experiments.diff import diff

        result = diff(repo, args.a, args.b, show_all=args.all)
    finally:
        repo.close()
    params = rr.diff_for_cwd(result.params, repo.root)
    metrics = rr.diff_for_cwd(result.metrics, repo.root)
    if args.fmt == "json":
        console.json(
            {
                "metrics": rr.diff_json(metrics, args.precision, True),
                "params": rr.diff_json(params, args.precision, False),
            }
        )
    else:
        precision = DEFAULT_PRECISION if args.precision is None else args.precision
        from trail.cli.tables import print_table

        shown = False
        for part, noun, change in ((metrics, "Metric", True), (params, "Param", False)):
            if part.diff.changes:
                if shown:
                    console.data("")
                print_table(*rr.diff_rows(part, precision, noun, change), args.fmt)
                shown = True
    errors = [*metrics.errors, *params.errors]
    for err in errors:
        console.err(f"ERROR: {err}")
    return 1 if errors else 0


def _env_diff(repo: Any, args: argparse.Namespace, console: Console) -> int:
    from trail.cli.results_render import cell
    from trail.errors import UsageError
    from trail.experiments.diff import env_diff

    if args.a is None:
        raise UsageError("exp diff --env needs an experiment to compare")
    result = env_diff(repo, args.a, args.b)
    if args.fmt == "json":
        console.json({k: {"old": old, "new": new} for k, old, new in result.changes})
        return 0
    if not result.changes:
        console.out(f"No environment differences between '{result.old}' and '{result.new}'.")
        return 0
    from trail.cli.tables import print_table

    rows = [[k, cell(old, 99), cell(new, 99)] for k, old, new in result.changes]
    print_table(["Key", result.old, result.new], rows, args.fmt)
    return 0


def cmd_apply(args: argparse.Namespace, console: Console) -> int:
    from trail.experiments.apply import BACKUP_REF, apply

    repo = _repo()
    try:
        result = apply(repo, args.experiment, force=args.force)
    finally:
        repo.close()
    if result.backup:
        console.out(
            f"Your uncommitted changes were saved as {result.backup[:7]} ({BACKUP_REF}); "
            f"`git checkout {result.backup[:7]} -- <path>` brings a file back."
        )
    console.out(f"Changes for experiment '{result.exp.name}' have been applied to your workspace.")
    return 0


def cmd_branch(args: argparse.Namespace, console: Console) -> int:
    from trail.experiments.branch import branch

    repo = _repo()
    exp, name = branch(repo, args.experiment, args.branch)
    console.out(f"Git branch '{name}' has been created from experiment '{exp.name}'.")
    console.out(f"To switch to it, run:\n\n\tgit checkout {name}\n")
    return 0


def cmd_remove(args: argparse.Namespace, console: Console) -> int:
    from trail.errors import UsageError
    from trail.experiments.remove import remove

    if not (args.experiments or args.all_exps or args.rev or args.queue):
        raise UsageError("name the experiments to remove, or use -A/--all, --rev or --queue")
    if args.keep and not (args.experiments or args.rev):
        raise UsageError("--keep keeps the experiments named (or of --rev): name some")
    if args.keep and args.git_remote:
        raise UsageError("--keep works on this repository's experiments, not a Git remote's")
    repo = _repo()
    if args.queue:
        from trail.cli.queue import _queue
        from trail.experiments.control import remove as forget
        from trail.experiments.control import select as queued

        queue = _queue()
        gone = forget(queue, queued(queue, [], queued=True))
        console.out(f"Removed {len(gone)} queued run{'s' if len(gone) != 1 else ''}.")
        if not (args.experiments or args.all_exps or args.rev):
            return 0
    removed = remove(
        repo,
        args.experiments,
        all_exps=args.all_exps,
        rev=args.rev,
        num=args.num,
        git_remote=args.git_remote,
        keep=args.keep,
    )
    where = f" from '{args.git_remote}'" if args.git_remote else ""
    if removed:
        console.out(f"Removed experiments{where}: {', '.join(r.name for r in removed)}")
    else:
        console.out(f"No experiments to remove{where}.")
    return 0


def cmd_rename(args: argparse.Namespace, console: Console) -> int:
    from trail.experiments.remove import rename

    repo = _repo()
    old, new = rename(repo, args.experiment, args.name, force=args.force)
    console.out(f"Renamed experiment '{old.name}' to '{new.name}'.")
    return 0


def cmd_sync(args: argparse.Namespace, console: Console) -> int:
    from trail.experiments import sync

    repo = _repo()
    try:
        result = getattr(sync, args.verb)(
            repo,
            args.git_remote,
            args.experiments,
            all_exps=args.all_exps,
            rev=args.rev,
            num=args.num,
            force=args.force,
            remote=args.remote,
            jobs=args.jobs,
            progress=console.progress(),
            **{f"{args.verb}_cache": not args.no_cache},
        )
    finally:
        repo.close()
    names = ", ".join(r.name for r in result.refs)
    done = "Pushed" if args.verb == "push" else "Pulled"
    if not result.refs:
        console.out(f"No experiments to {args.verb}.")
    else:
        console.out(f"{done} experiments: {names}")
    if result.data is not None and result.data.transferred:
        console.out(
            f"{result.data.transferred} files {'pushed' if args.verb == 'push' else 'fetched'}"
        )
    if result.data_error is not None:
        raise result.data_error
    return 0


def cmd_clean(args: argparse.Namespace, console: Console) -> int:
    from trail.experiments.clean import clean

    repo = _repo()
    removed = clean(repo)
    if removed.experiments:
        console.out(f"Removed {len(removed.experiments)} orphaned experiment records.")
    if removed.snapshots:
        n = len(removed.snapshots)
        console.out(f"Removed {n} snapshot{'s' * (n != 1)} of runs no longer queued.")
    if not len(removed):
        console.out("Nothing to clean.")
    return 0
