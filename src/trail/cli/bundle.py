"""``trail bundle NAME[@V|#STAGE] -o DIR|FILE.tar.gz``, ``trail bundle verify DIR`` and
``trail bundle diff A B``."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console

USAGE = (
    "trail bundle NAME[@vX.Y.Z|#STAGE] -o DIR|FILE.tar.gz [-f]\n"
    "       trail bundle verify DIR|FILE.tar.gz [--json]\n"
    "       trail bundle diff A B [--json]   (A, B: bundles or NAME@vX.Y.Z / NAME#STAGE)"
)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "bundle",
        parents=[common],
        usage=USAGE,
        help="a deployable bundle of an artifact version, with its lineage; verify, diff",
    )
    p.add_argument("target", help="NAME[@vX.Y.Z|#STAGE], or 'verify' / 'diff'")
    p.add_argument("more", nargs="*", help=argparse.SUPPRESS)
    p.add_argument("-o", "--out", help="the folder, or FILE.tar.gz, to write")
    p.add_argument("-f", "--force", action="store_true", help="replace what -o names")
    p.add_argument("-r", "--remote", help="where to get data the cache lacks (default remote)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bundle)


def cmd_bundle(args: argparse.Namespace, console: Console) -> int:
    from trail.errors import UsageError

    if args.target == "verify" and args.out is None:
        if len(args.more) != 1:
            raise UsageError("usage: trail bundle verify DIR|FILE.tar.gz")
        return _verify(args.more[0], args, console)
    if args.target == "diff" and args.out is None:
        if len(args.more) != 2:
            raise UsageError("usage: trail bundle diff A B")
        return _diff(args.more[0], args.more[1], args, console)
    if args.more:
        raise UsageError(f"unexpected arguments: {' '.join(args.more)}")
    if not args.out:
        raise UsageError("say where to write the bundle: -o DIR or -o FILE.tar.gz")
    from trail.cli.repos import open_repo as _repo
    from trail.registry.bundle import bundle
    from trail.registry.names import parse_spec

    spec = parse_spec(args.target)
    repo = _repo(console)
    try:
        result = bundle(
            repo,
            spec,
            args.out,
            force=args.force,
            remote=args.remote,
            progress=console.progress(),
        )
    finally:
        repo.close()
    m = result.manifest
    if args.json:
        console.json({k: v for k, v in m.items() if k != "files"} | {"path": result.path})
        return 0
    stage = f" ({m['stage']})" if m.get("stage") else ""
    console.out(
        f"Bundled {m['name']} {m['version']}{stage} of commit {m['commit'][:7]}: "
        f"{len(m['files'])} files in '{args.out}'"
    )
    if not m["environment"].get("recorded"):
        console.err(
            "warning: no record of the run that made it was kept here: the environment "
            "is this machine's"
        )
    return 0


def _verify(path: str, args: argparse.Namespace, console: Console) -> int:
    from trail.registry.bundlecheck import verify

    result = verify(path)
    if args.json:
        console.json({"path": path, "ok": True, "files": result.checked})
    else:
        m = result.manifest
        console.out(
            f"{path}: {m.get('name')} {m.get('version')}, all {result.checked} files match "
            "their hashes"
        )
    return 0


def _diff(a: str, b: str, args: argparse.Namespace, console: Console) -> int:
    from trail.registry.bundlediff import diff, manifest_of

    repo = _maybe_repo(console)
    try:
        result = diff(a, b, manifest_of(repo, a), manifest_of(repo, b))
    finally:
        if repo is not None:
            repo.close()
    if args.json:
        console.json(result.to_dict())
        return 0
    if result.empty:
        console.out(f"{a} and {b} do not differ.")
        return 0
    for section, changes in result.sections.items():
        if not changes:
            continue
        console.out(f"{section}:")
        for c in changes:
            console.out(f"  {c.key}: {_shown(c.old)} -> {_shown(c.new)}")
    return 0


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else repr(value)


def _maybe_repo(console: Console) -> Any:
    from trail.errors import NotARepoError

    try:
        from trail.cli.repos import open_repo as _repo

        return _repo(console)
    except NotARepoError:
        return None
