"""Sharing commands: remote add|modify|default|list|remove|rename, push, pull, fetch."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console


def _levels(p: argparse.ArgumentParser) -> None:
    level = p.add_mutually_exclusive_group()
    for flag in ("--system", "--global", "--project", "--local"):
        level.add_argument(flag, dest="level", action="store_const", const=flag[2:])


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("remote", parents=[common], help="manage remote storage")
    rsub = p.add_subparsers(dest="remote_command", metavar="<subcommand>", required=True)
    s = rsub.add_parser("add", parents=[common], help="add a remote")
    s.add_argument("name")
    s.add_argument("url")
    s.add_argument("-d", "--default", action="store_true", help="make it the default remote")
    s.add_argument("-f", "--force", action="store_true", help="overwrite an existing remote")
    _levels(s)
    s.set_defaults(func=cmd_remote_add)
    s = rsub.add_parser("modify", parents=[common], help="set or unset an option of a remote")
    s.add_argument("name")
    s.add_argument("option")
    s.add_argument("value", nargs="?")
    s.add_argument("-u", "--unset", action="store_true")
    _levels(s)
    s.set_defaults(func=cmd_remote_modify)
    s = rsub.add_parser("default", parents=[common], help="show or set the default remote")
    s.add_argument("name", nargs="?")
    s.add_argument("-u", "--unset", action="store_true")
    _levels(s)
    s.set_defaults(func=cmd_remote_default)
    s = rsub.add_parser("list", parents=[common], help="list remotes")
    s.add_argument("--json", action="store_true", help="print JSON, for scripts")
    _levels(s)
    s.set_defaults(func=cmd_remote_list)
    s = rsub.add_parser("remove", parents=[common], help="remove a remote")
    s.add_argument("name")
    _levels(s)
    s.set_defaults(func=cmd_remote_remove)
    s = rsub.add_parser("rename", parents=[common], help="rename a remote")
    s.add_argument("old")
    s.add_argument("new")
    _levels(s)
    s.set_defaults(func=cmd_remote_rename)
    _register_transfers(sub, common)
    register_get(sub, common)
    register_ls(sub, common)
    register_du(sub, common)


def _config(args: argparse.Namespace) -> tuple[Any, str]:
    """The configuration to edit and the level (``repo`` unless a flag says otherwise)."""
    import os

    from trail.config import Config
    from trail.errors import NotARepoError
    from trail.repo import find_root

    level = {None: "repo", "project": "repo"}.get(args.level, args.level)
    try:
        root, dialect = find_root(".")
    except NotARepoError:
        if level in ("repo", "local"):
            raise
        return Config(None), level
    return Config(os.path.join(root, dialect.control), dialect.name), level


def cmd_remote_add(args: argparse.Namespace, console: Console) -> int:
    from trail.remote import settings

    config, level = _config(args)
    settings.add(config, level, args.name, args.url, default=args.default, force=args.force)
    return 0


def cmd_remote_modify(args: argparse.Namespace, console: Console) -> int:
    from trail.errors import UsageError
    from trail.remote import settings

    if args.unset == (args.value is not None):
        raise UsageError("give a value, or -u to unset the option")
    config, level = _config(args)
    written = settings.modify(config, level, args.name, args.option, args.value)
    if written != level:
        console.err(
            f"note: {args.option} is a secret: written to config.local (not tracked by Git)"
        )
    return 0


def cmd_remote_default(args: argparse.Namespace, console: Console) -> int:
    from trail.errors import RemoteConfigError
    from trail.remote import settings

    config, level = _config(args)
    if args.unset or args.name:
        settings.set_default(config, level, None if args.unset else args.name)
        return 0
    name = config.get("core", "remote")
    if not name:
        raise RemoteConfigError("no default remote is set (`trail remote default NAME`)")
    console.data(name)
    return 0


def cmd_remote_list(args: argparse.Namespace, console: Console) -> int:
    from trail.remote import settings

    config, _level = _config(args)
    infos = settings.remotes(config)
    if args.json:
        console.json(
            [
                {"name": r.name, "url": settings.masked(r.url), "default": r.is_default}
                for r in infos
            ]
        )
        return 0
    for r in infos:
        console.data(f"{r.name}\t{settings.masked(r.url)}{'  (default)' if r.is_default else ''}")
    return 0


def cmd_remote_remove(args: argparse.Namespace, console: Console) -> int:
    from trail.remote import settings

    config, level = _config(args)
    settings.remove(config, level, args.name)
    return 0


def cmd_remote_rename(args: argparse.Namespace, console: Console) -> int:
    from trail.remote import settings

    config, level = _config(args)
    settings.rename(config, level, args.old, args.new)
    return 0


def _transfer_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("targets", nargs="*", help="outputs, pointer files or paths inside outputs")
    p.add_argument("-r", "--remote", help="the remote to use (default: the default remote)")
    p.add_argument(
        "-j", "--jobs", type=int, help="parallel transfers (default: 4 × cores, 32+ on S3)"
    )
    p.add_argument("-a", "--all-branches", action="store_true", help="also every branch's data")
    p.add_argument("-T", "--all-tags", action="store_true", help="also every tag's data")
    p.add_argument("-A", "--all-commits", action="store_true", help="also every commit's data")
    p.add_argument("--all-experiments", action="store_true", help="also every experiment's data")
    scope_flags(p)
    p.add_argument(
        "--run-cache", action="store_true", help="also run-cache entries and their outputs"
    )


def _register_transfers(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("push", parents=[common], help="upload tracked data to a remote")
    _transfer_flags(p)
    p.add_argument(
        "--no-index", action="store_true", help="forget what the remote is known to hold"
    )
    p.set_defaults(func=cmd_push)
    p = sub.add_parser("fetch", parents=[common], help="download tracked data into the cache")
    p.add_argument("--max-size", type=int, help="only outputs smaller than this many bytes")
    p.add_argument(
        "--type",
        dest="types",
        action="append",
        choices=["metrics", "plots"],
        default=[],
        help="only stage outputs of this kind (repeatable)",
    )
    _transfer_flags(p)
    p.set_defaults(func=cmd_fetch)
    p = sub.add_parser("pull", parents=[common], help="fetch, then check out")
    _transfer_flags(p)
    p.add_argument("-f", "--force", action="store_true", help="overwrite uncached changes")
    p.add_argument(
        "--allow-missing",
        action="store_true",
        help="data neither here nor on the remote is not an error",
    )
    p.set_defaults(func=cmd_pull)


def _jobs(args: argparse.Namespace) -> int | None:
    from trail.errors import UsageError

    if args.jobs is not None and args.jobs < 1:
        raise UsageError("-j/--jobs must be at least 1")
    return int(args.jobs) if args.jobs is not None else None


def scope_flags(p: argparse.ArgumentParser) -> None:
    """DVC's ways of widening targets: ``-R``, ``--glob``, ``-d``."""
    p.add_argument(
        "-R", "--recursive", action="store_true", help="a directory target: everything below it"
    )
    p.add_argument("--glob", action="store_true", help="expand wildcards in targets")
    p.add_argument(
        "-d", "--with-deps", action="store_true", help="also the stages a stage target needs"
    )


