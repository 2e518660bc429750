"""Finding pointer files in the workspace and the outputs they track.

The walk lists a directory's files before entering its subdirectories, so a directory that a
pointer file beside it tracks is never walked: finding ``data.trail`` costs nothing for the
20,000 files under ``data/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from trail import pointer
from trail.errors import TrailError
from trail.fsutil import decode_text
from trail.paths import is_inside
from trail.pointer import Output, PointerFile
from trail.repo import Repo
from trail.workspace.ignore import ALWAYS_IGNORED, is_nested_repo


@dataclass(frozen=True)
class Tracked:
    """One output of one pointer file, with its repo-relative path."""

    pf: PointerFile
    out: Output
    relpath: str
    index: int


def collect(repo: Repo) -> list[PointerFile]:
    """Every pointer file in the workspace, in path order."""
    suffix = repo.dialect.pointer_suffix
    ignore = repo.ignore_rules()
    found: list[PointerFile] = []
    stack = ["."]
    while stack:
        dirrel = stack.pop()
        path = repo.root if dirrel == "." else os.path.join(repo.root, dirrel)
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        ignore.load_dir(dirrel, any(e.name == ignore.filename for e in entries))
        tracked_here: set[str] = set()
        subdirs = []
        for entry in entries:
            rel = entry.name if dirrel == "." else f"{dirrel}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in ALWAYS_IGNORED:
                    subdirs.append(rel)
            elif entry.name.endswith(suffix) and entry.is_file():
                if ignore.active and ignore.ignored(rel, False):
                    continue
                pf = pointer.load(repo.root, rel)
                found.append(pf)
                tracked_here.update(pf.out_relpath(o) for o in pf.outs)
        for rel in reversed(subdirs):
            if rel in tracked_here or any(is_inside(rel, t) for t in tracked_here):
                continue
            if ignore.active and ignore.ignored(rel, True):
                continue
            if is_nested_repo(os.path.join(repo.root, rel)):
                continue  # another repository's pointer files are its own
            stack.append(rel)
    found.sort(key=lambda pf: pf.path)
    return found


def outputs(pfs: Iterable[PointerFile]) -> list[Tracked]:
    return [Tracked(pf, out, pf.out_relpath(out), i) for pf in pfs for i, out in enumerate(pf.outs)]


def collect_at(repo: Repo, rev: str) -> list[PointerFile]:
    """The pointer files committed at Git revision ``rev`` (read in one ``cat-file`` batch)."""
    if repo.scm is None:
        from trail.errors import ScmError

        raise ScmError("this repository has no Git: revisions cannot be read")
    sha = repo.scm.resolve(rev)
    paths = repo.scm.ls_tree(sha, [repo.dialect.pointer_suffix])
    blobs = repo.scm.read_blobs(sha, paths)
    found = []
    for path, data in sorted(blobs.items()):
        try:
            found.append(pointer.parse(decode_text(data, path), path))
        except (UnicodeDecodeError, TrailError):
            continue  # an old, broken pointer file does not stop reading a revision
    return found
