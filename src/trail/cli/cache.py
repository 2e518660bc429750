"""``trail cache``: a command group for the cache — ``dir`` (where it is) and ``migrate``
(DVC 2 objects into DVC 3's layout). New subcommands register here."""

from __future__ import annotations

import argparse
import os
from typing import Any

from trail.cli.ui import Console


def register_cache(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("cache", parents=[common], help="where the cache is; migrate it")
    csub = p.add_subparsers(dest="cache_command", metavar="<subcommand>", required=True)
    d = csub.add_parser("dir", parents=[common], help="show or set the cache directory")
    d.add_argument("value", nargs="?", help="the new cache directory")
    d.add_argument("-u", "--unset", action="store_true", help="use the default location")
    level = d.add_mutually_exclusive_group()
    for flag in ("--system", "--global", "--project", "--local"):
        level.add_argument(flag, dest="level", action="store_const", const=flag[2:])
    d.set_defaults(func=cmd_cache_dir)
    m = csub.add_parser("migrate", parents=[common], help="DVC 2 objects into DVC 3's layout")
    m.add_argument(
        "--dvc-files", action="store_true", help="also rewrite pointer and lock file entries"
    )
    m.add_argument("--dry", action="store_true", help="only say what would be done")
    m.set_defaults(func=cmd_cache_migrate)


def cmd_cache_dir(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.config import IniFile

    repo = open_repo()
    if args.value is None and not args.unset:
        console.data(repo.cache_dir)
        return 0
    level = {None: "repo", "project": "repo"}.get(args.level, args.level)
    path = repo.config.level_path(level)
    assert path is not None
    ini = IniFile.read(path)
    if args.unset:
        ini.unset("cache", "dir")
    else:
        value = args.value
        if level in ("repo", "local") and not os.path.isabs(value) and "://" not in value:
            # given from here; stored relative to the control directory, as DVC stores it
            value = os.path.relpath(os.path.abspath(value), repo.control_dir)
        ini.set("cache", "dir", value)
    ini.write()
    return 0


def cmd_cache_migrate(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.data import _git_hint
    from trail.cli.repos import open_repo
    from trail.ops.cache_migrate import migrate

    repo = open_repo()
    done = migrate(repo, dvc_files=args.dvc_files, dry=args.dry, say=console.out)
    for path in done.skipped:
        console.err(f"WARNING: directory {path}: some of its files are not in the cache; kept")
    if done.files and not args.dry:
        _git_hint(repo, done.files, console)
    return 0
