"""Imports: ``import`` (from another repository), ``import-url`` (from a URL), ``update``."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "import", parents=[common], help="track data of another repository, remembering where"
    )
    p.add_argument("url", help="a Git URL or a path to the repository")
    p.add_argument("path", help="the file or directory inside it")
    p.add_argument("-o", "--out", help="where to put it (default: its base name, here)")
    p.add_argument("--rev", help="a Git revision of the repository (default: its HEAD)")
    p.add_argument("-r", "--remote", help="a remote of that repository (default: its default)")
    _import_flags(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("import-url", parents=[common], help="track data from a URL or path")
    p.add_argument("url", help="a local path, s3://, ssh://, http(s):// or remote://NAME/path")
    p.add_argument("out", nargs="?", help="where to put it (default: its base name, here)")
    p.add_argument(
        "--fs-config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an option for the URL's file system (as for a remote: endpointurl, user …)",
    )
    _import_flags(p)
    p.set_defaults(func=cmd_import_url)

    p = sub.add_parser("update", parents=[common], help="bring imports up to date")
    p.add_argument("targets", nargs="*", help="import pointer files (default: every import)")
    p.add_argument("--rev", help="a new revision to import from (repository imports)")
    p.add_argument("-R", "--recursive", action="store_true", help="every import under a dir")
    p.add_argument("--no-download", action="store_true", help="record the new state only")
    p.add_argument("-j", "--jobs", type=int, help="parallel downloads")
    p.set_defaults(func=cmd_update)


def _import_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing output")
    p.add_argument("--no-exec", action="store_true", help="only write the pointer file")
    p.add_argument(
        "--no-download",
        action="store_true",
        help="record where the data is and what it is, but do not download it",
    )
    p.add_argument("-j", "--jobs", type=int, help="parallel downloads")


def _jobs(args: argparse.Namespace) -> int | None:
    from trail.cli.remote import _jobs as jobs

    return jobs(args)


def _report(result: Any, what: str, console: Console, repo: Any) -> None:
    from trail.cli.data import _git_hint

    verb = "Importing" if result.downloaded else "Recorded"
    console.out(f"{verb} {what} -> '{result.out}'")
    files = [result.pointer_file] + ([result.gitignore] if result.gitignore else [])
    _git_hint(repo, files, console)


def cmd_import(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.ops.import_repo import import_repo

    jobs = _jobs(args)
    with open_repo(console) as repo:
        result = import_repo(
            repo,
            args.url,
            args.path,
            out=args.out,
            rev=args.rev,
            force=args.force,
            no_exec=args.no_exec,
            no_download=args.no_download,
            remote=args.remote,
            jobs=jobs,
            progress=console.progress(),
        )
        _report(result, f"'{args.path} ({args.url})'", console, repo)
    return 0


def cmd_import_url(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.errors import UsageError
    from trail.ops.import_url import import_url

    jobs = _jobs(args)
    fs_config = {}
    for item in args.fs_config:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--fs-config takes KEY=VALUE, not '{item}'")
        fs_config[key] = value
    with open_repo(console) as repo:
        result = import_url(
            repo,
            args.url,
            args.out,
            force=args.force,
            no_exec=args.no_exec,
            no_download=args.no_download,
            fs_config=fs_config,
            jobs=jobs,
            progress=console.progress(),
        )
        _report(result, f"'{args.url}'", console, repo)
    return 0


def cmd_update(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.ops.update import update

    jobs = _jobs(args)
    with open_repo(console) as repo:
        results = update(
            repo,
            args.targets,
            rev=args.rev,
            recursive=args.recursive,
            no_download=args.no_download,
            jobs=jobs,
            progress=console.progress(),
        )
    if not results:
        console.out("No imports to update.")
    for r in results:
        if r.changed:
            console.out(f"Updated '{r.pointer_file}'")
        else:
            console.out(f"'{r.pointer_file}' is up to date.")
    return 0
