"""Data commands: add, status, data status, commit, checkout, diff, move, remove, unprotect, gc,
fsck."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from typing import Any

from trail.cli.ui import Console


def _repo(console: Console) -> Any:
    from trail.repo import Repo

    repo = Repo.find(".")
    repo.on_wait = console.err
    return repo


@contextlib.contextmanager
def _writing(console: Console) -> Iterator[Any]:
    """The repository, locked for writing, with temp files of killed runs cleared first."""
    from trail.fsutil import clean_stale_tmp

    repo = _repo(console)
    try:
        with repo.lock():
            clean_stale_tmp(repo.private_dir)
            yield repo
    finally:
        repo.close()


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("add", parents=[common], help="track files or directories")
    p.add_argument("targets", nargs="+")
    p.add_argument("--glob", action="store_true", help="expand wildcards in targets")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("status", parents=[common], help="show tracked data that changed")
    p.add_argument("targets", nargs="*")
    p.add_argument("--json", action="store_true", help="print JSON, for scripts")
    p.add_argument("-c", "--cloud", action="store_true", help="compare the cache with a remote")
    p.add_argument("-r", "--remote", help="the remote for -c (default: the default remote)")
    p.add_argument("-j", "--jobs", type=int, help="parallel requests to the remote")
    p.add_argument("-a", "--all-branches", action="store_true")
    p.add_argument("-T", "--all-tags", action="store_true")
    p.add_argument("--all-commits", action="store_true")
    p.add_argument("--all-experiments", action="store_true")
    p.add_argument("--no-updates", action="store_true", help="do not ask import sources for news")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("data", parents=[common], help="data status")
    dsub = p.add_subparsers(dest="data_command", metavar="<subcommand>", required=True)
    s = dsub.add_parser("status", parents=[common], help="changes since the last Git commit")
    s.add_argument("--granular", action="store_true", help="show files inside directories")
    s.add_argument("--unchanged", action="store_true", help="also list unchanged outputs")
    s.add_argument("--not-in-remote", action="store_true", help="also list what a remote lacks")
    s.add_argument("-r", "--remote", help="the remote for --not-in-remote")
    s.add_argument("--json", action="store_true", help="print JSON, for scripts")
    s.set_defaults(func=cmd_data_status)

    p = sub.add_parser("commit", parents=[common], help="record changes of tracked data")
    p.add_argument("targets", nargs="*")
    p.add_argument("-f", "--force", action="store_true", help="re-store even unchanged outputs")
    p.set_defaults(func=cmd_commit)

    p = sub.add_parser("checkout", parents=[common], help="restore tracked data from the cache")
    p.add_argument("targets", nargs="*")
    p.add_argument("--relink", action="store_true", help="re-create links even if unchanged")
    p.add_argument("-f", "--force", action="store_true", help="overwrite uncached changes")
    p.set_defaults(func=cmd_checkout)

    p = sub.add_parser("diff", parents=[common], help="tracked data changed between revisions")
    p.add_argument("a_rev", nargs="?", default="HEAD")
    p.add_argument("b_rev", nargs="?")
    p.add_argument("--json", action="store_true", help="print JSON, for scripts")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("move", parents=[common], help="rename a tracked output")
    p.add_argument("src")
    p.add_argument("dst")
    p.set_defaults(func=cmd_move)

    p = sub.add_parser("remove", parents=[common], help="stop tracking outputs")
    p.add_argument("targets", nargs="+")
    p.add_argument("--outs", action="store_true", help="also delete the data in the workspace")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("unprotect", parents=[common], help="make linked files writable copies")
    p.add_argument("targets", nargs="+")
    p.set_defaults(func=cmd_unprotect)

    p = sub.add_parser("gc", parents=[common], help="remove unused objects from the cache")
    p.add_argument("-w", "--workspace", action="store_true", help="keep what the workspace uses")
    p.add_argument("-a", "--all-branches", action="store_true")
    p.add_argument("-T", "--all-tags", action="store_true")
    p.add_argument("--all-commits", action="store_true")
    p.add_argument("--all-experiments", action="store_true", help="keep experiments' data")
    p.add_argument("--dry", action="store_true", help="only show what would be removed")
    p.add_argument("-f", "--force", action="store_true", help="do not ask for confirmation")
    p.add_argument("-c", "--cloud", action="store_true", help="also remove from the remote")
    p.add_argument("-r", "--remote", help="the remote for -c (default: the default remote)")
    p.add_argument("-j", "--jobs", type=int, help="parallel deletions on the remote")
    p.set_defaults(func=cmd_gc)

    p = sub.add_parser("fsck", parents=[common], help="verify every cached object")
    p.add_argument("--no-quarantine", action="store_true", help="only report corrupt objects")
    p.add_argument("--json", action="store_true", help="print JSON, for scripts")
    p.set_defaults(func=cmd_fsck)


def cmd_add(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.add import add

    with _writing(console) as repo:
        result = add(repo, args.targets, use_glob=args.glob, progress=console.progress())
        _git_hint(repo, result.pointer_files + result.gitignores, console)
    return 0


def _git_hint(repo: Any, files: list[str], console: Console) -> None:
    """Stage what changed when ``core.autostage`` is on, else say how to."""
    if repo.scm is None or not files:
        return
    if repo.config.get_bool("core", "autostage"):
        repo.scm.add(files)
        return
    import shlex

    quoted = " ".join(shlex.quote(f) for f in sorted(set(files)))  # as DVC: sorted, quoted
    console.out(f"\nTo track the changes with git, run:\n\n\tgit add {quoted}\n")


def cmd_status(args: argparse.Namespace, console: Console) -> int:
    if args.cloud:
        from trail.cli.remote import cloud_status

        return cloud_status(args, console)
    from trail.ops.status import status

    repo = _repo(console)
    try:
        result = status(
            repo,
            args.targets,
            check_updates=not args.no_updates,
            warn=lambda msg: console.err(f"WARNING: {msg}"),
            cwd=os.getcwd(),
        )
    finally:
        repo.close()
    if args.json:
        console.json(result)
        return 0
    if not result:
        console.out("Data and pipelines are up to date.")
        return 0
    for name, changes in result.items():
        console.out(f"{name}:")
        for change in changes:
            _print_change(console, change)
    return 0


def _print_change(console: Console, change: Any) -> None:
    """DVC's layout: a bare string, or a kind with paths (params files nest their keys)."""
    if isinstance(change, str):
        console.out(f"\t{change}")
        return
    for kind, detail in change.items():
        console.out(f"\t{kind}:")
        for path, what in detail.items():
            if isinstance(what, dict):
                console.out(f"\t\t{path}:")
                for key, how in what.items():
                    console.out(f"\t\t\t{how + ':':<20}{key}")
            else:
                console.out(f"\t\t{what + ':':<20}{path}")


