"""From what a user names to a table to read: a workspace path, ``path@rev`` (a Git revision or
an experiment's name), a bare ``@rev`` (the other side's path), or any path or URL.

Tracked data at a revision is read from the cache, fetched first from the remote when the cache
lacks it. Each table comes with the hash of its data when there is one, so its profile can be
kept and found again by that hash.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass

from trail.errors import ObjectMissingError, WorkspaceError
from trail.progress import NULL, Progress
from trail.quality import source as src
from trail.quality.errors import DataReadError
from trail.repo import Repo
from trail.types import Oid


@dataclass(frozen=True)
class Spec:
    """``path`` (None: the other side's) at ``rev`` (None: the workspace)."""

    path: str | None
    rev: str | None
    shown: str | None = None  # the name to show, when ``path`` is not how the user wrote it

    @property
    def label(self) -> str:
        name = self.shown or self.path or ""
        return f"{name}@{self.rev}" if self.rev else name


def in_repo(repo: Repo, rel: str, rev: str | None) -> Spec:
    """A repository-relative path (a contract's), whatever the current directory."""
    return Spec(repo.path(rel), rev, shown=rel)


@dataclass(frozen=True)
class Resolved:
    source: src.Source
    oid: Oid | None  # the data's hash when known (a repository's data)
    spec: Spec


def parse(text: str, rev: str | None = None) -> Spec:
    """``path``, ``path@rev``, ``@rev`` or a URL; ``rev`` (``--rev``) applies when the text
    names none. A path that exists as written keeps any ``@`` in its name."""
    if "://" in text or os.path.exists(text) or "@" not in text:
        return Spec(text, rev)
    path, _, at = text.rpartition("@")
    return Spec(path or None, at or rev)


def is_url(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def resolve(
    repo: Repo | None, spec: Spec, stack: ExitStack, *, progress: Progress = NULL
) -> Resolved:
    """The table ``spec`` names; temporary files it needs live as long as ``stack``."""
    assert spec.path is not None
    path = spec.path.removeprefix("file://") if spec.path.startswith("file://") else spec.path
    if is_url(path):
        return Resolved(_url_source(path, spec.label, stack), None, spec)
    if spec.rev is None:
        return _workspace(repo, path, spec)
    if repo is None:
        raise WorkspaceError(f"'{spec.label}' names a revision, but this is no repository")
    return _at_rev(repo, _repo_rel(repo, path), spec, stack, progress)


def _url_source(url: str, label: str, stack: ExitStack) -> src.Source:
    """A table behind a URL, copied into a temp dir first (the engine reads local files)."""
    import posixpath

    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(url)
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="trail-data-"))
        if not fs.isdir(root):
            local = os.path.join(tmp, posixpath.basename(root.rstrip("/")) or "table")
            src.single(local, label, url)  # a name that is no table fails before the copy
            fs.get_file(root, local)
            return src.single(local, label, url)
        pairs = []
        for i, path in enumerate(sorted(fs.find(root))):
            name = f"{url.rstrip('/')}/{path[len(root) :].lstrip('/')}"
            if src.format_of(name) is None:
                continue
            local = os.path.join(tmp, f"{i}-{posixpath.basename(path)}")
            fs.get_file(path, local)
            pairs.append((local, name))
        return src.table_of(label, pairs)
    except ImportError as exc:
        raise DataReadError(url, f"this protocol needs another package ({exc})") from None
    except FileNotFoundError:
        raise DataReadError(url, "no such file or directory") from None
    except (OSError, ValueError) as exc:
        raise DataReadError(url, f"cannot be read: {exc}") from None


def _repo_rel(repo: Repo, path: str) -> str:
    rel = os.path.relpath(os.path.abspath(path), repo.root)
    if rel.startswith(".."):
        raise WorkspaceError(f"'{path}' is outside the repository {repo.root}")
    return rel.replace(os.sep, "/")


def _workspace(repo: Repo | None, path: str, spec: Spec) -> Resolved:
    if repo is None or not os.path.abspath(path).startswith(repo.root + os.sep):
        return Resolved(src.local(path, spec.label), None, spec)
    rel = _repo_rel(repo, path)
    if not os.path.lexists(repo.path(rel)):  # tracked but not checked out: its cached data
        with ExitStack() as stack:
            return _at_rev(repo, rel, Spec(rel, None), stack, NULL, workspace=True)
    source = src.local(repo.path(rel), spec.label)
    source = src.Source(source.files, source.fmt, spec.label, _names(source, rel, repo))
    return Resolved(source, workspace_oid(repo, rel, repo.algo), spec)


