"""Pipeline commands (stage add|list, dag)."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("stage", parents=[common], help="add or list pipeline stages")
    ssub = p.add_subparsers(dest="stage_command", metavar="<subcommand>", required=True)
    a = ssub.add_parser("add", parents=[common], help="write a stage into the pipeline file")
    a.add_argument("-n", "--name", required=True, help="stage name")
    a.add_argument("-d", "--deps", action="append", default=[], metavar="PATH")
    a.add_argument("-p", "--params", action="append", default=[], metavar="[FILE:]KEYS")
    a.add_argument("-o", "--outs", action="append", default=[], metavar="PATH")
    a.add_argument("-O", "--outs-no-cache", action="append", default=[], metavar="PATH")
    a.add_argument("--outs-persist", action="append", default=[], metavar="PATH")
    a.add_argument("--outs-persist-no-cache", action="append", default=[], metavar="PATH")
    a.add_argument("-m", "--metrics", action="append", default=[], metavar="PATH")
    a.add_argument("-M", "--metrics-no-cache", action="append", default=[], metavar="PATH")
    a.add_argument("--plots", action="append", default=[], metavar="PATH")
    a.add_argument("--plots-no-cache", action="append", default=[], metavar="PATH")
    a.add_argument("-w", "--wdir", help="directory the command runs in")
    a.add_argument("--always-changed", action="store_true", help="run the stage every time")
    a.add_argument("--desc", help="what the stage does")
    a.add_argument("-f", "--force", action="store_true", help="overwrite a stage of that name")
    a.add_argument("--run", action="store_true", help="run the stage once it is written")
    a.add_argument("command", nargs=argparse.REMAINDER, help="the command to run")
    a.set_defaults(func=cmd_stage_add)

    ls = ssub.add_parser("list", parents=[common], help="list stages")
    ls.add_argument("targets", nargs="*", help="stages or pipeline files")
    ls.add_argument("--all", action="store_true", help="stages of every pipeline file")
    ls.add_argument("--name-only", "--names-only", action="store_true", help="names only")
    ls.add_argument("--json", action="store_true", help="print JSON, for scripts")
    ls.set_defaults(func=cmd_stage_list)

    d = sub.add_parser("dag", parents=[common], help="show the pipeline graph")
    d.add_argument("targets", nargs="*", help="show only these stages and what they need")
    fmt = d.add_mutually_exclusive_group()
    fmt.add_argument("--dot", action="store_true", help="Graphviz dot")
    fmt.add_argument("--mermaid", action="store_true", help="Mermaid flowchart")
    fmt.add_argument("--md", action="store_true", help="Mermaid flowchart inside Markdown")
    d.add_argument("-o", "--outs", action="store_true", help="a graph of outputs, not stages")
    d.add_argument("--full", action="store_true", help="the whole part of the graph of targets")
    d.add_argument(
        "--collapse-foreach-matrix", action="store_true", help="one node per foreach/matrix"
    )
    d.set_defaults(func=cmd_dag)


def _repo() -> Any:
    from trail.cli.repos import open_repo

    return open_repo()


def cmd_stage_add(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.data import _git_hint
    from trail.errors import UsageError
    from trail.ops.stage import StageSpec, stage_add

    command = [w for w in args.command if w != "--"] if args.command[:1] == ["--"] else args.command
    if not command:
        raise UsageError("stage add needs a command to run (after the options)")
    spec = StageSpec(
        name=args.name,
        cmd=command,
        deps=args.deps,
        params=args.params,
        outs=args.outs,
        outs_no_cache=args.outs_no_cache,
        outs_persist=args.outs_persist,
        outs_persist_no_cache=args.outs_persist_no_cache,
        metrics=args.metrics,
        metrics_no_cache=args.metrics_no_cache,
        plots=args.plots,
        plots_no_cache=args.plots_no_cache,
        wdir=args.wdir,
        always_changed=args.always_changed,
        desc=args.desc,
    )
    repo = _repo()
    try:
        result = stage_add(repo, spec, force=args.force)
        console.out(f"Added stage '{result.name}' in '{result.file}'")
        for warning in result.warnings:
            console.err(f"WARNING: {warning}")
        if not args.run:
            _git_hint(repo, [*result.gitignores, result.file], console)
    finally:
        repo.close()
    if args.run:  # what `trail repro -s` does, with its output and exit code
        from trail.cli.repro import repro_stage

        target = result.name if "/" not in result.file else f"{result.file}:{result.name}"
        return repro_stage(target, console)
    return 0


def cmd_stage_list(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.stage import stage_list

    infos = stage_list(_repo(), args.targets, all_files=args.all)
    if args.json:
        console.json([{"name": i.name, "description": i.description} for i in infos])
        return 0
    if args.name_only:
        for info in infos:
            console.out(info.name)
        return 0
    width = max((len(i.name) for i in infos), default=0)
    for info in infos:
        console.out(f"{info.name:<{width}}  {info.description}".rstrip())
    return 0


def cmd_dag(args: argparse.Namespace, console: Console) -> int:
    from trail.errors import UsageError
    from trail.ops.dag import collapse_groups, dag, to_dot, to_mermaid, to_text

    if args.outs and args.collapse_foreach_matrix:
        raise UsageError("--outs and --collapse-foreach-matrix cannot be used together")
    graph = dag(_repo(), args.targets, outs=args.outs, full=args.full)
    if args.collapse_foreach_matrix:
        graph = collapse_groups(graph)
    if args.dot:
        text = to_dot(graph)
    elif args.mermaid or args.md:
        text = to_mermaid(graph, markdown=args.md)
    else:
        text = to_text(graph)
    console.out(text if args.dot else text.rstrip("\n"))  # dvc ends dot with a blank line
    return 0
