"""Temp files a killed writer left on a folder remote, cleaned once they are surely abandoned.

A writer makes ``.trail-tmp-…`` beside an object and renames it into place; SIGKILL between the
two leaves the temp behind. The writer's own next command removes its temps at once (the temp
journal, see ``fsutil``); this covers the rest — another clone's, another machine's — by age:
a temp untouched for ``STALE_AGE`` seconds belongs to no live writer (each write moves its
mtime). Were one still being written, its rename fails and that object is simply sent again.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable

from trail.fsutil import TMP_MARK
from trail.remote.store import RemoteStore

STALE_AGE = 3600.0


def clean_stale_temps(store: RemoteStore, dirs: Iterable[str] | None = None) -> int:
    """Remove stale temps from ``dirs`` of a folder remote (``None``: every directory);
    returns how many. Other remotes are left alone (their uploads are one atomic request)."""
    root = store.fs.local_path("")
    if root is None:
        return 0
    if dirs is None:
        where: Iterable[str] = (d for d, _sub, _files in os.walk(root))
    else:
        where = (store.fs.local_path(d) or root for d in dict.fromkeys(dirs))
    deadline = time.time() - STALE_AGE
    removed = 0
    for path in where:
        with contextlib.suppress(OSError), os.scandir(path) as entries:
            for entry in entries:
                if entry.name.startswith(TMP_MARK) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        if entry.stat(follow_symlinks=False).st_mtime < deadline:
                            os.unlink(entry.path)
                            removed += 1
    return removed