def workspace_oid(repo: Repo, rel: str, algo: str) -> Oid | None:
    """The hash of a workspace path, through the stat cache (unchanged files are not read)."""
    from trail.workspace.build import BuildContext, build

    if not os.path.lexists(repo.path(rel)):
        return None
    ctx = BuildContext(
        root=repo.root, algo=algo, state=repo.state, ignore=repo.ignore_rules(), odb=None
    )
    return build(ctx, rel).oid


def _names(source: src.Source, rel: str, repo: Repo) -> tuple[str, ...]:
    return tuple(os.path.relpath(f, repo.root).replace(os.sep, "/") for f in source.files) or (rel,)


def _at_rev(
    repo: Repo,
    rel: str,
    spec: Spec,
    stack: ExitStack,
    progress: Progress,
    *,
    workspace: bool = False,
) -> Resolved:
    from trail.ops.locate import PathMissingError, locate_output, resolve_rev

    rev = None if workspace else spec.rev
    sha = resolve_rev(repo, rev) if rev is not None else None
    try:
        loc = locate_output(repo, rel, rev, sha=sha, whole_dir=True)
    except PathMissingError:
        if sha is None or repo.scm is None:
            raise
        return _git_blob(repo, rel, sha, spec, stack)
    assert loc.oid is not None
    source = materialize(repo, loc.oid, rel, spec.label, loc.remote, progress)
    return Resolved(source, loc.oid, spec)


def _git_blob(repo: Repo, rel: str, sha: str, spec: Spec, stack: ExitStack) -> Resolved:
    """A small table Git itself holds at the revision: written to a temp file to be read."""
    assert repo.scm is not None
    from trail.ops.locate import PathMissingError

    blob = repo.scm.read_blobs(sha, [rel]).get(rel)
    if blob is None:
        raise PathMissingError(rel, f"{repo.root} at {spec.rev}")
    from trail import hashing

    oid = Oid(repo.algo, hashing.get(repo.algo).hash_bytes(blob))
    tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="trail-data-"))
    file = os.path.join(tmp, os.path.basename(rel))
    with open(file, "wb") as f:
        f.write(blob)
    return Resolved(src.single(file, spec.label, rel), oid, spec)


def materialize(
    repo: Repo,
    oid: Oid,
    rel: str,
    label: str,
    remote: str | None = None,
    progress: Progress = NULL,
) -> src.Source:
    """A source over the cache objects of ``oid`` (a file or a directory's table files),
    downloading from the remote what the cache lacks."""
    if not oid.is_tree:
        _ensure(repo, [oid], remote, progress)
        return src.single(repo.odb.path(oid), label, rel)
    from trail import manifest

    try:
        data = repo.odb.read_verified(oid)
    except ObjectMissingError:
        _ensure(repo, [oid], remote, progress)
        data = repo.odb.read_verified(oid)
    entries = manifest.parse(data, oid.algo, str(oid))
    tables = [e for e in entries if src.format_of(e.relpath) is not None]
    _ensure(repo, [e.oid for e in tables], remote, progress)
    pairs = [(repo.odb.path(e.oid), f"{rel}/{e.relpath}") for e in tables]
    return src.table_of(label, pairs)


def _ensure(repo: Repo, oids: list[Oid], remote: str | None, progress: Progress) -> None:
    missing = [o for o in dict.fromkeys(oids) if not repo.odb.exists(o)]
    if not missing:
        return
    from trail.remote.open import open_remote
    from trail.remote.transfer import default_jobs, download

    try:
        store = open_remote(repo.config, remote)
    except Exception as exc:
        raise DataReadError(
            str(missing[0]), f"not in the cache, and no remote to fetch it from ({exc})"
        ) from None
    moved = download(store, repo.odb, missing, jobs=default_jobs(store), progress=progress)
    if moved.failed:
        first, why = next(iter(moved.failed.items()))
        raise DataReadError(str(first), f"in neither the cache nor remote '{store.name}': {why}")
