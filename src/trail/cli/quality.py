"""``trail data profile|drift|check``: profiles, drift and contracts of tables (trail[data])."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console


def register(dsub: Any, common: argparse.ArgumentParser) -> None:
    """Add profile, drift and check under ``trail data``."""
    fmt = argparse.ArgumentParser(add_help=False)
    group = fmt.add_mutually_exclusive_group()
    group.add_argument("--json", dest="fmt", action="store_const", const="json")
    group.add_argument("--md", dest="fmt", action="store_const", const="md")
    fmt.set_defaults(fmt="table")

    p = dsub.add_parser("profile", parents=[common, fmt], help="profile a table (stored by hash)")
    p.add_argument("target", help="a CSV/TSV/Parquet/JSONL file or directory, path@rev, or URL")
    p.add_argument("--rev", help="the Git revision or experiment (default: the workspace)")
    p.set_defaults(func=cmd_profile)

    d = dsub.add_parser("drift", parents=[common, fmt], help="compare two versions of a table")
    d.add_argument("baseline", help="path@rev, @rev (the other side's path), a path or URL")
    d.add_argument("current", help="path@rev, @rev, a path or URL")
    d.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="psi, ks, js or nulls (default psi=0.2,ks=0.1,js=0.1,nulls=0.05); repeatable",
    )
    d.set_defaults(func=cmd_drift)

    c = dsub.add_parser("check", parents=[common], help="check tables against their contracts")
    c.add_argument("targets", nargs="*", help="paths or path@rev (default: every contract)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_check)


def _repo_or_none(console: Console) -> Any:
    from trail.cli.repos import open_repo
    from trail.errors import NotARepoError

    try:
        repo = open_repo()
    except NotARepoError:
        return None
    repo.on_wait = console.err
    return repo


def cmd_profile(args: argparse.Namespace, console: Console) -> int:
    from trail.quality.repo.profile import profile

    repo = _repo_or_none(console)
    try:
        result = profile(repo, args.target, rev=args.rev, progress=console.progress())
    finally:
        if repo is not None:
            repo.close()
    if args.fmt == "json":
        console.json({"target": result.label, "hash": _hash(result.oid), **result.data})
        return 0
    from trail.cli import quality_render

    console.data(quality_render.profile(result, args.fmt))
    return 0


def _hash(oid: Any) -> str | None:
    return str(oid) if oid is not None else None


def parse_thresholds(values: list[str]) -> dict[str, float]:
    from trail.errors import UsageError

    known = ("psi", "ks", "js", "nulls")
    out: dict[str, float] = {}
    for text in values:
        for part in filter(None, text.split(",")):
            name, sep, value = part.partition("=")
            name = name.strip().lower()
            if not sep or name not in known:
                raise UsageError(
                    f"--threshold {part!r}: expected METRIC=VALUE with METRIC one of "
                    + ", ".join(known)
                )
            try:
                out[name] = float(value)
            except ValueError:
                raise UsageError(f"--threshold {part!r}: {value!r} is not a number") from None
    return out


def cmd_drift(args: argparse.Namespace, console: Console) -> int:
    from trail.quality.repo.drift import drift

    thresholds = parse_thresholds(args.threshold)
    repo = _repo_or_none(console)
    try:
        report = drift(
            repo, args.baseline, args.current, thresholds=thresholds, progress=console.progress()
        )
    finally:
        if repo is not None:
            repo.close()
    if args.fmt == "json":
        console.json(report.to_dict())
    else:
        from trail.cli import quality_render

        console.data(quality_render.drift(report, args.fmt))
    if report.crossed:
        from trail.cli import quality_render

        console.err(f"ERROR: {quality_render.crossed_line(report)}")
        return 1
    return 0


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.quality.repo.check import check

    repo = open_repo()
    try:
        result = check(repo, args.targets, progress=console.progress())
    finally:
        repo.close()
    if args.json:
        console.json(
            {
                "checked": result.checked,
                "violations": [
                    {
                        "path": v.path,
                        "column": v.column or None,
                        "rule": v.rule,
                        "found": v.found,
                        "example": v.example or None,
                        "where": v.where or None,
                    }
                    for v in result.violations
                ],
            }
        )
    else:
        broken = {v.path for v in result.violations}
        for label in result.checked:
            if label not in broken:
                console.out(f"{label}: ok")
        for v in result.violations:
            console.err(f"ERROR: {v.line()}")
    return 1 if result.violations else 0
