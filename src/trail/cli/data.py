"""Data commands: add, status, data status, commit, checkout, diff, move, remove, unprotect, gc,
fsck."""

from __future__ import annotations

import argparse
import os
from typing import Any

from trail.cli.data_render import print_changes, print_summary
from trail.cli.repos import open_repo as _repo
from trail.cli.ui import Console


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("add", parents=[common], help="track files or directories")
    p.add_argument("targets", nargs="+")
    p.add_argument("--glob", action="store_true", help="expand wildcards in targets")
    p.add_argument("-o", "--out", help="track a copy of the (one) target at this path")
    p.add_argument(
        "--to-remote", action="store_true", help="with -o: send it to a remote, not the cache"
    )
    p.add_argument("-r", "--remote", help="the remote for --to-remote (default: the default)")
    p.add_argument("-j", "--jobs", type=int, help="parallel uploads for --to-remote")
    p.add_argument("--no-commit", action="store_true", help="record hashes, cache nothing yet")
    p.add_argument("-f", "--force", action="store_true", help="with -o: replace what is there")
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
    s.add_argument(
        "--untracked-files", action="store_true", help="also files neither Git nor trail tracks"
    )
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_data_status)
    from trail.cli import quality

    quality.register(dsub, common)

    p = sub.add_parser("commit", parents=[common], help="record changes of tracked data")
    p.add_argument("targets", nargs="*")
    p.add_argument("-f", "--force", action="store_true", help="re-store even unchanged outputs")
    p.set_defaults(func=cmd_commit)

    p = sub.add_parser("checkout", parents=[common], help="restore tracked data from the cache")
    p.add_argument("targets", nargs="*")
    p.add_argument("--relink", action="store_true", help="re-create links even if unchanged")
    p.add_argument("-f", "--force", action="store_true", help="overwrite uncached changes")
    p.add_argument("--summary", action="store_true", help="counts instead of a line per output")
    p.add_argument(
        "--allow-missing", action="store_true", help="data not in the cache is not an error"
    )
    from trail.cli.remote import scope_flags

    scope_flags(p)
    p.set_defaults(func=cmd_checkout)

    p = sub.add_parser("diff", parents=[common], help="tracked data changed between revisions")
    p.add_argument("a_rev", nargs="?", default="HEAD")
    p.add_argument("b_rev", nargs="?")
    p.add_argument("--targets", nargs="+", default=[], help="only these paths (and below)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--md", action="store_true", help="a Markdown table")
    p.add_argument("--show-hash", action="store_true", help="show the hashes too")
    p.add_argument("--hide-missing", action="store_true", help="leave out 'not in cache'")
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
    p.add_argument("--rev", help="keep this revision's data (and -n N: N commits up to it)")
    p.add_argument("-n", "--num", type=int, default=1, help="with --rev: how many commits")
    p.add_argument("--date", help="keep the data of commits since this day (YYYY-MM-DD)")
    p.add_argument("--not-in-remote", action="store_true", help="keep what the remote lacks")
    p.add_argument(
        "--skip-failed", action="store_true", help="pass over revisions that cannot be read"
    )
    p.set_defaults(func=cmd_gc)

    p = sub.add_parser("fsck", parents=[common], help="verify every cached object")
    p.add_argument("--no-quarantine", action="store_true", help="only report corrupt objects")
    p.add_argument("--json", action="store_true", help="print JSON, for scripts")
    p.set_defaults(func=cmd_fsck)


def cmd_add(args: argparse.Namespace, console: Console) -> int:
    from trail.errors import UsageError
    from trail.ops.add import add

    if (args.to_remote or args.force) and not args.out:
        raise UsageError("--to-remote and -f go with -o/--out")
    if args.out and (len(args.targets) != 1 or args.glob):
        raise UsageError("-o/--out takes exactly one target")
    with _repo(console) as repo:
        if args.out:
            from trail.ops.add_to import add_to

            result = add_to(
                repo,
                args.targets[0],
                args.out,
                force=args.force,
                no_commit=args.no_commit,
                to_remote=args.to_remote,
                remote=args.remote,
                jobs=args.jobs,
                progress=console.progress(),
            )
        else:
            result = add(
                repo,
                args.targets,
                use_glob=args.glob,
                no_commit=args.no_commit,
                progress=console.progress(),
            )
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
    if not console.quiet and _mentions_corrupt(result):
        console.err(
            "WARNING: 'corrupt in cache': a workspace file linked to the cache (cache.type "
            "hardlink or symlink) was written to, which changed the cached object too. "
            "`trail unprotect <path>` keeps the new content as a file of its own; `trail fsck` "
            "then moves the damaged objects aside, and `trail commit` records the new content "
            "(or `trail pull` brings the recorded one back from a remote)."
        )
    # As DVC: with -q the exit code alone says whether something changed (for CI scripts).
    return 1 if console.quiet else 0


def _mentions_corrupt(result: dict[str, Any]) -> bool:
    from trail.ops.common import CORRUPT

    return any(
        isinstance(c, dict) and CORRUPT in c.get("changed outs", {}).values()
        for changes in result.values()
        for c in changes
    )


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
        untracked: list[str] = []
        if args.untracked_files:
            from trail.ops.untracked import untracked_files

            untracked = untracked_files(repo)
    finally:
        repo.close()
    shape = result.as_dict()
    if untracked:
        shape["untracked"] = untracked
    if args.json:
        console.json(shape)
        return 0
    tool = "trail"
    if not shape:
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
    if untracked:
        console.out("Untracked files:")
        console.out(f'  (use "git add <file> ..." or "{tool} add <file>..." to track them)')
        for p in untracked:
            console.out(f"        {p}")
        console.out()
    if result.unchanged:
        console.out("Unchanged:")
        for p in result.unchanged:
            console.out(f"        {p}")
    return 0


