"""Fetching repository imports: their data comes from the source repository at ``rev_lock``
(its cache or remote), as DVC fetches it, and must be exactly what the import recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trail.errors import TrailError
from trail.oidstr import format_oid
from trail.progress import NULL, Progress
from trail.repo import Repo

if TYPE_CHECKING:
    from trail.ops.push import TransferResult
    from trail.ops.used import UsedOutput


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
