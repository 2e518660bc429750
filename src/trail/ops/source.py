"""Another repository as a source of data: ``get``, ``import``, ``update`` and pulling imports.

The source is cloned at a revision into a temp dir. A path in it lies inside a tracked output
(a pointer file's or a stage's) or is a file Git holds. Objects of tracked outputs come from the
source's own cache when the source is a local path, else from its remote, each verified by hash.
When the source hashes as this repository does, they go straight into this cache under the same
ids; otherwise the data is checked out in the clone and hashed anew.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from trail import manifest
from trail.errors import (
    NotARepoError,
    RemoteConfigError,
    RemoteError,
    ScmError,
    SourceDataError,
    TrailError,
    WorkspaceError,
)
from trail.odb.local import LocalODB
from trail.oidstr import format_oid
from trail.paths import is_inside
from trail.progress import NULL, Progress
from trail.remote.store import RemoteStore
from trail.repo import Repo
from trail.types import Meta, Oid, TreeEntry
from trail.workspace.build import Built


@dataclass
class Source:
    url: str  # as the user gave it
    location: str  # what Git reads: an absolute path for a local repository, else the URL
    rev: str | None
    root: str  # the clone
    sha: str  # the commit checked out
    repo: Repo | None  # None: a plain Git repository
    tmp: str  # scratch space that goes with the clone

    @property
    def origin(self) -> Repo | None:
        """The source repository itself when it is a local path (its cache and its secrets)."""
        if self.repo is None or "://" in self.location or not os.path.isdir(self.location):
            return None
        from trail.repo import detect

        if detect(self.location) is None:
            return None  # a bare repository: no cache of its own, only its remote
        return Repo(self.location, self.repo.dialect)

    def describe(self) -> str:
        return f"{self.url}{f' at {self.rev}' if self.rev else ''}"


def locate_url(url: str, base: str) -> str:
    """A local repository as an absolute path (relative ones are relative to ``base``)."""
    if "://" in url:
        return url
    path = os.path.join(base, os.path.expanduser(url))
    return os.path.abspath(path) if os.path.isdir(path) else url


@contextlib.contextmanager
def open_source(
    url: str, rev: str | None = None, *, base: str = ".", workspace: bool = False
) -> Iterator[Source]:
    """Clone ``url`` at ``rev`` (None: its HEAD) for the duration of the block.

    With ``workspace``, a local repository without ``rev`` is read as it is now, working tree
    and all, as ``dvc list`` reads one (for looking only: nothing may be checked out in it).
    """
    location = locate_url(url, base)
    if workspace and rev is None and os.path.isdir(location):
        with tempfile.TemporaryDirectory(prefix="trail-src-") as tmp:
            src = _local(url, location, tmp)
            try:
                yield src
            finally:
                if src.repo is not None:
                    src.repo.close()
        return
    from trail.scm.git import clone
    from trail.scm.remote_refs import resolve_remote

    sha = resolve_remote(location, rev)  # a clear error if the repository cannot be read
    with tempfile.TemporaryDirectory(prefix="trail-src-") as tmp:
        root = os.path.join(tmp, "repo")
        try:
            git = clone(location, root, sha or rev)
        except ScmError as exc:
            if rev and "unknown revision" in str(exc):
                raise ScmError(f"unknown revision '{rev}' in {url}") from None
            detail = str(exc).removeprefix("git clone failed: ").removeprefix("fatal: ")
            raise ScmError(f"cannot read repository {url}: {detail}") from None
        repo = _open_repo(root)
        try:
            yield Source(url, location, rev, root, git.resolve("HEAD"), repo, tmp)
        finally:
            if repo is not None:
                repo.close()


def _open_repo(root: str) -> Repo | None:
    try:
        return Repo.find(root)
    except NotARepoError:
        return None


def _local(url: str, location: str, tmp: str) -> Source:
    from trail.scm.git import Git

    git = Git(location)
    if not git.run("rev-parse", "--is-inside-work-tree", check=False).strip():
        raise ScmError(f"cannot read repository {url}: not a Git repository")
    head = git.run("rev-parse", "--verify", "--quiet", "HEAD", check=False).strip()
    return Source(url, location, None, location, head, _open_repo(location), tmp)


@dataclass(frozen=True)
class Found:
    """Where ``path`` is in the source: inside the output ``out`` (at ``subpath`` of it, for
    a directory), holding outputs (``inner``), or one of Git's files (neither)."""

    path: str
    out: str | None = None
    oid: Oid | None = None
    isexec: bool = False
    remote: str | None = None
    subpath: str | None = None
    inner: tuple[tuple[str, Oid, str | None], ...] = ()


