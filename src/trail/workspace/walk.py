"""Walking a directory: every file below it with its stat, ignore rules applied."""

from __future__ import annotations

import os
import stat as statmod
from collections.abc import Iterator

from trail.state import Stat
from trail.workspace.ignore import ALWAYS_IGNORED, IgnoreRules


def walk_files(
    root: str, dirrel: str, ignore: IgnoreRules | None
) -> Iterator[tuple[str, Stat, bool]]:
    """Yield ``(path below dirrel, stat, isexec)`` for each file under repo-relative ``dirrel``.

    Symlinks to files are followed (their content is what is tracked); symlinked directories are
    not entered, as git does not enter them either.
    """
    top = os.path.join(root, dirrel)
    if ignore is not None:
        ignore.load_ancestors(dirrel + "/x")
    stack = [("", top)]
    while stack:
        prefix, path = stack.pop()
        try:
            it = os.scandir(path)
        except FileNotFoundError:
            continue
        with it:
            entries = list(it)
        if ignore is not None:
            here = f"{dirrel}/{prefix}".rstrip("/") if prefix else dirrel
            ignore.load_dir(here, any(e.name == ignore.filename for e in entries))
            check = ignore.active
        else:
            check = False
        subdirs = []
        for entry in entries:
            name = entry.name
            rel = prefix + name
            if entry.is_dir(follow_symlinks=False):
                if name in ALWAYS_IGNORED:
                    continue
                if check and ignore is not None and ignore.ignored(f"{dirrel}/{rel}", True):
                    continue
                subdirs.append((rel + "/", entry.path))
                continue
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue  # a dangling symlink or a file removed while we walk
            if not statmod.S_ISREG(st.st_mode):
                continue
            if check and ignore is not None and ignore.ignored(f"{dirrel}/{rel}", False):
                continue
            yield rel, Stat(st.st_ino, st.st_mtime_ns, st.st_size), bool(st.st_mode & 0o100)
        stack.extend(reversed(subdirs))
