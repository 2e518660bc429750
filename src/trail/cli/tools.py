"""Commands DVC users type around their data: ``root``, ``check-ignore``, ``destroy``,
``install``, ``completion``, ``cache dir|migrate`` and ``ls-url``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from trail.cli.ui import Console


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("root", parents=[common], help="print the repository's root directory")
    p.set_defaults(func=cmd_root)

    p = sub.add_parser("check-ignore", parents=[common], help="is a path ignored, and by what")
    p.add_argument("targets", nargs="*", help="paths to check")
    p.add_argument("-d", "--details", action="store_true", help="show the deciding pattern")
    p.add_argument(
        "-n", "--non-matching", action="store_true", help="with -d, also paths nothing matches"
    )
    p.add_argument("--stdin", action="store_true", help="read the paths from standard input")
    p.set_defaults(func=cmd_check_ignore)

    p = sub.add_parser("destroy", parents=[common], help="stop using trail here, keep the data")
    p.add_argument("-f", "--force", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_destroy)

    p = sub.add_parser("install", parents=[common], help="install Git hooks for this repository")
    p.add_argument(
        "--use-pre-commit-tool", action="store_true", help="write .pre-commit-config.yaml entries"
    )
    p.set_defaults(func=cmd_install)

    p = sub.add_parser("completion", parents=[common], help="print a shell completion script")
    p.add_argument("-s", "--shell", choices=("bash", "zsh"), default="bash")
    p.set_defaults(func=cmd_completion)

    p = sub.add_parser("git-hook", parents=[common], help="run by the hooks `install` sets up")
    p.add_argument("hook", choices=("pre-commit", "post-checkout", "pre-push", "merge-driver"))
    p.add_argument("args", nargs="*", help="what Git passes the hook")
    p.add_argument("--ancestor", help="merge-driver: the common ancestor's file (%%O)")
    p.add_argument("--our", help="merge-driver: our file, rewritten with the result (%%A)")
    p.add_argument("--their", help="merge-driver: their file (%%B)")
    p.set_defaults(func=cmd_git_hook)

    register_ls_url(sub, common)
    from trail.cli.cache import register_cache

    register_cache(sub, common)


def cmd_root(args: argparse.Namespace, console: Console) -> int:
    from trail.repo import find_root

    root, _ = find_root(".")
    console.data(os.path.relpath(root, os.getcwd()))
    return 0


def cmd_check_ignore(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.errors import UsageError
    from trail.paths import repo_relpath
    from trail.workspace.ignore_check import deciding_pattern

    if args.non_matching and not args.details:
        raise UsageError("--non-matching is only valid with --details")
    targets = [ln.strip() for ln in sys.stdin if ln.strip()] if args.stdin else args.targets
    if not targets:
        raise UsageError("name paths to check (or --stdin)")
    repo = open_repo()
    matched = 0
    for target in targets:
        found = deciding_pattern(
            repo.root, repo.dialect.ignore_file, repo_relpath(repo.root, target)
        )
        if found is not None and found.ignores:
            matched += 1
        if args.details and found is not None:
            source = os.path.relpath(repo.path(found.source)).replace(os.sep, "/")
            console.out(f"{source}:{found.line}:{found.pattern}\t{target}")
        elif args.details and args.non_matching:
            console.out(f"::\t{target}")
        elif found is not None and found.ignores:
            console.out(target)
    return 0 if matched else 1


def cmd_destroy(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.ops.destroy import destroy

    repo = open_repo()
    if not args.force and not _confirm(
        f"This will destroy the {repo.dialect.control}/ directory and every pointer, pipeline "
        "and lock file of this repository; the data stays. Are you sure? [y/n]"
    ):
        console.err("ERROR: not destroyed (answer y, or use -f)")
        return 1
    destroy(repo)
    return 0


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    print(question, end=" ", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def cmd_install(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.ops.install import install

    repo = open_repo()
    done = install(repo, pre_commit_tool=args.use_pre_commit_tool)
    for line in done:
        console.out(line)
    return 0


def cmd_git_hook(args: argparse.Namespace, console: Console) -> int:
    """What a hook does when Git runs it: the command a user would type, as DVC's hooks do."""
    from trail.cli.repos import open_repo
    from trail.errors import NotARepoError

    try:
        repo = open_repo()
    except NotARepoError:
        return 0  # Git runs hooks everywhere in the work tree; outside the repository: nothing
    if args.hook == "pre-commit":
        return int(args.run(["status"]))
    if args.hook == "pre-push":
        return int(args.run(["push"]))
    if args.hook == "post-checkout":
        from trail.ops.install import in_rebase

        given = args.args[2] if len(args.args) >= 3 else ""
        flag = os.environ.get("PRE_COMMIT_CHECKOUT_TYPE") or given
        if flag != "1" or in_rebase(repo):
            return 0  # a file checkout, or in the middle of a rebase: leave the data alone
        return int(args.run(["checkout"]))
    from trail.errors import UsageError
    from trail.ops.merge_driver import Sides, merge

    if not (args.ancestor and args.our and args.their):
        raise UsageError("merge-driver needs --ancestor, --our and --their")
    merge(repo, Sides(args.ancestor, args.our, args.their))
    return 0


def cmd_completion(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.completion import script

    console.data(script(args.shell, args.build_parser(None)))
    return 0


def register_ls_url(sub: Any, common: argparse.ArgumentParser) -> None:
    for name in ("ls-url", "list-url"):
        p = sub.add_parser(name, parents=[common], help="list what a URL or outside path holds")
        p.add_argument("url", help="a path, or s3://, ssh://, http(s)://, remote://NAME/path …")
        p.add_argument("-R", "--recursive", action="store_true", help="every file below it")
        p.add_argument("--size", action="store_true", help="show sizes")
        p.add_argument(
            "--fs-config", action="append", default=[], metavar="KEY=VALUE", help="URL options"
        )
        p.set_defaults(func=cmd_ls_url)


def cmd_ls_url(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.remote import _human
    from trail.errors import UsageError
    from trail.ops.ls_url import ls_url

    options = {}
    for item in args.fs_config:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--fs-config {item!r}: expected KEY=VALUE")
        options[key] = value
    from trail.cli.repos import open_repo
    from trail.errors import NotARepoError

    try:
        config = open_repo().config  # remote://NAME and a remote's options come from here
    except NotARepoError:
        config = None  # outside a repository a URL is listed as it is
    for e in ls_url(args.url, recursive=args.recursive, fs_config=options, config=config):
        console.data(f"{_human(e.size):>5}  {e.path}" if args.size else e.path)
    return 0