def scope(args: argparse.Namespace) -> Any:
    from trail.ops.targets import Scope

    return Scope(
        glob=args.glob,
        recursive=args.recursive,
        with_deps=getattr(args, "with_deps", False),
    )


def _revs(args: argparse.Namespace) -> dict[str, bool]:
    return {
        "all_branches": args.all_branches,
        "all_tags": args.all_tags,
        "all_commits": args.all_commits,
        "all_experiments": args.all_experiments,
    }


def _summary(verb: str, result: Any, console: Console) -> None:
    if result.transferred:
        console.out(f"{result.transferred} files {verb}")
    else:
        console.out("Everything is up to date.")


def _fetched(result: Any, console: Console) -> None:
    """What came, and (pull) what its checkout changed in the workspace."""
    from trail.cli.data_render import print_changes

    changes = result.changes
    print_changes(changes, console)
    if not result.transferred and changes and (changes.added or changes.modified):
        console.out("Nothing fetched: checked out from the cache.")
    else:
        _summary("fetched", result, console)


def cmd_push(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.ops.push import push

    jobs = _jobs(args)
    with open_repo(console) as repo:
        result = push(
            repo,
            args.targets,
            remote=args.remote,
            jobs=jobs,
            use_index=not args.no_index,
            run_cache=args.run_cache,
            progress=console.progress(),
            scope=scope(args),
            **_revs(args),
        )
    _summary("pushed", result, console)
    return 0


def cmd_fetch(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.ops.fetch import fetch

    jobs = _jobs(args)
    with open_repo(console) as repo:
        result = fetch(
            repo,
            args.targets,
            remote=args.remote,
            jobs=jobs,
            run_cache=args.run_cache,
            progress=console.progress(),
            scope=scope(args),
            max_size=args.max_size,
            types=args.types,
            **_revs(args),
        )
    _fetched(result, console)
    return 0


def cmd_pull(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.ops.fetch import pull

    jobs = _jobs(args)
    with open_repo(console) as repo:
        result = pull(
            repo,
            args.targets,
            remote=args.remote,
            jobs=jobs,
            force=args.force,
            run_cache=args.run_cache,
            progress=console.progress(),
            scope=scope(args),
            allow_missing=args.allow_missing,
            **_revs(args),
        )
    if result.missing:
        shown = ", ".join(sorted(result.missing)[:10])
        console.err(f"WARNING: neither in the cache nor on the remote (skipped): {shown}")
    _fetched(result, console)
    return 0


def cloud_status(args: argparse.Namespace, console: Console) -> int:
    """``trail status -c``: DVC's words and layout."""
    from trail.cli.repos import open_repo as _repo
    from trail.ops import used
    from trail.ops.cloud_status import cloud_status as run

    repo = _repo(console)
    try:
        revs = used.revisions(repo, **_revs(args))
        result = run(repo, args.targets, remote=args.remote, jobs=_jobs(args), revs=revs)
    finally:
        repo.close()
    if args.json:
        console.json(result.changes)
        return 0
    if not result.changes:
        names = ", ".join(f"'{n}'" for n in result.remotes)
        console.out(f"Cache and remote {names} are in sync.")
        return 0
    for path, what in result.changes.items():
        console.out(f"\t{what + ':':<20}{path}")
    return 0


def register_get(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("get", parents=[common], help="copy data out of any trail/DVC repository")
    p.add_argument("url", help="a Git URL or a path to the repository")
    p.add_argument("path", help="the file or directory inside it")
    p.add_argument("-o", "--out", help="where to write it (default: its base name, here)")
    p.add_argument("--rev", help="a Git revision of the repository (default: its HEAD)")
    p.add_argument("-r", "--remote", help="a remote of that repository (default: its default)")
    p.add_argument("-j", "--jobs", type=int, help="parallel downloads")
    p.add_argument("-f", "--force", action="store_true", help="replace what is at the output")
    p.add_argument("--show-url", action="store_true", help="print its URL on the remote instead")
    p.add_argument("--config", help="a config file merged into that repository's config")
    p.set_defaults(func=cmd_get)


def cmd_get(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.get import get, get_url

    if args.show_url:
        console.data(
            get_url(args.url, args.path, rev=args.rev, remote=args.remote, config=args.config)
        )
        return 0
    result = get(
        args.url,
        args.path,
        out=args.out,
        rev=args.rev,
        remote=args.remote,
        jobs=_jobs(args),
        progress=console.progress(),
        force=args.force,
        config=args.config,
    )
    console.out(f"Copied {args.path} to {result.path}")
    return 0


def register_ls(sub: Any, common: argparse.ArgumentParser) -> None:
    for name in ("ls", "list"):  # DVC's command is `list`; `ls` its alias
        p = sub.add_parser(name, parents=[common], help="list a repository's files and outputs")
        p.add_argument("url", help="a Git URL or a path to the repository ('.' for this one)")
        p.add_argument("path", nargs="?", default="", help="a directory or file inside it")
        p.add_argument("--rev", help="a Git revision (default: its HEAD)")
        p.add_argument("-R", "--recursive", action="store_true", help="every file below the path")
        p.add_argument("--dvc-only", action="store_true", help="only outputs, not Git's files")
        p.add_argument("--size", action="store_true", help="show sizes")
        p.add_argument("--show-hash", action="store_true", help="show the outputs' hashes")
        p.add_argument("--json", action="store_true", help="print JSON (DVC's shape)")
        p.set_defaults(func=cmd_ls)


def cmd_ls(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.ls import ls

    entries = ls(
        args.url, args.path, rev=args.rev, recursive=args.recursive, dvc_only=args.dvc_only
    )
    base = args.path.strip("/")

    def shown(path: str) -> str:
        """Paths relative to the listed directory, as DVC shows them."""
        return path[len(base) + 1 :] if base and path != base else path

    if args.json:
        console.json(
            [
                {
                    "isout": e.isout,
                    "isdir": e.isdir,
                    "isexec": e.isexec,
                    "size": e.size,
                    "md5": e.hash,
                    "path": shown(e.path),
                }
                for e in entries
            ]
        )
        return 0
    for e in entries:
        cells = []
        if args.size:
            cells.append(f"{_human(e.size):>5}")
        if args.show_hash:
            cells.append(f"{e.hash or '-':<36}")
        console.data("  ".join([*cells, shown(e.path)]))
    return 0


def _human(size: int | None) -> str:
    """Sizes as DVC shows them: bytes, then 1.00k, 2.50M …"""
    if size is None:
        return "-"
    value = float(size)
    for unit in ("", "k", "M", "G", "T"):
        if value < 1024 or unit == "T":
            return str(size) if unit == "" else f"{value:.2f}{unit}"
        value /= 1024
    return str(size)


def register_du(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("du", parents=[common], help="disk usage of a repository's data")
    p.add_argument("url", help="a Git URL or a path to the repository ('.' for this one)")
    p.add_argument("path", nargs="?", default="", help="a directory or file inside it")
    p.add_argument("--rev", help="a Git revision (default: its HEAD)")
    p.add_argument("-s", "--summarize", action="store_true", help="only the total")
    p.set_defaults(func=cmd_du)


def cmd_du(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.du import du

    rows = [
        (_human(size), path)
        for path, size in du(args.url, args.path, rev=args.rev, summarize=args.summarize)
    ]
    width = max(len(size) for size, _ in rows)
    for size, path in rows:
        console.data(f"{size:<{width}}  {path}".rstrip())
    return 0
