"""``trail get``: copy a file or directory out of any trail or DVC repository (a Git URL or a
path), at any revision, downloading tracked data from that repository's remote."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass

from trail.errors import WorkspaceError
from trail.progress import NULL, Progress


@dataclass(frozen=True)
class GetResult:
    path: str  # where the copy was written
    tracked: bool  # it came from the cache/remote (else it was a plain Git file)


def get(
    url: str,
    path: str,
    *,
    out: str | None = None,
    rev: str | None = None,
    remote: str | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> GetResult:
    """Clone ``url`` into a temp dir, fetch and check out ``path`` there, copy it to ``out``."""
    dest = os.path.abspath(out or os.path.basename(path.rstrip("/")))
    if os.path.lexists(dest):
        raise WorkspaceError(f"'{out or os.path.basename(path)}' already exists: choose -o OUT")
    if os.path.isdir(url):
        url = os.path.abspath(url)
    with tempfile.TemporaryDirectory(prefix="trail-get-") as tmp:
        from trail.scm.git import clone

        clone(url, os.path.join(tmp, "src"), rev)
        src_path = os.path.join(tmp, "src", path)
        tracked = _materialize(os.path.join(tmp, "src"), path, remote, jobs, progress)
        if not os.path.lexists(src_path):
            raise WorkspaceError(f"'{path}' does not exist in {url}{f' at {rev}' if rev else ''}")
        _copy(src_path, dest)
    return GetResult(dest, tracked)


def _materialize(
    root: str, path: str, remote: str | None, jobs: int | None, progress: Progress
) -> bool:
    """Fetch and check out ``path`` in the clone if trail tracks it; False if it is plain Git."""
    from trail.errors import NotARepoError
    from trail.ops.checkout import checkout
    from trail.ops.fetch import fetch
    from trail.repo import Repo

    try:
        repo = Repo.find(root)
    except NotARepoError:
        return False
    target = os.path.join(root, path)  # absolute: the source repository is not the cwd
    try:
        try:
            fetch(repo, [target], remote=remote, jobs=jobs, progress=progress)
        except WorkspaceError:
            return False  # not tracked: a file Git holds
        checkout(repo, [target], progress=progress)
        return True
    finally:
        repo.close()


def _copy(src: str, dest: str) -> None:
    if os.path.isdir(src):
        shutil.copytree(src, dest, symlinks=False)
    else:
        shutil.copyfile(src, dest)
