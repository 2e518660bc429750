"""Data versions for browsing: the outputs trail tracks at a revision (pointer files and stage
outputs recorded in lock files) with their size and file count, an output's history across
commits, the inside of a tracked directory at any revision, and one file's bytes.

Every path asked for must lie inside a tracked output of that revision: anything else (``..``,
an absolute path, a Git-only file, a symlink out of the repository) raises
``NotTrackedError`` or ``UnsafePathError`` before anything is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from trail.errors import TrailError, WorkspaceError
from trail.paths import is_inside, safe_relpath
from trail.repo import Repo
from trail.types import Meta, Oid

if TYPE_CHECKING:
    from trail.pipeline.lockfile import LockEntry

WORKSPACE = "workspace"


class NotTrackedError(WorkspaceError):
    """A path that no tracked output holds (at the revision asked about)."""

    def __init__(self, path: str, rev: str) -> None:
        self.path, self.rev = path, rev
        super().__init__(f"'{path}' is not inside an output trail tracks at {rev}")


class ManifestMissingError(TrailError):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"the list of files of '{path}' is not in the cache (run `trail fetch` first)"
        )


@dataclass(frozen=True, slots=True)
class TrackedOut:
    """An output at one revision: where it is recorded (a pointer file, or a stage of a
    pipeline file), what it hashes to, its size and (directories) file count."""

    path: str
    oid: Oid | None
    meta: Meta
    source: str  # "data.trail" or "trail.yaml:train"
    record: str  # the file holding the entry: the pointer file or the lock file
    stage: str | None = None  # the stage name inside ``record`` (lock files)
    declared: str | None = None  # the path as the lock entry writes it


@dataclass(frozen=True, slots=True)
class Version:
    commit: str
    time: int
    subject: str
    oid: Oid | None
    meta: Meta


@dataclass(frozen=True, slots=True)
class Entry:
    """A file or a directory inside a tracked output."""

    path: str  # repo-relative
    isdir: bool
    oid: Oid | None = None
    size: int | None = None
    nfiles: int | None = None


def tracked_at(repo: Repo, rev: str = WORKSPACE) -> list[TrackedOut]:
    """Every tracked output of ``rev`` (the workspace's recorded versions by default), by path."""
    if rev == WORKSPACE:
        found = _pointer_outs_workspace(repo) + _stage_outs_workspace(repo)
    else:
        sha = _resolve(repo, rev)
        found = _pointer_outs_at(repo, sha) + _stage_outs_at(repo, sha)
    return sorted(found, key=lambda t: t.path)


def _pointer_outs_workspace(repo: Repo) -> list[TrackedOut]:
    from trail.index import collect, outputs

    return [
        TrackedOut(t.relpath, t.out.oid, t.out.meta, t.pf.path, t.pf.path)
        for t in outputs(collect(repo))
    ]


def _pointer_outs_at(repo: Repo, sha: str) -> list[TrackedOut]:
    from trail.index import collect_at, outputs

    return [
        TrackedOut(t.relpath, t.out.oid, t.out.meta, t.pf.path, t.pf.path)
        for t in outputs(collect_at(repo, sha))
    ]


def _stage_outs_workspace(repo: Repo) -> list[TrackedOut]:
    from trail.pipeline import lockfile
    from trail.pipeline.load import load_pipelines

    found = []
    for pipeline in load_pipelines(repo):
        lock_path = lockfile.lock_path_for(pipeline.file, repo.dialect.lock_file)
        entries = lockfile.read(repo.root, lock_path)
        found += _stage_outs(pipeline, entries, lock_path)
    return found


def _stage_outs_at(repo: Repo, sha: str) -> list[TrackedOut]:
    from trail.ops.revisions import open_rev
    from trail.pipeline import lockfile

    assert repo.scm is not None
    revision = open_rev(repo, sha)
    found = []
    for pipeline in revision.declared.pipelines:
        lock_path = lockfile.lock_path_for(pipeline.file, repo.dialect.lock_file)
        blob = revision.reader.read([lock_path]).get(lock_path)
        entries = lockfile.parse(blob.decode("utf-8"), lock_path) if blob else {}
        found += _stage_outs(pipeline, entries, lock_path)
    return found


def _stage_outs(
    pipeline: object, entries: dict[str, LockEntry], lock_path: str
) -> list[TrackedOut]:
    from trail.pipeline.model import Pipeline

    assert isinstance(pipeline, Pipeline)
    found = []
    for stage in pipeline.stages.values():
        entry = entries.get(stage.name)
        for out in stage.outs:
            if not out.cache:
                continue  # kept by Git, not by trail
            item = entry.out(out.declared) if entry is not None else None
            found.append(
                TrackedOut(
                    out.path,
                    item.oid if item else None,
                    item.meta if item else Meta(),
                    f"{pipeline.file}:{stage.name}",
                    lock_path,
                    stage.name,
                    out.declared,
                )
            )
    return found


def _resolve(repo: Repo, rev: str) -> str:
    from trail.errors import ScmError

    if repo.scm is None:
        raise ScmError("this repository has no Git: only the workspace can be browsed")
    return repo.scm.resolve(rev)


def owner(repo: Repo, path: str, rev: str = WORKSPACE) -> tuple[str, TrackedOut]:
    """``path`` made safe, and the tracked output of ``rev`` that holds it."""
    path = safe_relpath(path.strip("/") or ".", "the request")
    for t in tracked_at(repo, rev):
        if is_inside(path, t.path):
            return path, t
    raise NotTrackedError(path, rev)


def listdir(repo: Repo, path: str, rev: str = WORKSPACE) -> list[Entry]:
    """What ``path`` (a tracked output, or a directory inside one) holds at ``rev``: its
    subdirectories (with how many files each holds) and files (with sizes when cached)."""
    path, out = owner(repo, path, rev)
    files = _files_of(repo, out)
    if path in files and len(files) == 1:
        oid = files[path]
        return [Entry(path, False, oid, _size(repo, oid, out.meta))]
    dirs: dict[str, int] = {}
    entries: list[Entry] = []
    prefix = path + "/"
    for file, oid in files.items():
        if not file.startswith(prefix):
            continue
        head, sep, _rest = file[len(prefix) :].partition("/")
        if sep:
            dirs[prefix + head] = dirs.get(prefix + head, 0) + 1
        else:
            entries.append(Entry(file, False, oid, _size(repo, oid, None)))
    if not dirs and not entries:
        raise NotTrackedError(path, rev)
    entries += [Entry(d, True, nfiles=n) for d, n in dirs.items()]
    return sorted(entries, key=lambda e: (not e.isdir, e.path))


def _files_of(repo: Repo, out: TrackedOut) -> dict[str, Oid]:
    from trail.ops.common import expand_files

    if out.oid is None:
        return {}
    files = expand_files(repo, out.path, out.oid)
    if files is None:
        raise ManifestMissingError(out.path)
    return files


def _size(repo: Repo, oid: Oid, meta: Meta | None) -> int | None:
    if meta is not None and meta.size is not None:
        return meta.size
    try:
        return os.stat(repo.odb.path(oid)).st_size
    except OSError:
        return None


def open_file(repo: Repo, path: str, rev: str = WORKSPACE) -> tuple[IO[bytes], int]:
    """One tracked file's bytes at ``rev`` and its size: from the cache, or for the
    workspace from disk when the recorded version is not cached (a new, uncommitted file)."""
    from trail.errors import ObjectMissingError

    path, out = owner(repo, path, rev)
    oid = _files_of(repo, out).get(path) if out.oid is not None else None
    if oid is not None and oid.is_tree:
        raise WorkspaceError(f"'{path}' is a directory")
    if oid is not None and repo.odb.exists(oid):
        return repo.odb.open(oid), os.stat(repo.odb.path(oid)).st_size
    if rev == WORKSPACE:
        full = _inside_root(repo, path)
        if os.path.isfile(full):
            f = open(full, "rb")  # noqa: SIM115 -- handed to the caller, who closes it
            return f, os.fstat(f.fileno()).st_size
    if oid is None:
        raise NotTrackedError(path, rev)
    raise ObjectMissingError(str(oid))


def _inside_root(repo: Repo, path: str) -> str:
    """The absolute path of ``path``, refusing one that a symlink leads out of the repository."""
    from trail.errors import UnsafePathError

    full = os.path.join(repo.root, path)
    real_root = os.path.realpath(repo.root)
    if not os.path.realpath(full).startswith(real_root + os.sep):
        raise UnsafePathError(path, "the request")
    return full


def history(repo: Repo, path: str, *, limit: int = 50) -> list[Version]:
    """The versions of the output at ``path`` (as the workspace tracks it) across the commits
    that changed its record, newest first; a commit that recorded the same hash again is
    left out."""
    _path, out = owner(repo, path)
    if repo.scm is None or not repo.scm.has_commits():
        return []
    log = repo.scm.run(
        "log", f"-n{limit}", "--format=%H%x00%ct%x00%s", "HEAD", "--", out.record
    ).splitlines()
    commits = [line.split("\0", 2) for line in log if line]
    blobs = repo.scm.read_blobs_at((sha, out.record) for sha, _, _ in commits)
    versions: list[Version] = []
    for sha, when, subject in commits:
        blob = blobs.get((sha, out.record))
        oid, meta = _recorded(out, blob) if blob is not None else (None, Meta())
        versions.append(Version(sha, int(when), subject, oid, meta))
    return list(_distinct(versions))


def _distinct(versions: list[Version]) -> Iterator[Version]:
    """Drop a version equal to the one just older than it (a commit that kept the hash)."""
    for i, v in enumerate(versions):
        older = versions[i + 1] if i + 1 < len(versions) else None
        if older is None or older.oid != v.oid:
            yield v


def _recorded(out: TrackedOut, blob: bytes) -> tuple[Oid | None, Meta]:
    """The output's hash and meta as the pointer or lock file ``blob`` records them."""
    from trail import pointer
    from trail.pipeline import lockfile

    try:
        text = blob.decode("utf-8")
        if out.stage is None:
            pf = pointer.parse(text, out.record)
            for o in pf.outs:
                if pf.out_relpath(o) == out.path:
                    return o.oid, o.meta
            return None, Meta()
        entry = lockfile.parse(text, out.record).get(out.stage)
    except (UnicodeDecodeError, TrailError):
        return None, Meta()  # an old, broken record: no version to show
    item = entry.out(out.declared or "") if entry is not None else None
    return (item.oid, item.meta) if item is not None else (None, Meta())
