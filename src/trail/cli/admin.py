"""Repository and tool commands: init, config, version, doctor."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[common], help="make this directory a trail repository")
    p.add_argument("--dvc", action="store_true", help="make a DVC repository (dvc dialect)")
    p.add_argument("--no-scm", action="store_true", help="without Git")
    p.add_argument("-f", "--force", action="store_true", help="re-initialise")
    p.add_argument(
        "--subdir", action="store_true", help="inside a Git repository whose root is higher up"
    )
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("config", parents=[common], help="get or set configuration")
    p.add_argument("name", nargs="?")
    p.add_argument("value", nargs="?")
    level = p.add_mutually_exclusive_group()
    for flag in ("--system", "--global", "--project", "--local"):
        level.add_argument(flag, dest="level", action="store_const", const=flag[2:])
    p.add_argument("-u", "--unset", action="store_true")
    p.add_argument("-l", "--list", action="store_true")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("version", parents=[common], help="show versions and the environment")
    p.add_argument("--json", action="store_true", help="print JSON, for scripts")
    p.set_defaults(func=cmd_version)

    p = sub.add_parser("doctor", parents=[common], help="check that trail can work here")
    p.add_argument("--json", action="store_true", help="print JSON, for scripts")
    p.set_defaults(func=cmd_doctor)


def cmd_init(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.init import init

    repo = init(".", dvc=args.dvc, no_scm=args.no_scm, force=args.force, subdir=args.subdir)
    kind = "DVC" if args.dvc else "trail"
    console.out(f"Initialized a {kind} repository in {repo.root}")
    if repo.scm is not None:
        console.out(f"Commit it with: git commit -m 'Initialize {kind}'")
    return 0


def _config_target(args: argparse.Namespace) -> tuple[Any, str | None]:
    from trail.config import Config
    from trail.errors import NotARepoError
    from trail.repo import find_root

    try:
        root, dialect = find_root(".")
    except NotARepoError:
        if args.level in (None, "project", "local") and (
            (args.name and args.value is not None) or args.unset
        ):
            raise
        return Config(None), None
    import os

    return Config(os.path.join(root, dialect.control), dialect.name), root


def cmd_config(args: argparse.Namespace, console: Console) -> int:
    from trail.config import SECRET_KEYS, IniFile, split_name
    from trail.errors import ConfigError, UsageError

    config, _root = _config_target(args)
    level = {"project": "repo", None: "repo"}.get(args.level, args.level)
    if args.list:
        data = config.read_level(level) if args.level else config.merged()
        for section, opts in data.items():
            name = section.replace(' "', ".").replace('"', "")
            for key, value in opts.items():
                shown = "***" if key in SECRET_KEYS else value
                console.data(f"{name}.{key}={shown}")
        return 0
    if not args.name:
        raise UsageError("name a config option (section.option), or use --list")
    section, key = split_name(args.name)
    if args.value is None and not args.unset:
        value = (
            config.read_level(level).get(section, {}).get(key)
            if args.level
            else config.get(section, key)
        )
        if value is None:
            raise ConfigError(f"option '{args.name}' is not set")
        console.data("***" if key in SECRET_KEYS else value)
        return 0
    if key in SECRET_KEYS and args.level is None:
        level = "local"
        console.err(f"note: {args.name} is a secret: written to config.local (not tracked by Git)")
    from trail.config_schema import check

    in_dvc_repo = config.dvc and level in ("repo", "local")
    check(section, key, None if args.unset else args.value, in_dvc_repo)  # before any write
    url = config.get(section, "url") if section.startswith('remote "') else None
    if url is not None and key != "url":
        from trail.remote.settings import check_option

        check_option(section[len('remote "') : -1], url, key)
    path = config.write_path(level, section, key)
    if path is None:
        raise ConfigError(f"no {level} config outside a repository")
    # A trail-only option in a DVC repository goes to trail's own file; one an older trail
    # wrote into DVC's file (where dvc chokes on it) is taken out of there.
    stale = config.level_path(level) if path != config.level_path(level) else None
    old = IniFile.read(stale) if stale else None
    had_old = old is not None and old.unset(section, key)
    ini = IniFile.read(path)
    if args.unset:
        changed = ini.unset(section, key)
        if not changed and not had_old:
            raise ConfigError(f"option '{args.name}' is not set in the {level} config")
    else:
        ini.set(section, key, args.value)
        changed = True
    if changed:
        ini.write()
    if old is not None and had_old:
        old.write()
    return 0


def _versions() -> dict[str, str]:
    import platform
    import sys

    from trail import __version__

    info = {
        "trail": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("blake3", "PyYAML", "ruamel.yaml", "pathspec", "rich", "fsspec"):
        try:
            info[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return info


def cmd_version(args: argparse.Namespace, console: Console) -> int:
    info = _versions()
    from trail.cli.repos import open_repo
    from trail.errors import TrailError

    try:
        repo = open_repo()
        info["dialect"] = repo.dialect.name
        info["cache"] = repo.cache_dir
        info["cache types"] = ",".join(repo.linker().kinds)
    except TrailError:
        info["repository"] = "none here"
    if args.json:
        console.json(info)
    else:
        for key, value in info.items():
            console.data(f"{key + ':':<14}{value}")
    return 0


def cmd_doctor(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.doctor import doctor

    checks = doctor(".")
    if args.json:
        console.json(
            [
                {"check": c.name, "ok": c.ok, "detail": c.detail, "warning": c.warning}
                for c in checks
            ]
        )
    else:
        for c in checks:
            mark = "BAD" if not c.ok else "WARN" if c.warning else "ok "
            console.data(f"{mark} {c.name}: {c.detail}")
    return 0 if all(c.ok for c in checks) else 1
