"""Objects the lock files refer to: ``gc`` keeps them (and ``push`` will send them)."""

from __future__ import annotations

import posixpath

from trail.errors import TrailError
from trail.fsutil import decode_text
from trail.pipeline import lockfile
from trail.repo import Repo
from trail.types import Oid


def _oids(entries: dict[str, lockfile.LockEntry]) -> set[Oid]:
    return {o.oid for e in entries.values() for o in e.outs if o.oid is not None}


def lock_oids(repo: Repo) -> set[Oid]:
    """Outs recorded by every lock file of the workspace."""
    from trail.pipeline.load import find_pipeline_files

    found: set[Oid] = set()
    for pipeline_file in find_pipeline_files(repo):
        path = lockfile.lock_path_for(pipeline_file, repo.dialect.lock_file)
        found |= _oids(lockfile.read(repo.root, path))
    return found


def lock_oids_at(repo: Repo, rev: str) -> set[Oid]:
    """Outs recorded by the lock files committed at Git revision ``rev``."""
    if repo.scm is None:
        return set()
    sha = repo.scm.resolve(rev)
    name = repo.dialect.lock_file
    paths = [p for p in repo.scm.ls_tree(sha, [name]) if posixpath.basename(p) == name]
    found: set[Oid] = set()
    for path, data in repo.scm.read_blobs(sha, paths).items():
        try:
            found |= _oids(lockfile.parse(decode_text(data, path), path))
        except (UnicodeDecodeError, TrailError):
            continue  # an old, broken lock file does not stop reading a revision
    return found


def lock_outputs(repo: Repo) -> list[tuple[str, Oid, bool]]:
    """Cached stage outputs as the lock files record them: (repo path, object, isexec)."""
    from trail.pipeline.load import load_pipelines

    found: list[tuple[str, Oid, bool]] = []
    for pipeline in load_pipelines(repo):
        lock = lockfile.read(
            repo.root, lockfile.lock_path_for(pipeline.file, repo.dialect.lock_file)
        )
        for stage in pipeline.stages.values():
            entry = lock.get(stage.name)
            for out in stage.outs if entry is not None else ():
                item = entry.out(out.declared) if entry is not None else None
                if out.cache and item is not None and item.oid is not None:
                    found.append((out.path, item.oid, item.meta.isexec))
    return found
