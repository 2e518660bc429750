"""Noticing that the repository changed, cheaply, so pages update without a reload.

A fingerprint of what the pages show is taken at most every ``INTERVAL`` seconds: Git's refs
(the directories under ``refs/`` change whenever a ref is added, moved or removed), HEAD, the
queue's entries, the stage logs, the held output locks of running stages, and the files the
pipeline reads and writes (pipeline, lock, params, metrics, plots files, deps, outs, pointer
files). When it differs from the last one, the version goes up; pages poll the version and
fetch again when it moves.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from trail.dialect import Dialect

INTERVAL = 0.4


class Watcher:
    def __init__(self, root: str, dialect: Dialect) -> None:
        self.root, self.dialect = root, dialect
        self._lock = threading.Lock()
        self._version = 0
        self._print: Any = None
        self._taken = 0.0
        self._paths: list[str] | None = None  # workspace files to stat, found again on change
        self._git_dirs = _git_dirs(root)

    def version(self) -> int:
        with self._lock:
            if time.monotonic() - self._taken >= INTERVAL:
                self._refresh()
            return self._version

    def bump(self) -> int:
        """After an action: look again now, and move on even if nothing is seen yet (the
        change may land a moment later; the next look catches it)."""
        with self._lock:
            self._version += 1
            self._paths = None
            self._refresh()
            return self._version

    def _refresh(self) -> None:
        if self._paths is None:
            self._paths = self._watched()
        now = self._fingerprint(self._paths)
        self._taken = time.monotonic()
        if now != self._print:
            if self._print is not None:
                self._version += 1
                self._paths = self._watched()  # the pipeline may name other files now
                now = self._fingerprint(self._paths)
            self._print = now

    def _fingerprint(self, paths: list[str]) -> tuple[Any, ...]:
        private = os.path.join(self.root, self.dialect.private_dir)
        dirs: list[tuple[str, int]] = []
        for git_dir in self._git_dirs:
            dirs += _tree_mtimes(os.path.join(git_dir, "refs"))
        return (
            tuple(
                _stat(os.path.join(d, n)) for d in self._git_dirs for n in ("HEAD", "packed-refs")
            ),
            tuple(dirs),
            tuple(_tree_mtimes(os.path.join(private, "exps", "queue"), depth=1)),
            tuple(_tree_mtimes(os.path.join(private, "logs"), depth=1)),
            tuple(_stat(os.path.join(self.root, p)) for p in paths),
            _held_locks(os.path.join(private, "locks")),
        )

    def _watched(self) -> list[str]:
        """Repo-relative files whose change shows on some page."""
        from trail.repo import Repo

        repo = Repo(self.root, self.dialect)
        try:
            return sorted(_watched_files(repo))
        finally:
            repo.close()


def _watched_files(repo: Any) -> set[str]:
    from trail.errors import TrailError
    from trail.pipeline.load import find_pipeline_files, load_pipelines
    from trail.pipeline.lockfile import lock_path_for

    found = {"params.yaml", repo.dialect.pipeline_file, repo.dialect.lock_file}
    try:
        files = find_pipeline_files(repo)
        found.update(files)
        found.update(lock_path_for(f, repo.dialect.lock_file) for f in files)
        for pipeline in load_pipelines(repo):
            found.update(_named_by(pipeline))
    except (TrailError, OSError):
        pass  # a broken pipeline file: its own mtime is watched, the rest when it is fixed
    try:
        from trail.index import collect, outputs

        pfs = collect(repo)
        found.update(pf.path for pf in pfs)
        found.update(t.relpath for t in outputs(pfs))
    except (TrailError, OSError):
        pass
    return found


def _named_by(pipeline: Any) -> set[str]:
    found: set[str] = set()
    for stage in pipeline.stages.values():
        found.update(d.path for d in stage.deps)
        found.update(p.path for p in stage.params)
        found.update(o.path for o in stage.outs)
    for key in ("params", "metrics", "plots"):
        for item in pipeline.top.get(key) or []:
            name = next(iter(item)) if isinstance(item, dict) and item else item
            if isinstance(name, str):
                found.add(name)
    return found


def _git_dirs(root: str) -> list[str]:
    """The Git directory, and the common one of a worktree (where shared refs live)."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "rev-parse", "--absolute-git-dir", "--git-common-dir"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return []
    dirs = [os.path.normpath(os.path.join(root, d)) for d in out if d]
    return list(dict.fromkeys(dirs))


def _stat(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _tree_mtimes(top: str, depth: int = 8) -> list[tuple[str, int]]:
    """(path, mtime) of ``top`` and the directories below it: a directory's mtime moves
    whenever an entry is added, removed or renamed into it (how refs and atomic writes land)."""
    found = []
    stack = [(top, 0)]
    while stack:
        path, level = stack.pop()
        st = _stat(path)
        if st is None:
            continue
        found.append((path, st[0]))
        if level >= depth:
            continue
        try:
            with os.scandir(path) as it:
                stack += [(e.path, level + 1) for e in it if e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
    return sorted(found)


def _held_locks(folder: str) -> tuple[str, ...]:
    """Output locks some process holds now (a stage running)."""
    from trail.lock import is_held

    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return ()
    return tuple(name for name in names if is_held(os.path.join(folder, name)))
