"""Fetching repository imports: their data comes from the source repository at ``rev_lock``
(its cache or remote), as DVC fetches it, and must be exactly what the import recorded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from trail.errors import TrailError
from trail.oidstr import format_oid
from trail.progress import NULL, Progress
from trail.repo import Repo

if TYPE_CHECKING:
    from trail.index import Tracked
    from trail.ops.push import TransferResult
    from trail.ops.used import UsedOutput
    from trail.workspace.build import Built


def fetch_imports(
    repo: Repo,
    outs: list[UsedOutput],
    *,
    jobs: int | None = None,
    progress: Progress = NULL,
    result: TransferResult,
    failed: dict[str, str],
) -> None:
    """Bring the objects of imported outputs the cache lacks; failures go to ``failed``."""
    from trail.ops.common import in_cache

    groups: dict[tuple[str, str], dict[tuple[str, str], UsedOutput]] = {}
    for u in outs:
        assert u.imported is not None
        if in_cache(repo, u.oid):
            result.skipped += 1
            continue
        key = (u.imported.url, u.imported.rev_lock)
        groups.setdefault(key, {})[(u.imported.path, str(u.oid))] = u
    for (url, rev_lock), group in sorted(groups.items()):
        _fetch_group(repo, url, rev_lock, list(group.values()), jobs, progress, result, failed)


def _fetch_group(
    repo: Repo,
    url: str,
    rev_lock: str,
    group: list[UsedOutput],
    jobs: int | None,
    progress: Progress,
    result: TransferResult,
    failed: dict[str, str],
) -> None:
    from trail.ops.source import fetch_path, open_source

    try:
        with open_source(url, rev_lock, base=repo.root) as src:
            for u in group:
                assert u.imported is not None
                try:
                    built = fetch_path(
                        src,
                        u.imported.path,
                        repo.odb,
                        u.oid.algo,
                        remote=u.imported.remote,
                        jobs=jobs,
                        progress=progress,
                    )
                except TrailError as exc:
                    failed[format_oid(u.oid)] = str(exc)
                    continue
                if built.oid != u.oid:
                    failed[format_oid(u.oid)] = (
                        f"'{u.imported.path}' at {rev_lock[:10]} of {url} is not what "
                        f"the import of {u.relpath} recorded"
                    )
                else:
                    result.transferred += built.meta.nfiles or 1
    except TrailError as exc:
        for u in group:
            failed[format_oid(u.oid)] = str(exc)


def unrecorded_imports(repo: Repo, targets: Sequence[str] = ()) -> list[Tracked]:
    """Repository imports made with ``--no-download``: they record their source and its
    commit but no hash yet. ``fetch``/``pull`` bring their data from the source, as DVC does
    (the pointer file stays as it is: ``update`` records the hash)."""
    from trail.importdeps import RepoDep, import_dep
    from trail.index import collect, outputs

    pfs = collect(repo)
    if targets:
        from trail.ops.targets import resolve

        tracked = resolve(repo, targets, pfs=pfs).tracked
    else:
        tracked = outputs(pfs)
    found = []
    for t in tracked:
        if t.out.oid is not None or "deps" not in t.pf.top:
            continue
        dep = import_dep(t.pf.top, t.pf.path)
        if isinstance(dep, RepoDep) and dep.source.rev_lock:
            found.append(t)
    return found


def fetch_unrecorded(
    repo: Repo,
    tracked: list[Tracked],
    *,
    jobs: int | None = None,
    progress: Progress = NULL,
    result: TransferResult,
    failed: dict[str, str],
) -> dict[str, Built]:
    """Put the data of ``unrecorded_imports`` in the cache; output path → its object."""
    from trail.importdeps import RepoDep, import_dep
    from trail.ops.source import fetch_path, open_source

    got: dict[str, Built] = {}
    for t in tracked:
        dep = import_dep(t.pf.top, t.pf.path)
        assert isinstance(dep, RepoDep) and dep.source.rev_lock
        algo = str(t.out.extra.get("hash") or repo.algo)
        remote = dep.source.extra.get("remote")
        try:
            with open_source(dep.source.url, dep.source.rev_lock, base=repo.root) as src:
                built = fetch_path(
                    src,
                    dep.path,
                    repo.odb,
                    algo,
                    remote=remote if isinstance(remote, str) else None,
                    jobs=jobs,
                    progress=progress,
                )
        except TrailError as exc:
            failed[t.relpath] = str(exc)
            continue
        result.transferred += built.meta.nfiles or 1
        got[t.relpath] = built
    return got