def _outputs(repo: Repo) -> list[tuple[str, Oid, bool, str | None]]:
    """(path, object, isexec, remote) of every cached output: pointer files' and stages'."""
    from trail.index import collect, outputs

    found = []
    for t in outputs(collect(repo)):
        if t.out.oid is not None and t.out.use_cache:
            remote = t.out.options.get("remote")
            found.append((t.relpath, t.out.oid, t.out.meta.isexec, str(remote) if remote else None))
    try:
        from trail.pipeline.used import lock_outputs

        found.extend((p, o, x, None) for p, o, x in lock_outputs(repo))
    except TrailError:
        pass  # a broken pipeline file at that revision: its pointer files still count
    return found


def locate(src: Source, path: str) -> Found:
    from trail.paths import safe_relpath

    path = path.strip("/") or "."
    if path != ".":
        path = safe_relpath(path, src.describe())  # no '..', no absolute paths
    if src.repo is not None:
        inner = []
        for rel, oid, isexec, remote in _outputs(src.repo):
            if rel == path:
                return Found(path, rel, oid, isexec, remote)
            if is_inside(path, rel):
                return Found(path, rel, oid, False, remote, path[len(rel) + 1 :])
            if is_inside(rel, path):
                inner.append((rel, oid, remote))
        if inner:
            return Found(path, inner=tuple(inner))
    if os.path.lexists(os.path.join(src.root, path)) and path != ".":
        _refuse_escapes(src, path)
        return Found(path)  # one of Git's files, or a directory of them
    raise WorkspaceError(f"'{path}' does not exist in {src.describe()}")


def _refuse_escapes(src: Source, path: str) -> None:
    """Git stores symlinks: one in the source must not bring a file of this machine along."""
    from trail.errors import UnsafePathError

    root = os.path.realpath(src.root)
    top = os.path.join(src.root, path)
    links = [top] if os.path.islink(top) else []
    for dirpath, dirs, files in os.walk(top):
        links += [os.path.join(dirpath, n) for n in dirs + files]
    for link in links:
        if os.path.islink(link):
            real = os.path.realpath(link)
            if real != root and not real.startswith(root + os.sep):
                shown = os.path.relpath(link, src.root).replace(os.sep, "/")
                raise UnsafePathError(shown, src.describe())


def stores(src: Source, remote: str | None) -> list[RemoteStore]:
    """Where the source's objects may be: its own cache (a local source), then its remote."""
    from trail.fs.local import LocalFS
    from trail.remote.open import open_remote

    assert src.repo is not None
    found = []
    origin = src.origin
    if origin is not None:
        found.append(RemoteStore(f"the cache of {src.url}", LocalFS(origin.cache_dir)))
    config = origin.config if origin is not None else src.repo.config
    try:
        found.append(open_remote(config, remote))
    except RemoteConfigError:
        if remote is not None or not found:
            raise
    return found


