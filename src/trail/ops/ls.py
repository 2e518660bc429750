"""``trail ls`` (``list``): what a repository holds at a revision, as ``dvc list`` shows it —
Git's files and the outputs of pointer and lock files (listed even when they are not on disk),
with their sizes and hashes, and inside tracked directories (their manifests come from the
cache or the remote). The control directory is not listed."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trail.errors import WorkspaceError
from trail.paths import is_inside
from trail.types import Oid

if TYPE_CHECKING:
    from trail.ops.source import Source


@dataclass(frozen=True, slots=True)
class Entry:
    path: str
    isout: bool
    isdir: bool
    isexec: bool = False
    size: int | None = None
    hash: str | None = None  # the output's object id as DVC writes it (``….dir``); None: Git's
    recorded: int | None = None  # an output's size as its pointer or lock file records it


def ls(
    url: str,
    path: str = "",
    *,
    rev: str | None = None,
    recursive: bool = False,
    dvc_only: bool = False,
) -> list[Entry]:
    """Entries directly under ``path`` (every file below it with ``recursive``), sorted."""
    from trail.ops.source import open_source
    from trail.scm.git import Git

    path = path.strip("/")
    with open_source(url, rev, workspace=True) as src:
        control = src.repo.dialect.control if src.repo is not None else None
        tree: dict[str, Entry] = {}
        for f in Git(src.root).ls_files():
            if control is None or not (f == control or is_inside(f, control)):
                tree[f] = Entry(f, False, False, size=_size(src.root, f))
        if src.repo is not None:
            _add_outputs(src, path, recursive, tree)
        _add_parents(src.root, tree)
    if path and path in tree and not tree[path].isdir:
        return [tree[path]]
    if path and path not in tree:
        raise WorkspaceError(f"'{path}' does not exist in {url}{f' at {rev}' if rev else ''}")
    below = [e for p, e in tree.items() if not path or is_inside(p, path)]
    if recursive:
        below = [e for e in below if not e.isdir or (e.isout and not _expanded(e, tree))]
    else:
        depth = path.count("/") + 1 if path else 0
        below = [e for e in below if e.path.count("/") == depth]
    if dvc_only:
        below = [e for e in below if e.isout]
    return sorted(below, key=lambda e: e.path)


def _expanded(entry: Entry, tree: dict[str, Entry]) -> bool:
    return any(is_inside(p, entry.path) for p in tree)


def _size(root: str, relpath: str) -> int | None:
    try:
        return os.lstat(os.path.join(root, relpath)).st_size
    except OSError:
        return None


def _add_parents(root: str, tree: dict[str, Entry]) -> None:
    """The directories every path implies (inside an output they are part of it)."""
    for p in list(tree):
        parent = posixpath.dirname(p)
        while parent and parent not in tree:
            inside = tree[p].isout
            tree[parent] = Entry(parent, inside, True, size=_size(root, parent) if inside else None)
            parent = posixpath.dirname(parent)


def _add_outputs(src: Source, path: str, recursive: bool, tree: dict[str, Entry]) -> None:
    from trail.index import collect, outputs
    from trail.oidstr import format_oid

    assert src.repo is not None
    found = [
        (t.relpath, t.out.oid, t.out.meta.size, t.out.meta.isexec, t.out.options.get("remote"))
        for t in outputs(collect(src.repo))
    ]
    found += _stage_outputs(src)
    for relpath, oid, size, isexec, remote in found:
        isdir = oid is not None and oid.is_tree
        value = format_oid(oid) if oid is not None else None
        # as DVC: the size on disk where the output is there, else the one recorded
        on_disk = _size(src.root, relpath)
        tree[relpath] = Entry(relpath, True, isdir, isexec, on_disk or size, value, size)
        wanted = recursive and (not path or is_inside(relpath, path) or relpath == path)
        if isdir and oid is not None and (wanted or is_inside(path, relpath) or path == relpath):
            for rel, inner in _files(src, relpath, oid, str(remote) if remote else None):
                # DVC's recursive listing from above a directory leaves its files' sizes out
                above = recursive and not (path == relpath or is_inside(path, relpath))
                inner_size = None if above else _size(src.root, rel)
                tree[rel] = Entry(rel, True, False, size=inner_size, hash=inner.hex)


def _stage_outputs(src: Source) -> list[tuple[str, Oid | None, int | None, bool, object]]:
    """Outputs the lock files record, whether or not they are on disk."""
    from trail.errors import TrailError
    from trail.pipeline import lockfile
    from trail.pipeline.load import load_pipelines

    assert src.repo is not None
    repo = src.repo
    try:
        pipelines = load_pipelines(repo)
    except TrailError:
        return []  # a broken pipeline file: Git's files and pointer files are still listed
    found: list[tuple[str, Oid | None, int | None, bool, object]] = []
    for pipeline in pipelines:
        lock = lockfile.read(
            repo.root, lockfile.lock_path_for(pipeline.file, repo.dialect.lock_file)
        )
        for stage in pipeline.stages.values():
            entry = lock.get(stage.name)
            for out in stage.outs:
                item = entry.out(out.declared) if entry is not None else None
                oid = item.oid if item is not None else None
                size = item.meta.size if item is not None else None
                isexec = bool(item.meta.isexec) if item is not None else False
                found.append((out.path, oid, size, isexec, out.remote))
    return found


def _files(src: Source, relpath: str, oid: Oid, remote: str | None) -> list[tuple[str, Oid]]:
    """A tracked directory's files, its manifest from the source's cache (a local source) or
    its remote when the clone does not have it."""
    from trail.ops.common import expand_files
    from trail.ops.source import transfer

    assert src.repo is not None
    files = expand_files(src.repo, relpath, oid)
    if files is None:
        transfer(src, relpath, [oid], src.repo.odb, remote=remote, jobs=1)
        files = expand_files(src.repo, relpath, oid) or {}
    return sorted(files.items())
