"""The files of one revision: the workspace on disk, or a Git commit read in bulk, with
cached outputs (``cache: true`` metrics and plots) read from the object store by the hash the
lock file records."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trail.oidstr import DIR_SUFFIX
from trail.results.declared import CachedOut, Declared, FileReader, declared_files

if TYPE_CHECKING:
    from trail.scm.git import Git

WORKSPACE = "workspace"


class WorkspaceReader:
    """Files as they are on disk under ``root``."""

    name = WORKSPACE

    def __init__(self, root: str) -> None:
        self.root = root

    def read(self, paths: list[str]) -> dict[str, bytes]:
        found = {}
        real_root = os.path.realpath(self.root)
        for path in paths:
            full = os.path.join(self.root, path)
            if not os.path.realpath(full).startswith(real_root + os.sep):
                continue  # a symlink out of the repository is not the repository's file
            try:
                with open(full, "rb") as f:
                    found[path] = f.read()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                continue
        return found

    def list_files(self, directory: str) -> list[str]:
        base = os.path.join(self.root, directory)
        found = []
        for dirpath, _, files in os.walk(base):
            rel = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
            found += [f"{rel}/{name}" if rel != "." else name for name in files]
        return sorted(found)


class GitReader:
    """Files of commit ``sha``; ``name`` is how the user named it (``HEAD``, ``main``).
    Contents fetched by ``prefetch`` for many revisions at once are served from memory."""

    def __init__(self, git: Git, sha: str, name: str) -> None:
        self.git, self.sha, self.name = git, sha, name
        self.known: dict[str, bytes | None] = {}  # path → bytes, None when absent

    def read(self, paths: list[str]) -> dict[str, bytes]:
        wanted = [p for p in paths if p not in self.known]
        if wanted:
            fetched = self.git.read_blobs(self.sha, wanted)
            self.known.update({p: fetched.get(p) for p in wanted})
        return {p: data for p in paths if (data := self.known[p]) is not None}

    def list_files(self, directory: str) -> list[str]:
        out = self.git.run("ls-tree", "-r", "-z", "--name-only", self.sha, "--", directory)
        return sorted(p for p in out.split("\0") if p)


def prefetch(readers: Sequence[FileReader], paths: Callable[[FileReader], list[str]]) -> None:
    """Fetch ``paths(reader)`` for every Git revision among ``readers`` with one
    ``cat-file --batch`` per repository, so many revisions cost one process, not one each."""
    by_git: dict[int, list[tuple[GitReader, list[str]]]] = {}
    for reader in readers:
        if isinstance(reader, GitReader):
            wanted = [p for p in paths(reader) if p not in reader.known]
            by_git.setdefault(id(reader.git), []).append((reader, wanted))
    for group in by_git.values():
        git = group[0][0].git
        found = git.read_blobs_at((r.sha, p) for r, wanted in group for p in wanted)
        for reader, wanted in group:
            reader.known.update({p: found.get((reader.sha, p)) for p in wanted})


class EmptyReader:
    """A revision with no files: ``HEAD`` before the first commit."""

    def __init__(self, name: str) -> None:
        self.name = name

    def read(self, paths: list[str]) -> dict[str, bytes]:
        return {}

    def list_files(self, directory: str) -> list[str]:
        return []


ObjectReader = Callable[[str, str], bytes | None]  # (algo, hex) → bytes, None when not cached


@dataclass(frozen=True)
class Revision:
    """What one revision declares, and its files (Git first, then the cache)."""

    reader: FileReader
    declared: Declared
    from_cache: ObjectReader | None = None

    @property
    def name(self) -> str:
        return self.reader.name

    def read(self, paths: list[str]) -> dict[str, bytes]:
        found = self.reader.read(paths)
        if self.from_cache is None or not isinstance(self.reader, GitReader):
            return found  # the workspace holds its outputs on disk
        for path in paths:
            if path not in found:
                data = self._cached(path)
                if data is not None:
                    found[path] = data
        return found

    def list_files(self, directory: str) -> list[str]:
        """Files under ``directory``: Git's, and at a Git revision those inside cached output
        directories (read from their manifests) too."""
        found = set(self.reader.list_files(directory))
        if self.from_cache is not None and isinstance(self.reader, GitReader):
            for out_path, out in self.declared.lock_outs.items():
                if not out.hex.endswith(DIR_SUFFIX):
                    continue
                if _inside(out_path, directory) or out_path == directory:
                    found.update(f"{out_path}/{rel}" for rel in self._manifest(out))
                elif _inside(directory, out_path):
                    prefix = directory[len(out_path) + 1 :].rstrip("/") + "/"
                    found.update(
                        f"{out_path}/{rel}" for rel in self._manifest(out) if rel.startswith(prefix)
                    )
        return sorted(found)

    def _owner(self, path: str) -> tuple[str, CachedOut] | None:
        """The cached output that is ``path`` or a directory holding it."""
        out = self.declared.lock_outs.get(path)
        if out is not None:
            return path, out
        for out_path, out in self.declared.lock_outs.items():
            if out.hex.endswith(DIR_SUFFIX) and _inside(path, out_path):
                return out_path, out
        return None

    def _cached(self, path: str) -> bytes | None:
        """``path`` from the cache: a cached output, or a file inside a cached directory found
        through the directory's manifest (as DVC reads metrics of an output ``eval/``)."""
        assert self.from_cache is not None
        owner = self._owner(path)
        if owner is None:
            return None
        out_path, out = owner
        if out_path == path:
            return None if out.hex.endswith(DIR_SUFFIX) else self.from_cache(out.algo, out.hex)
        entry = self._manifest(out).get(path[len(out_path) + 1 :])
        return None if entry is None else self.from_cache(out.algo, entry)

    def _manifest(self, out: CachedOut) -> dict[str, str]:
        """relpath → hex of a cached directory ({} when its manifest is not in the cache)."""
        assert self.from_cache is not None
        data = self.from_cache(out.algo, out.hex)
        if data is None:
            return {}
        from trail import manifest

        return {e.relpath: e.oid.hex for e in manifest.parse(data, out.algo, out.hex)}

    def cached_elsewhere(self, path: str) -> bool:
        """Whether ``path`` is (inside) a cached output of a Git revision whose object is
        missing (``read`` could not find it)."""
        return isinstance(self.reader, GitReader) and self._owner(path) is not None


def _inside(path: str, directory: str) -> bool:
    return path.startswith(directory.rstrip("/") + "/")


def open_revision(
    reader: FileReader,
    pipeline_files: Sequence[str],
    lock_name: str,
    from_cache: ObjectReader | None,
) -> Revision:
    """A revision whose pipeline files (repo-relative) are ``pipeline_files``."""
    return Revision(reader, declared_files(reader, pipeline_files, lock_name), from_cache)