def cmd_commit(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.commit import commit

    with _repo(console) as repo:
        written = commit(repo, args.targets, force=args.force, progress=console.progress())
    for path in written:
        console.out(f"Updated {path}")
    if not written:
        console.out("Nothing to commit: tracked data is unchanged.")
    return 0


def cmd_checkout(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.remote import scope
    from trail.ops.checkout import checkout

    with _repo(console) as repo:
        changes = checkout(
            repo,
            args.targets,
            force=args.force,
            relink=args.relink,
            progress=console.progress(),
            scope=scope(args),
            allow_missing=args.allow_missing,
        )
    if args.summary:
        print_summary(changes, console)
    else:
        print_changes(changes, console)
    return 0


def cmd_diff(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.diff import diff

    repo = _repo(console)
    try:
        result = diff(repo, args.a_rev, args.b_rev, targets=args.targets)
    finally:
        repo.close()
    missing = [] if args.hide_missing else result.not_in_cache
    rows = _diff_rows(result, missing, args.show_hash)
    if args.json:
        shape = _diff_json(result, missing, args.show_hash) if rows else {}
        if args.b_rev is not None:  # two revisions: nothing is looked for in the cache
            shape.pop("not in cache", None)
        console.json(shape)
    elif args.md:
        _diff_md(rows, args.show_hash, console)
    elif not rows:
        console.out("No changes.")
    else:
        _diff_text(rows, args.show_hash, console)
    return 0


def _short(oid: Any) -> str:
    return str(oid.hex[:8])


def _diff_rows(result: Any, missing: list[str], show_hash: bool) -> list[tuple[str, str, str]]:
    """(status, hash column, path) in DVC's order: added, deleted, modified, not in cache."""
    rows = [("added", _short(o), p) for p, o in result.added]
    rows += [("deleted", _short(o), p) for p, o in result.deleted]
    rows += [("modified", f"{_short(a)}..{_short(b)}", p) for p, a, b in result.modified]
    rows += [("not in cache", "", p) for p in missing]
    return rows


def _diff_json(result: Any, missing: list[str], show_hash: bool) -> dict[str, Any]:
    """DVC's shape: hashes only with ``--show-hash``."""
    from trail.manifest import format_oid

    def entry(path: str, hashed: Any) -> dict[str, Any]:
        return {"path": path, "hash": hashed} if show_hash else {"path": path}

    return {
        "added": [entry(p, format_oid(o)) for p, o in result.added],
        "deleted": [entry(p, format_oid(o)) for p, o in result.deleted],
        "modified": [
            entry(p, {"old": format_oid(a), "new": format_oid(b)}) for p, a, b in result.modified
        ],
        "renamed": [],
        "not in cache": [{"path": p} for p in missing],
    }


def _diff_text(rows: list[tuple[str, str, str]], show_hash: bool, console: Console) -> None:
    for status in ("added", "deleted", "modified", "not in cache"):
        group = [(h, p) for s, h, p in rows if s == status]
        if not group:
            continue
        console.out(f"{status[0].upper()}{status[1:]}:")
        width = max(len(h) for h, _p in group)
        for h, p in group:
            console.out(f"    {h:<{width}}  {p}" if show_hash and h else f"    {p}")
        console.out()
    # Files only, as DVC counts them (a directory's own line is not a file).
    counts = [
        f"{n} {status}"
        for status in ("added", "deleted", "modified", "not in cache")
        if (n := sum(1 for s, _h, p in rows if s == status and not p.endswith("/")))
    ]
    if counts:
        console.out(f"files summary: {', '.join(counts)}")


def _diff_md(rows: list[tuple[str, str, str]], show_hash: bool, console: Console) -> None:
    from trail.cli.tables import render

    header = ["Status", "Hash", "Path"] if show_hash else ["Status", "Path"]
    body = [[s, h, p] if show_hash else [s, p] for s, h, p in rows]
    console.out(render(header, body, "md"))


def cmd_move(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.move import move

    with _repo(console) as repo:
        new = move(repo, args.src, args.dst)
        console.out(f"Moved {args.src} to {args.dst} ({new})")
        _git_hint(repo, [new], console)
    return 0


def cmd_remove(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.remove import remove

    with _repo(console) as repo:
        removed = remove(repo, args.targets, outs=args.outs)
    for path in removed:
        console.out(f"Removed {path}")
    return 0


def cmd_unprotect(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.unprotect import unprotect

    with _repo(console) as repo:
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
    from trail.errors import UsageError

    if args.not_in_remote and args.cloud:
        raise UsageError("--not-in-remote and -c/--cloud do not go together")

    from trail.ops import gc
    from trail.ops.locking import writing

    # One lock from plan to removal: nothing may start using an object gc is about to remove.
    with _repo(console) as repo, writing(repo):
        plan = gc.plan(
            repo,
            workspace=args.workspace,
            all_branches=args.all_branches,
            all_tags=args.all_tags,
            all_commits=args.all_commits,
            all_experiments=args.all_experiments,
            rev=args.rev,
            num=args.num,
            date=args.date,
            skip_failed=args.skip_failed,
        )
        if args.not_in_remote:
            gc.drop_pushed(repo, plan, args.remote, args.jobs)
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

    with _repo(console) as repo:
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
