"""What the bench checks after each timed command: trees restored byte for byte, objects in a
cache or on a remote, and how a tool placed files (hard link, symlink, copy)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def tree_digest(top: Path) -> tuple[int, str]:
    """(number of files, a digest of their paths and bytes) of the tree at ``top``."""
    h = hashlib.blake2b()
    n = 0
    for dirpath, dirs, files in os.walk(top):
        dirs.sort()
        for name in sorted(files):
            path = Path(dirpath) / name
            h.update(str(path.relative_to(top)).encode() + b"\0")
            h.update(path.read_bytes())
            n += 1
    return n, h.hexdigest()


def count_files(top: Path, skip: tuple[str, ...] = (".trail-gc",)) -> int:
    """Files below ``top`` (a cache or a folder remote), temp files and markers left out."""
    n = 0
    for _dirpath, _dirs, files in os.walk(top):
        n += sum(1 for f in files if f not in skip and not _temp(f))
    return n


def cache_objects(repo: Path) -> int:
    """Objects in a repository's cache (either tool's, either dialect)."""
    for control in (".trail", ".dvc"):
        files = repo / control / "cache" / "files"
        if files.is_dir():
            return count_files(files)
    return 0


def placement(paths: list[Path]) -> str:
    """How these files sit on disk: all hard-linked, all symlinks, all plain copies, or a mix.
    (A reflink looks like a copy: ext4, this machine's, has none.)"""
    kinds = set()
    for p in paths:
        st = os.lstat(p)
        if os.path.islink(p):
            kinds.add("symlink")
        elif st.st_nlink > 1:
            kinds.add("hardlink")
        else:
            kinds.add("copy")
    return "/".join(sorted(kinds)) or "nothing"


def sample(top: Path, k: int = 50) -> list[Path]:
    """Up to ``k`` files below ``top``, spread over the tree."""
    found = sorted(Path(d) / f for d, _s, fs in os.walk(top) for f in fs)
    step = max(1, len(found) // k)
    return found[::step][:k]


def _temp(name: str) -> bool:
    return name.startswith(".trail-tmp") or name.endswith(".tmp")
