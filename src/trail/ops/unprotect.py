"""``trail unprotect``: turn linked (read-only) workspace files into private, writable copies."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence

from trail.fsutil import atomic_fill
from trail.ops.locking import locked
from trail.ops.targets import resolve
from trail.repo import Repo
from trail.workspace.links import file_mode, is_linked
from trail.workspace.symlinks import refuse_for_storing


@locked
def unprotect(repo: Repo, targets: Sequence[str]) -> int:
    """Returns how many files were copied."""
    count = 0
    for target in resolve(repo, targets).outputs:  # outputs of pointer files and stages
        base = repo.path(target.relpath)
        if target.subpath:
            base = os.path.join(base, target.subpath)
        if not os.path.lexists(base):
            continue
        refuse_for_storing(repo.root, [target.relpath], "unprotect")
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
    isexec = os.access(path, os.X_OK)
    atomic_fill(path, lambda tmp: shutil.copyfile(path, tmp), mode=file_mode(isexec))
