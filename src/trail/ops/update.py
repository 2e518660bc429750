"""``trail update``: bring imports up to date with their sources.

A repository import re-resolves its revision (``rev_lock``); a URL import reads its source's
fingerprint again (or its content, where the backend has no fingerprint). Data is downloaded
only when the source changed. Everything is fetched into the cache first; only then are the
workspace and the pointer files touched, so a failure changes nothing a user sees.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from trail import pointer
from trail.errors import UsageError, WorkspaceError
from trail.importdeps import RepoDep, RepoSource, UrlDep, import_dep
from trail.index import collect
from trail.ops.importing import make_pointer, place
from trail.ops.locking import locked
from trail.paths import is_inside, repo_relpath
from trail.pointer import PointerFile
from trail.progress import NULL, Progress
from trail.repo import Repo
from trail.workspace.build import Built


@dataclass(frozen=True)
class UpdateResult:
    pointer_file: str
    changed: bool


@dataclass(frozen=True)
class _Plan:
    old: PointerFile
    new: PointerFile
    built: Built | None

    @property
    def changed(self) -> bool:
        return self.new.to_dict() != self.old.to_dict()


@locked
def update(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    rev: str | None = None,
    recursive: bool = False,
    no_download: bool = False,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> list[UpdateResult]:
    chosen = _imports(repo, targets, recursive)
    if rev is not None and any(not isinstance(d, RepoDep) for _, d in chosen):
        raise UsageError("--rev applies to repository imports only (`trail import`)")
    plans = []
    for pf, dep in chosen:
        if isinstance(dep, RepoDep):
            plans.append(_plan_repo(repo, pf, dep, rev, no_download, jobs, progress))
        else:
            plans.append(_plan_url(repo, pf, dep, no_download, jobs, progress))
    for plan in plans:
        if plan.changed:
            out_rel = plan.old.out_relpath(plan.new.outs[0])
            place(repo, out_rel, plan.built, force=False, progress=progress)
            pointer.write(repo.root, plan.new)
    return [UpdateResult(p.old.path, p.changed) for p in plans]


def _imports(
    repo: Repo, targets: Sequence[str], recursive: bool
) -> list[tuple[PointerFile, RepoDep | UrlDep]]:
    pfs = collect(repo)
    found: list[tuple[PointerFile, RepoDep | UrlDep]] = []
    for pf in pfs if not targets else _match(repo, pfs, targets, recursive):
        dep = import_dep(pf.top, pf.path)
        if dep is not None and len(pf.outs) == 1:
            found.append((pf, dep))
        elif targets and not recursive:
            raise WorkspaceError(f"'{pf.path}' is not an import (see `trail import`)")
    if targets and not found:
        raise WorkspaceError("no imports among the targets")
    return found


def _match(
    repo: Repo, pfs: list[PointerFile], targets: Sequence[str], recursive: bool
) -> list[PointerFile]:
    chosen: list[PointerFile] = []
    for raw in targets:
        rel = repo_relpath(repo.root, raw)
        hits = [pf for pf in pfs if rel == pf.path or rel in (pf.out_relpath(o) for o in pf.outs)]
        if not hits and recursive and os.path.isdir(repo.path(rel)):
            hits = [pf for pf in pfs if is_inside(pf.path, rel)]
        if not hits:
            more = "" if recursive else " (a directory needs -R)"
            raise WorkspaceError(f"'{raw}' is not an import pointer file{more}")
        chosen.extend(pf for pf in hits if pf not in chosen)
    return chosen


def _plan_repo(
    repo: Repo,
    pf: PointerFile,
    dep: RepoDep,
    rev: str | None,
    no_download: bool,
    jobs: int | None,
    progress: Progress,
) -> _Plan:
    from trail.ops.source import fetch_path, locate, locate_url, open_source
    from trail.scm.remote_refs import resolve_remote

    src = dep.source
    want = rev or src.rev
    sha = resolve_remote(locate_url(src.url, repo.root), want)
    has_data = pf.outs[0].oid is not None
    if sha is not None and sha == src.rev_lock and want == src.rev and (has_data or no_download):
        return _Plan(pf, pf, None)
    remote = src.extra.get("remote")
    with open_source(src.url, want, base=repo.root) as source:
        new_dep = RepoDep(dep.path, RepoSource(src.url, want, source.sha, src.extra))
        if no_download:
            locate(source, dep.path)
            built = None
        else:
            built = fetch_path(
                source,
                dep.path,
                repo.odb,
                repo.algo,
                remote=str(remote) if isinstance(remote, str) else None,
                jobs=jobs,
                progress=progress,
            )
    return _Plan(pf, make_pointer(repo, pf.path, new_dep, built, old=pf), built)


def _plan_url(
    repo: Repo,
    pf: PointerFile,
    dep: UrlDep,
    no_download: bool,
    jobs: int | None,
    progress: Progress,
) -> _Plan:
    from trail.ops.import_url import fingerprinted, read_url

    if fingerprinted(repo, dep.path) and not no_download:
        # the fingerprint first: no download when the source did not change
        now, _ = read_url(repo, pf.dir, dep.path, dep.fs_config, store=False)
        if now.same_source(dep) and pf.outs[0].oid is not None:
            return _Plan(pf, pf, None)
    new_dep, built = read_url(
        repo, pf.dir, dep.path, dep.fs_config, store=not no_download, jobs=jobs, progress=progress
    )
    return _Plan(pf, make_pointer(repo, pf.path, new_dep, built, old=pf), built)
