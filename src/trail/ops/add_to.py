"""``trail add SOURCE -o OUT``: track a copy of a file or directory from anywhere (outside the
repository too) at ``OUT``; with ``--to-remote``, send it straight to a remote instead, never
through the cache or the workspace (DVC's ``add -o`` and ``add --to-remote``)."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import TYPE_CHECKING

from trail.errors import WorkspaceError
from trail.index import collect, outputs
from trail.ops.add import AddResult, _plan_one, record
from trail.ops.locking import locked
from trail.paths import repo_relpath
from trail.progress import NULL, Progress
from trail.repo import Repo
from trail.workspace.build import BuildContext, Built, build

if TYPE_CHECKING:
    from trail.odb.local import LocalODB


@locked
def add_to(
    repo: Repo,
    source: str,
    out: str,
    *,
    force: bool = False,
    no_commit: bool = False,
    to_remote: bool = False,
    remote: str | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> AddResult:
    """Track ``source`` (a path, relative to the current directory) as output ``out``."""
    src = os.path.abspath(source)
    if not os.path.exists(src):
        raise WorkspaceError(f"'{source}' does not exist")
    rel = repo_relpath(repo.root, out)
    if src == repo.path(rel):
        raise WorkspaceError(f"'{source}' is '{out}' already: run `trail add {source}`")
    _rel, existing = _plan_one(repo, rel, outputs(collect(repo)), must_exist=False)
    if existing is not None and existing.relpath != rel:
        raise WorkspaceError(f"cannot add to '{rel}': it is inside '{existing.relpath}'")
    if os.path.lexists(repo.path(rel)) and not force:
        raise WorkspaceError(f"'{rel}' already exists: use -f to overwrite it")
    result = AddResult()
    if to_remote:
        built = _to_remote(repo, src, remote, jobs, progress)
    elif no_commit:
        _copy(src, repo.path(rel))
        built = build(_context(repo, repo.root, None, progress), rel)
    else:
        built = build(_context(repo, os.path.dirname(src), repo.odb, progress), _base(src))
        _place(repo, rel, built)
    record(repo, rel, built, existing, result)
    return result


def _base(path: str) -> str:
    return os.path.basename(path.rstrip(os.sep))


def _context(repo: Repo, root: str, odb: LocalODB | None, progress: Progress) -> BuildContext:
    from trail.ops.common import build_context_for

    ctx = build_context_for(root, repo.algo, odb)
    ctx.progress = progress
    return ctx


def _copy(src: str, dst: str) -> None:
    from trail.fsutil import remove_tree

    remove_tree(dst)
    os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
    if os.path.isdir(src):
        shutil.copytree(src, dst)
    else:
        shutil.copy2(src, dst)


def _place(repo: Repo, rel: str, built: Built) -> None:
    """Check the stored copy out at ``rel`` (replacing what ``-f`` allowed to replace)."""
    from trail.fsutil import remove_tree
    from trail.ops.common import checkout_context
    from trail.workspace.checkout import Changes, checkout_dir, checkout_file

    remove_tree(repo.path(rel))
    ctx = checkout_context(repo, force=True)
    if built.oid.is_tree:
        checkout_dir(ctx, rel, built.oid, Changes())
    else:
        checkout_file(ctx, rel, built.oid, built.meta.isexec, Changes())


def _to_remote(
    repo: Repo, src: str, remote: str | None, jobs: int | None, progress: Progress
) -> Built:
    """Hash ``src`` into a scratch object store and upload that: the cache never holds it."""
    from trail.errors import TransferError
    from trail.odb.local import LocalODB
    from trail.remote.open import open_remote
    from trail.remote.transfer import default_jobs, upload

    store = open_remote(repo.config, remote)
    store.fs.check(for_write=True)
    os.makedirs(repo.private_dir, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="to-remote-", dir=repo.private_dir)
    try:
        odb = LocalODB(scratch)
        built = build(_context(repo, os.path.dirname(src), odb, progress), _base(src))
        oids = sorted(odb.iter_oids(repo.algo), key=str)
        moved = upload(store, odb, oids, jobs=jobs or default_jobs(store), progress=progress)
        if moved.failed:
            raise TransferError("push", moved.failed)
        return built
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
