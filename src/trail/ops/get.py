"""``trail get``: copy a file or directory out of any trail or DVC repository (a Git URL or a
path), at any revision, downloading tracked data from that repository's remote."""

from __future__ import annotations

import os
import shutil
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
    """Clone ``url`` into a temp dir, check out ``path`` there, copy it to ``out``."""
    from trail.ops.source import locate, materialize, open_source

    dest = os.path.abspath(out or os.path.basename(path.rstrip("/")))
    if os.path.lexists(dest):
        raise WorkspaceError(f"'{out or os.path.basename(path)}' already exists: choose -o OUT")
    with open_source(url, rev) as src:
        found = locate(src, path)
        materialize(src, found, remote=remote, jobs=jobs, progress=progress)
        _copy(os.path.join(src.root, found.path), dest)
    return GetResult(dest, found.out is not None or bool(found.inner))


def _copy(src: str, dest: str) -> None:
    if os.path.isdir(src):
        shutil.copytree(src, dest, symlinks=False)
    else:
        shutil.copyfile(src, dest)
