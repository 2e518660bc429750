"""Where a path of a repository is at a revision: a file on disk (the workspace), a file Git
holds, or an object trail tracks — a whole output or a file inside a tracked directory —
read from the cache or, failing that, from a remote. ``trail.api`` streams from here."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from trail.errors import ObjectMissingError, ScmError, WorkspaceError
from trail.paths import is_inside, safe_relpath
from trail.repo import Repo
from trail.types import Oid

if TYPE_CHECKING:
    from trail.remote.store import RemoteStore
    from trail.results.declared import Declared


class PathMissingError(WorkspaceError):
    """``path`` is neither a file of the revision nor inside an output it tracks."""

    def __init__(self, path: str, where: str) -> None:
        self.path, self.where = path, where
        super().__init__(f"'{path}' does not exist in {where}")


class IsADirectoryPathError(WorkspaceError):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"'{path}' is a directory: name a file inside it")


@dataclass(frozen=True)
class Located:
    """One of ``disk``, ``blob`` or ``oid`` is set."""

    path: str  # repo-relative
    disk: str | None = None  # a workspace file
    blob: bytes | None = None  # a file Git holds at the revision
    oid: Oid | None = None  # a tracked object
    remote: str | None = None  # the remote the output names (``remote:`` in its entry)


def resolve_rev(repo: Repo, rev: str) -> str:
    """The commit of a Git revision, or of an experiment of that name (``refs/exps/…/<rev>``)."""
    if repo.scm is None:
        raise ScmError(f"cannot read revision '{rev}': this repository has no Git")
    try:
        return repo.scm.resolve(rev)
    except ScmError:
        out = repo.scm.run("for-each-ref", "--format=%(refname) %(objectname)", "refs/exps/")
        shas = {sha for ref, _, sha in (line.partition(" ") for line in out.splitlines())
                if ref.rsplit("/", 1)[-1] == rev}  # fmt: skip
        if len(shas) == 1:
            return shas.pop()
        raise


def locate(repo: Repo, path: str, rev: str | None = None) -> Located:
    """Find ``path`` (repo-relative) in the workspace (``rev`` None) or at Git revision ``rev``."""
    rel = safe_relpath(path.replace(os.sep, "/"), "the path asked for")
    sha = resolve_rev(repo, rev) if rev is not None else None
    if sha is None:
        disk = repo.path(rel)
        real_root = os.path.realpath(repo.root)
        if os.path.isfile(disk) and os.path.realpath(disk).startswith(real_root + os.sep):
            return Located(rel, disk=disk)
    elif repo.scm is not None:
        blob = repo.scm.read_blobs(sha, [rel]).get(rel)
        if blob is not None:
            return Located(rel, blob=blob)
    return locate_output(repo, rel, rev, sha=sha)


def locate_output(
    repo: Repo, path: str, rev: str | None, *, sha: str | None = None, whole_dir: bool = False
) -> Located:
    """The tracked object of ``path``: an output (a directory one only with ``whole_dir``)
    or a file inside a tracked directory; ``sha`` is ``rev`` already resolved."""
    rel = safe_relpath(path.replace(os.sep, "/"), "the path asked for")
    if rev is not None and sha is None:
        sha = resolve_rev(repo, rev)
    for out_path, oid, remote in _outputs(repo, sha):
        if rel == out_path:
            if oid.is_tree and not whole_dir:
                raise IsADirectoryPathError(rel)
            return Located(rel, oid=oid, remote=remote)
        if oid.is_tree and is_inside(rel, out_path):
            inner = _inside(repo, oid, rel, out_path, remote)
            if inner is None:
                break
            return Located(rel, oid=inner, remote=remote)
    where = f"{repo.root} at {rev}" if rev is not None else repo.root
    raise PathMissingError(rel, where)


def _outputs(repo: Repo, sha: str | None) -> Iterator[tuple[str, Oid, str | None]]:
    """Tracked outputs of the revision: pointer files' first, then (only if still looking:
    it loads the pipelines) what the lock files record."""
    from trail.index import collect, collect_at, outputs
    from trail.oidstr import parse_oid
    from trail.ops.revisions import open_rev

    pfs = collect(repo) if sha is None else collect_at(repo, sha)
    for t in outputs(pfs):
        if t.out.oid is not None:
            remote = t.out.options.get("remote")
            yield t.relpath, t.out.oid, str(remote) if remote else None
    declared = open_rev(repo, sha).declared
    for out_path, cached in declared.lock_outs.items():
        yield out_path, parse_oid(cached.hex, cached.algo), _stage_remote(declared, out_path)


def _stage_remote(declared: Declared, out_path: str) -> str | None:
    for pipeline in declared.pipelines:
        for stage in pipeline.stages.values():
            for out in stage.outs:
                if out.path == out_path and out.remote:
                    return str(out.remote)
    return None


def _inside(repo: Repo, tree: Oid, path: str, out_path: str, remote: str | None) -> Oid | None:
    """The object of file ``path`` inside the tracked directory ``out_path`` (its manifest
    from the cache or the remote), or None."""
    relpath = path[len(out_path) + 1 :]
    from trail import manifest

    try:
        data = repo.odb.read_verified(tree)
    except ObjectMissingError:
        data = _remote(repo, remote).read_verified(tree)
    entries = manifest.parse(data, tree.algo, str(tree))
    for entry in entries:
        if entry.relpath == relpath:
            return entry.oid
    if any(is_inside(entry.relpath, relpath) for entry in entries):
        raise IsADirectoryPathError(path)
    return None


def _remote(repo: Repo, name: str | None) -> RemoteStore:
    from trail.remote.open import open_remote

    return open_remote(repo.config, name)


def open_located(repo: Repo, loc: Located, remote: str | None = None) -> BinaryIO:
    """A binary stream of what ``locate`` found: objects come from the cache, else from
    ``remote`` (default: the output's own remote, then the default one), verified by hash
    as they are read."""
    if loc.disk is not None:
        return open(loc.disk, "rb")
    if loc.blob is not None:
        return io.BytesIO(loc.blob)
    assert loc.oid is not None
    try:
        return repo.odb.open(loc.oid)
    except ObjectMissingError:
        pass
    store = _remote(repo, remote or loc.remote)
    try:
        return store.open(loc.oid)
    except FileNotFoundError:
        raise WorkspaceError(
            f"'{loc.path}' is in neither the cache nor remote '{store.name}' ({store.url})"
        ) from None


def object_url(repo: Repo, loc: Located, remote: str | None = None) -> str:
    """The URL of the object on the remote (not checked for existence, as DVC does)."""
    if loc.oid is None:
        raise WorkspaceError(f"'{loc.path}' is not tracked by trail: it has no remote URL")
    return _remote(repo, remote or loc.remote).object_url(loc.oid)
