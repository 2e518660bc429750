"""``trail unprotect``: turn linked (read-only) workspace files into private, writable copies."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence

from trail.fsutil import tmp_name
from trail.index import resolve_targets
from trail.repo import Repo
from trail.workspace.links import file_mode, is_linked


def unprotect(repo: Repo, targets: Sequence[str]) -> int:
    """Returns how many files were copied."""
    count = 0
    for target in resolve_targets(repo, targets):
        base = repo.path(target.tracked.relpath)
        if target.subpath:
            base = os.path.join(base, target.subpath)
        paths = (
            [base]
            if not os.path.isdir(base)
            else [os.path.join(d, f) for d, _dirs, files in os.walk(base) for f in files]
        )
        for path in paths:
            if is_linked(path) or not os.access(path, os.W_OK):
                _private_copy(path)
                count += 1
    return count


def _private_copy(path: str) -> None:
    tmp = tmp_name(os.path.dirname(path))
    shutil.copyfile(path, tmp)
    isexec = os.access(path, os.X_OK)
    os.chmod(tmp, file_mode(isexec))
    os.replace(tmp, path)
