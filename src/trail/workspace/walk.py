"""Walking a directory: every file below it with its stat, ignore rules applied."""

from __future__ import annotations

import os
from stat import S_ISREG

from trail.fsutil import TMP_MARK
from trail.state import Stat
from trail.workspace.ignore import ALWAYS_IGNORED, IgnoreRules


def walk_files(
    root: str, dirrel: str, ignore: IgnoreRules | None, temps: list[str] | None = None
) -> list[tuple[str, Stat, bool]]:
    """``(path below dirrel, stat, isexec)`` for each file under repo-relative ``dirrel``.

    Symlinks to files are followed (their content is what is tracked); symlinked directories are
    not entered, as git does not enter them either. trail's own temp files (left by a killed
    checkout) are never data: they are skipped, and listed in ``temps`` if given.

    This loop is the floor of a no-op status, so it is written for speed: one ``scandir`` per
    directory, one ``stat`` per file.
    """
    if ignore is not None:
        ignore.load_ancestors(dirrel + "/x")
    out: list[tuple[str, Stat, bool]] = []
    append = out.append
    stack = [("", os.path.join(root, dirrel))]
    while stack:
        prefix, path = stack.pop()
        try:
            with os.scandir(path) as it:
                entries = list(it)
        except (FileNotFoundError, NotADirectoryError):
            continue
        check = False
        if ignore is not None:
            here = f"{dirrel}/{prefix}".rstrip("/") if prefix else dirrel
            ignore.load_dir(here, any(e.name == ignore.filename for e in entries))
            check = ignore.active
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name in ALWAYS_IGNORED:
                    continue
                if check and ignore is not None and ignore.ignored(f"{dirrel}/{rel}", True):
                    continue
                stack.append((rel + "/", entry.path))
                continue
            if entry.name.startswith(TMP_MARK):
                if temps is not None:
                    temps.append(entry.path)
                continue
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue  # a dangling symlink or a file removed while we walk
            if not S_ISREG(st.st_mode):
                continue
            if check and ignore is not None and ignore.ignored(f"{dirrel}/{rel}", False):
                continue
            append((rel, (st.st_ino, st.st_mtime_ns, st.st_size), bool(st.st_mode & 0o100)))
    return out