def cmd_data_status(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.data_status import data_status

    repo = _repo(console)
    try:
        result = data_status(
            repo,
            granular=args.granular,
            unchanged=args.unchanged,
            not_in_remote=args.not_in_remote,
            remote=args.remote,
        )
    finally:
        repo.close()
    if args.json:
        console.json(result.as_dict())
        return 0
    tool = "trail"
    if not result.as_dict():
        console.out("No changes.")
        return 0
    if result.not_in_cache:
        console.out("Not in cache:")
        console.out(f'  (use "{tool} fetch <file>..." to download files)')
        for p in result.not_in_cache:
            console.out(f"        {p}")
        console.out()
    if result.not_in_remote:
        console.out("Not in remote:")
        console.out(f'  (use "{tool} push <file>..." to upload files)')
        for p in result.not_in_remote:
            console.out(f"        {p}")
        console.out()
    sections = (
        (
            "Committed changes:",
            "git commit the corresponding pointer files to update the repo",
            result.committed,
        ),
        (
            "Uncommitted changes:",
            f'use "{tool} commit <file>..." to track changes',
            result.uncommitted,
        ),
    )
    for title, hint, changes in sections:
        if not changes:
            continue
        console.out(title)
        console.out(f"  ({hint})")
        for kind in ("added", "modified", "deleted"):
            for p in changes.get(kind, []):
                console.out(f"        {kind}: {p}")
        console.out()
    if result.unchanged:
        console.out("Unchanged:")
        for p in result.unchanged:
            console.out(f"        {p}")
    return 0


def cmd_commit(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.commit import commit

    with _writing(console) as repo:
        written = commit(repo, args.targets, force=args.force, progress=console.progress())
    for path in written:
        console.out(f"Updated {path}")
    if not written:
        console.out("Nothing to commit: tracked data is unchanged.")
    return 0


def cmd_checkout(args: argparse.Namespace, console: Console) -> int:
    from trail.errors import CheckoutError
    from trail.ops.checkout import checkout

    with _writing(console) as repo:
        try:
            changes = checkout(
                repo,
                args.targets,
                force=args.force,
                relink=args.relink,
                progress=console.progress(),
            )
        except CheckoutError:
            raise
    print_changes(changes, console)
    return 0


def print_changes(changes: Any, console: Console) -> None:
    """What a checkout changed, a line per output: ``A``dded, ``M``odified, ``D``eleted."""
    if changes is None:
        return
    for mark, paths in (("A", changes.added), ("M", changes.modified), ("D", changes.deleted)):
        for p in paths:
            console.out(f"{mark}       {p}")


def cmd_diff(args: argparse.Namespace, console: Console) -> int:
    from trail.manifest import format_oid
    from trail.ops.diff import diff

    repo = _repo(console)
    try:
        result = diff(repo, args.a_rev, args.b_rev)
    finally:
        repo.close()
    if args.json:
        console.json(
            {
                "added": [{"path": p, "hash": format_oid(o)} for p, o in result.added],
                "deleted": [{"path": p, "hash": format_oid(o)} for p, o in result.deleted],
                "modified": [
                    {"path": p, "hash": {"old": format_oid(a), "new": format_oid(b)}}
                    for p, a, b in result.modified
                ],
                "renamed": [],
                "not in cache": [{"path": p} for p in result.not_in_cache],
            }
        )
        return 0
    groups = (
        ("Added", [p for p, _ in result.added]),
        ("Deleted", [p for p, _ in result.deleted]),
        ("Modified", [p for p, _a, _b in result.modified]),
        ("Not in cache", result.not_in_cache),
    )
    for title, paths in groups:
        if paths:
            console.out(f"{title}:")
            for p in paths:
                console.out(f"    {p}")
            console.out()
    if not any(paths for _t, paths in groups):
        console.out("No changes.")
    return 0


def cmd_move(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.move import move

    with _writing(console) as repo:
        new = move(repo, args.src, args.dst)
        console.out(f"Moved {args.src} to {args.dst} ({new})")
        _git_hint(repo, [new], console)
    return 0


def cmd_remove(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.remove import remove

    with _writing(console) as repo:
        removed = remove(repo, args.targets, outs=args.outs)
    for path in removed:
        console.out(f"Removed {path}")
    return 0


def cmd_unprotect(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.unprotect import unprotect

    with _writing(console) as repo:
        count = unprotect(repo, args.targets)
    console.out(f"{count} file{'s' if count != 1 else ''} made writable")
    return 0


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def cmd_gc(args: argparse.Namespace, console: Console) -> int:

    from trail.ops import gc

    with _writing(console) as repo:
        plan = gc.plan(
            repo,
            workspace=args.workspace,
            all_branches=args.all_branches,
            all_tags=args.all_tags,
            all_commits=args.all_commits,
            all_experiments=args.all_experiments,
        )
        size = _human(plan.size(repo))
        cloud = gc.plan_remote(repo, plan, args.remote) if args.cloud else None
        if args.dry:
            for oid in plan.remove:
                console.out(repo.odb.path(oid))
            console.out(f"Would remove {len(plan.remove)} objects ({size}).")
            if cloud is not None:
                from trail.remote.store import object_path

                for oid in cloud.remove:
                    console.out(f"{cloud.url}/{object_path(oid)}")
                console.out(f"Would remove {len(cloud.remove)} objects from remote {cloud.remote}.")
            return 0
        if cloud is not None:  # even with nothing to remove: gc -c always rewrites the marker
            what = f"{len(cloud.remove)} objects from remote {cloud.remote}"
            if cloud.remove and not _confirm(args, what):
                console.out("Nothing removed.")
                return 1
            removed = gc.apply_remote(repo, cloud, args.jobs)
            console.out(f"Removed {removed} objects from remote {cloud.remote}.")
        if not plan.remove:
            console.out("Nothing to remove.")
            return 0
        if not _confirm(args, f"{len(plan.remove)} objects ({size}) from the cache"):
            console.out("Nothing removed.")
            return 1
        removed = gc.apply(repo, plan)
    console.out(f"Removed {removed} objects ({size}) from the cache.")
    return 0


def _confirm(args: argparse.Namespace, what: str) -> bool:
    import sys

    from trail.errors import TrailError

    if args.force:
        return True
    if not sys.stdin.isatty():
        raise TrailError(f"gc would remove {what}; run with -f to confirm (or --dry to list them)")
    answer = input(f"Remove {what}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def cmd_fsck(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.fsck import fsck

    with _writing(console) as repo:
        result = fsck(repo, quarantine=not args.no_quarantine, progress=console.progress())
        rel = os.path.relpath
        if args.json:
            console.json(
                {
                    "checked": result.checked,
                    "corrupt": [
                        {"path": rel(p, repo.root), "expected": e, "actual": a}
                        for p, e, a in result.corrupt
                    ],
                    "quarantined": [rel(p, repo.root) for p in result.quarantined],
                }
            )
        else:
            moved: list[str | None] = list(result.quarantined) or [None] * len(result.corrupt)
            for (path, expected, actual), q in zip(result.corrupt, moved, strict=True):
                where = f" → moved to {rel(q, repo.root)}" if q else ""
                console.err(
                    f"corrupt: {rel(path, repo.root)} (expected {expected}, got {actual}){where}"
                )
            state = "all sound" if not result.corrupt else f"{len(result.corrupt)} corrupt"
            console.out(f"Checked {result.checked} objects: {state}.")
    return 1 if result.corrupt else 0
