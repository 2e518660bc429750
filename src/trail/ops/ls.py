"""``trail ls``: what a repository holds at a revision — Git's files and trail's outputs, and
inside tracked directories (their manifests come from the cache or the remote)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

from trail.errors import NotARepoError, WorkspaceError
from trail.paths import is_inside
from trail.repo import Repo
from trail.types import Oid


@dataclass(frozen=True, slots=True)
class Entry:
    path: str
    isout: bool
    isdir: bool
    isexec: bool = False


def ls(url: str, path: str = "", *, rev: str | None = None, recursive: bool = False) -> list[Entry]:
    """Entries directly under ``path`` (everything below it with ``recursive``), sorted."""
    path = path.strip("/")
    if os.path.isdir(url):
        url = os.path.abspath(url)
    with tempfile.TemporaryDirectory(prefix="trail-ls-") as tmp:
        from trail.scm.git import clone

        git = clone(url, os.path.join(tmp, "src"), rev)
        tree: dict[str, Entry] = {f: Entry(f, False, False) for f in git.ls_files()}
        _add_outputs(os.path.join(tmp, "src"), path, recursive, tree)
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


def _add_outputs(root: str, path: str, recursive: bool, tree: dict[str, Entry]) -> None:
    from trail.index import collect, outputs

    try:
        repo = Repo.find(root)
    except NotARepoError:
        return
    try:
        for t in outputs(collect(repo)):
            oid = t.out.oid
            isdir = oid is not None and oid.is_tree
            tree[t.relpath] = Entry(t.relpath, True, isdir, t.out.meta.isexec)
            wanted = recursive and (not path or is_inside(t.relpath, path))
            if isdir and oid is not None and (wanted or is_inside(path, t.relpath)):
                remote = t.out.options.get("remote")
                for rel, _oid in _files(repo, t.relpath, oid, str(remote) if remote else None):
                    tree[rel] = Entry(rel, True, False)
    finally:
        repo.close()


def _files(repo: Repo, relpath: str, oid: Oid, remote: str | None) -> list[tuple[str, Oid]]:
    """A tracked directory's files, its manifest fetched from the remote if not cached."""
    from trail.ops.common import expand_files
    from trail.remote.open import open_remote
    from trail.remote.transfer import download

    files = expand_files(repo, relpath, oid)
    if files is None:
        download(open_remote(repo.config, remote), repo.odb, [oid], jobs=1)
        files = expand_files(repo, relpath, oid) or {}
    return sorted(files.items())