def transfer(
    src: Source,
    path: str,
    oids: Iterable[Oid],
    odb: LocalODB,
    *,
    remote: str | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> None:
    """Bring ``oids`` from the source's stores into ``odb``; raise naming what none had."""
    from trail.remote.transfer import default_jobs, download

    todo = sorted({o for o in oids if not odb.exists(o)}, key=str)
    failed: dict[str, str] = {}
    for store in stores(src, remote) if todo else []:
        try:
            store.fs.check()
        except RemoteError as exc:
            failed.update((format_oid(o), str(exc)) for o in todo)
            continue
        moved = download(store, odb, todo, jobs=jobs or default_jobs(store), progress=progress)
        todo = [o for o in todo if format_oid(o) in moved.failed]
        failed.update(moved.failed)  # the last place asked says why
        if not todo:
            return
    if todo:
        wanted = {format_oid(o) for o in todo}
        raise SourceDataError(
            src.describe(), path, {k: v for k, v in failed.items() if k in wanted}
        )


def _closure(
    src: Source, path: str, oid: Oid, odb: LocalODB, subpath: str | None, **kw: object
) -> list[TreeEntry]:
    """Fetch ``oid`` (a directory's manifest, then its files under ``subpath``) into ``odb``."""
    transfer(src, path, [oid], odb, **kw)  # type: ignore[arg-type]
    if not oid.is_tree:
        return []
    entries = manifest.parse(odb.read_verified(oid), oid.algo, odb.path(oid))
    if subpath is not None:
        entries = [e for e in entries if e.relpath == subpath or is_inside(e.relpath, subpath)]
        if not entries:
            raise WorkspaceError(f"'{path}' does not exist in {src.describe()}")
    transfer(src, path, [e.oid for e in entries], odb, **kw)  # type: ignore[arg-type]
    return entries


def fetch_path(
    src: Source,
    path: str,
    odb: LocalODB,
    algo: str,
    *,
    remote: str | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> Built:
    """Put ``path`` of the source into ``odb`` as objects of ``algo``; returns its object."""
    found = locate(src, path)
    kw = {"remote": remote or found.remote, "jobs": jobs, "progress": progress}
    if found.oid is not None and found.oid.algo == algo:
        entries = _closure(src, path, found.oid, odb, found.subpath, **kw)
        return _as_built(found, entries, odb)
    materialize(src, found, **kw)  # type: ignore[arg-type]
    from trail.ops.common import build_context_for
    from trail.workspace.build import build

    return build(build_context_for(src.root, algo, odb), found.path)


def _as_built(found: Found, entries: list[TreeEntry], odb: LocalODB) -> Built:
    assert found.oid is not None
    oid, sub = found.oid, found.subpath
    if not oid.is_tree:
        return Built(oid, Meta(os.path.getsize(odb.path(oid)), None, found.isexec))
    if sub is not None and len(entries) == 1 and entries[0].relpath == sub:
        oid = entries[0].oid  # a file inside a tracked directory
        return Built(oid, Meta(os.path.getsize(odb.path(oid))))
    if sub is not None:  # a directory inside one: a manifest of its own
        entries = [TreeEntry(e.relpath[len(sub) + 1 :], e.oid) for e in entries]
        data = manifest.serialize(entries, oid.algo)
        oid = manifest.tree_oid(data, oid.algo)
        odb.add_bytes(oid, data)
    size = sum(os.path.getsize(odb.path(e.oid)) for e in entries)
    return Built(oid, Meta(size, len(entries)), {e.relpath: e.oid.hex for e in entries})


def materialize(
    src: Source,
    found: Found,
    *,
    remote: str | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> None:
    """Check out, in the clone, the tracked data at or under ``found.path``."""
    wanted = [(found.out, found.oid, found.remote)] if found.out else list(found.inner)
    if not wanted:
        return  # Git's own files: the clone has them
    staging = LocalODB(os.path.join(src.tmp, "objects"))
    from trail.ops.common import checkout_context_for
    from trail.workspace.checkout import Changes, checkout_dir, checkout_file

    ctx = checkout_context_for(src.root, staging, progress)
    for rel, oid, own_remote in wanted:
        assert rel is not None and oid is not None
        kw = {"remote": remote or own_remote, "jobs": jobs, "progress": progress}
        _closure(src, found.path, oid, staging, found.subpath, **kw)
        changes = Changes()
        if oid.is_tree:
            checkout_dir(ctx, rel, oid, changes, subpath=found.subpath)
        else:
            checkout_file(ctx, rel, oid, found.isexec, changes)
        if changes.missing:
            raise SourceDataError(src.describe(), found.path, {format_oid(oid): "incomplete"})
