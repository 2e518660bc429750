"""Files of a commit of this repository written to a directory: Git's files as committed,
tracked data from the cache (each object verified by its hash), else from the default remote."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence

from trail.progress import NULL, Progress
from trail.repo import Repo


def materialize(
    repo: Repo,
    commit: str,
    paths: Sequence[str],
    dest: str,
    *,
    remote: str | None = None,
    progress: Progress = NULL,
) -> None:
    """Write each repo-relative path of ``paths`` as ``commit`` has it under ``dest`` (same
    relative path). Nothing of the workspace is read or changed."""
    from trail.ops.source import locate, open_source
    from trail.ops.source import materialize as check_out

    with open_source(repo.root, commit) as src:
        for path in paths:
            found = locate(src, path)
            check_out(src, found, remote=remote, progress=progress)
            target = os.path.join(dest, path)
            os.makedirs(os.path.dirname(target) or dest, exist_ok=True)
            source = os.path.join(src.root, path)
            if os.path.isdir(source):
                shutil.copytree(source, target, symlinks=False, dirs_exist_ok=True)
            else:
                shutil.copyfile(source, target)
