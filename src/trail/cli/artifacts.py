"""``trail artifacts add|list|register|assign|unassign|deprecate|show|history|get``: the model
registry, kept in Git tags as GTO keeps it."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "artifacts", parents=[common], help="declare artifacts, register versions, assign stages"
    )
    asub = p.add_subparsers(dest="artifacts_command", metavar="<subcommand>", required=True)

    s = asub.add_parser("add", parents=[common], help="declare an artifact in the pipeline file")
    s.add_argument("name", help="NAME (in the pipeline file here) or sub/dir:NAME")
    s.add_argument("path", help="its file or directory")
    s.add_argument("--type", help="e.g. model, dataset")
    s.add_argument("--desc", help="a description")
    s.add_argument("--label", action="append", default=[], help="a label (repeatable)")
    s.add_argument(
        "--meta",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a meta entry (repeatable), e.g. serve=src/serve.py:load",
    )
    s.set_defaults(func=cmd_add)

    s = asub.add_parser("list", parents=[common], help="the artifacts pipeline files declare")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = asub.add_parser("register", parents=[common], help="register a version (a Git tag)")
    s.add_argument("name")
    s.add_argument("rev", nargs="?", default="HEAD", help="the commit (default: HEAD)")
    group = s.add_mutually_exclusive_group()
    group.add_argument("--version", help="vX.Y.Z (default: the latest version, bumped)")
    group.add_argument("--bump", choices=("major", "minor", "patch"), help="which part to bump")
    _tag_flags(s)
    s.set_defaults(func=cmd_register)

    s = asub.add_parser("assign", parents=[common], help="put a version in a stage (a Git tag)")
    s.add_argument("name")
    s.add_argument("rev", nargs="?", help="a commit, registered first if it is no version yet")
    s.add_argument("--version", help="the version (default: the one at REV, or HEAD)")
    s.add_argument("--stage", required=True, help="e.g. dev, staging, prod")
    s.add_argument("-f", "--force", action="store_true", help="assign it again")
    _tag_flags(s)
    s.set_defaults(func=cmd_assign)

    s = asub.add_parser("unassign", parents=[common], help="take a stage from a version")
    s.add_argument("name")
    s.add_argument("rev", nargs="?", help="the version's commit")
    s.add_argument("--version", help="the version (default: the one in the stage)")
    s.add_argument("--stage", required=True)
    _tag_flags(s)
    s.set_defaults(func=cmd_unassign)

    s = asub.add_parser(
        "deprecate", parents=[common], help="deprecate an artifact, or deregister a version"
    )
    s.add_argument("name")
    s.add_argument("--version", help="deregister this version instead")
    _tag_flags(s)
    s.set_defaults(func=cmd_deprecate)

    s = asub.add_parser("show", parents=[common], help="versions and stages, as GTO shows them")
    s.add_argument("name", nargs="?", help="one artifact's versions (default: every artifact)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--deprecated", action="store_true", help="include deprecated artifacts")
    s.set_defaults(func=cmd_show)

    s = asub.add_parser("history", parents=[common], help="the registry's events, newest first")
    s.add_argument("name", nargs="?")
    s.add_argument("--json", action="store_true")
    s.add_argument("--ascending", action="store_true", help="oldest first")
    s.set_defaults(func=cmd_history)

    s = asub.add_parser(
        "get", parents=[common], help="download a version of another repository's artifact"
    )
    s.add_argument("url", help="a Git URL or a path to the repository")
    s.add_argument("name", help="NAME, NAME@vX.Y.Z or NAME#STAGE")
    s.add_argument("-o", "--out", help="where to put it (default: its base name, here)")
    s.add_argument("-r", "--remote", help="a remote of that repository (default: its default)")
    s.add_argument("-j", "--jobs", type=int, help="parallel downloads")
    s.set_defaults(func=cmd_get)


def _tag_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("-m", "--message", help="the tag's message (default: GTO's)")
    p.add_argument("--push", action="store_true", help="push the tag to the Git remote")
    p.add_argument("--remote", default="origin", help="the Git remote to push to (origin)")


def _repo(console: Console) -> Any:
    from trail.cli.repos import open_repo as find

    return find(console)


def _meta(pairs: list[str]) -> dict[str, str]:
    from trail.errors import UsageError

    meta = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--meta takes KEY=VALUE, not '{pair}'")
        meta[key] = value
    return meta


def cmd_add(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.data import _git_hint
    from trail.registry.declared import add

    repo = _repo(console)
    result = add(
        repo,
        args.name,
        args.path,
        type=args.type,
        desc=args.desc,
        labels=args.label,
        meta=_meta(args.meta),
    )
    verb = "Added" if result.created else "Updated"
    console.out(f"{verb} artifact '{result.name}' in {result.file}")
    _git_hint(repo, [result.file], console)
    return 0


def cmd_list(args: argparse.Namespace, console: Console) -> int:
    from trail.registry.declared import declared

    found = declared(_repo(console))
    if args.json:
        console.json([d.to_dict() for d in found])
        return 0
    if not found:
        console.out("No artifacts declared (add one with `trail artifacts add NAME PATH`).")
        return 0
    from trail.cli.tables import print_table

    rows = [[d.name, d.repo_path, d.type or "", d.desc or ""] for d in found]
    print_table(["name", "path", "type", "desc"], rows)
    return 0


def _done(console: Console, result: Any, what: str) -> None:
    if result.registered is not None:
        _done(console, result.registered, "registers version")
    console.out(f"Created git tag '{result.tag}' that {what}")
    if result.pushed_to:
        console.out(f"Pushed it to '{result.pushed_to}'")


def cmd_register(args: argparse.Namespace, console: Console) -> int:
    from trail.registry.actions import register

    result = register(
        _repo(console),
        args.name,
        args.rev,
        version=args.version,
        bump=args.bump,
        message=args.message,
        push=args.push,
        remote=args.remote,
    )
    _done(console, result, f"registers version {result.version}")
    return 0


def cmd_assign(args: argparse.Namespace, console: Console) -> int:
    from trail.registry.actions import assign

    result = assign(
        _repo(console),
        args.name,
        args.stage,
        args.rev,
        version=args.version,
        message=args.message,
        force=args.force,
        push=args.push,
        remote=args.remote,
    )
    _done(console, result, f"assigns stage '{result.stage}' to version {result.version}")
    return 0


def cmd_unassign(args: argparse.Namespace, console: Console) -> int:
    from trail.registry.actions import unassign

    result = unassign(
        _repo(console),
        args.name,
        args.stage,
        args.rev,
        version=args.version,
        message=args.message,
        push=args.push,
        remote=args.remote,
    )
    _done(console, result, f"unassigns stage '{result.stage}' from version {result.version}")
    return 0


def cmd_deprecate(args: argparse.Namespace, console: Console) -> int:
    from trail.registry.actions import deprecate

    result = deprecate(
        _repo(console),
        args.name,
        version=args.version,
        message=args.message,
        push=args.push,
        remote=args.remote,
    )
    what = f"deregisters version {args.version}" if args.version else "deprecates the artifact"
    _done(console, result, what)
    return 0


def _registry(console: Console) -> Any:
    from trail.registry.load import git_of, load_registry

    repo = _repo(console)
    return load_registry(git_of(repo.root, repo.scm))


def cmd_show(args: argparse.Namespace, console: Console) -> int:
    from trail.registry import show

    registry = _registry(console)
    if args.name:
        from trail.registry.declared import UnknownArtifactError
        from trail.registry.names import parse_spec

        spec = parse_spec(args.name)
        artifact = registry.find(spec.name)
        if artifact is None:
            raise UnknownArtifactError(spec.name, "the registry has no tag for it")
        rows = show.versions(artifact, deprecated=args.deprecated)
        if spec.version:
            rows = [r for r in rows if r["version"] == spec.version]
        elif spec.stage:
            rows = [r for r in rows for s in r["stages"] if s["stage"] == spec.stage]
        if args.json:
            console.json(show.jsonable(rows))
        else:
            _print_versions(rows, console)
        return 0
    overview = show.overview(registry, deprecated=args.deprecated)
    if args.json:
        console.json(show.jsonable(overview))
        return 0
    if not overview:
        console.out("Nothing registered yet (`trail artifacts register NAME`).")
        return 0
    from trail.cli.tables import print_table

    stages = registry.stages()
    table: list[list[str]] = [
        [name if d["registered"] else f"*{name}", d["version"] or "-"]
        + [d["stage"][s] or "-" for s in stages]
        for name, d in sorted(overview.items())
    ]
    print_table(["name", "latest", *(f"#{s}" for s in stages)], table)
    return 0


def _print_versions(rows: list[dict[str, Any]], console: Console) -> None:
    if not rows:
        console.out("No versions.")
        return
    from trail.cli.tables import print_table

    table = [
        [
            r["artifact"],
            r["version"][:7] if len(r["version"]) == 40 else r["version"],
            ", ".join(dict.fromkeys(s["stage"] for s in r["stages"])),
            r["created_at"].isoformat(sep=" ", timespec="seconds"),
            r["ref"],
        ]
        for r in rows
    ]
    print_table(["artifact", "version", "stage", "created_at", "ref"], table)


def cmd_history(args: argparse.Namespace, console: Console) -> int:
    from trail.registry import show

    events = show.history(_registry(console), args.name, ascending=args.ascending)
    if args.json:
        console.json(show.jsonable(events))
        return 0
    if not events:
        console.out("Nothing registered yet.")
        return 0
    from trail.cli.tables import print_table

    rows = [
        [
            e["timestamp"].isoformat(sep=" ", timespec="seconds"),
            e["artifact"],
            e["event"],
            e["version"] or "-",
            e["stage"] or "-",
            e["commit"][:7],
            e["ref"],
        ]
        for e in events
    ]
    print_table(["timestamp", "artifact", "event", "version", "stage", "commit", "ref"], rows)
    return 0


def cmd_get(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.remote import _jobs
    from trail.registry.get import get_artifact
    from trail.registry.names import parse_spec

    result = get_artifact(
        args.url,
        parse_spec(args.name),
        out=args.out,
        remote=args.remote,
        jobs=_jobs(args),
        progress=console.progress(),
    )
    r = result.resolved
    console.out(
        f"Downloaded {r.name} {r.version}{f' ({r.stage})' if r.stage else ''} "
        f"from commit {r.commit[:7]} to '{args.out or result.path}'"
    )
    return 0
