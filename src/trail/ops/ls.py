"""``trail ls``: what a repository holds at a revision — Git's files and trail's outputs, and
inside tracked directories (their manifests come from the cache or the remote)."""

from __future__ import annotations

import os
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


def ls(url: str, path: str = "", *, rev: str | None = None, recursive: bool = False) -> list[Entry]:
    """Entries directly under ``path`` (everything below it with ``recursive``), sorted."""
    from trail.ops.source import open_source
    from trail.scm.git import Git

    path = path.strip("/")
    with open_source(url, rev, workspace=True) as src:
        tree: dict[str, Entry] = {f: Entry(f, False, False) for f in Git(src.root).ls_files()}
        if src.repo is not None:
            _add_outputs(src, path, recursive, tree)
    for p in list(tree):  # the directories every path implies
        parent = os.path.dirname(p)
        while parent and parent not in tree:
            tree[parent] = Entry(parent, False, True)
            parent = os.path.dirname(parent)
    if path and path in tree and not tree[path].isdir:
        return [tree[path]]
    if path and path not in tree:
        raise WorkspaceError(f"'{path}' does not exist in {url}{f' at {rev}' if rev else ''}")
    below = [e for p, e in tree.items() if not path or is_inside(p, path)]
    if not recursive:
        depth = path.count("/") + 1 if path else 0
        below = [e for e in below if e.path.count("/") == depth]
    return sorted(below, key=lambda e: e.path)


def _add_outputs(src: Source, path: str, recursive: bool, tree: dict[str, Entry]) -> None:
    from trail.index import collect, outputs

    assert src.repo is not None
    for t in outputs(collect(src.repo)):
        oid = t.out.oid
        isdir = oid is not None and oid.is_tree
        tree[t.relpath] = Entry(t.relpath, True, isdir, t.out.meta.isexec)
        wanted = recursive and (not path or is_inside(t.relpath, path))
        if isdir and oid is not None and (wanted or is_inside(path, t.relpath)):
            remote = t.out.options.get("remote")
            for rel, _oid in _files(src, t.relpath, oid, str(remote) if remote else None):
                tree[rel] = Entry(rel, True, False)


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
