"""Putting a cache object in the workspace: reflink, hardlink, symlink or copy.

``cache.type`` is an ordered list; the first kind that works on this filesystem is used and
remembered. Hardlinks and symlinks share the read-only cache object, so they stay read-only.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from trail.errors import ConfigError
from trail.fsutil import atomic_fill, write_new
from trail.odb.local import copy_file, try_reflink

LINK_TYPES = ("reflink", "hardlink", "symlink", "copy")
DEFAULT = ("reflink", "copy")


def parse_link_types(value: str | None) -> tuple[str, ...]:
    if not value:
        return DEFAULT
    kinds = tuple(v.strip() for v in value.split(",") if v.strip())
    bad = [k for k in kinds if k not in LINK_TYPES]
    if bad or not kinds:
        raise ConfigError(
            f"cache.type: unknown link type '{','.join(bad) or value}' "
            f"(use a list of {', '.join(LINK_TYPES)})"
        )
    return kinds


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()
_FILE_MODE = 0o666 & ~_UMASK


def file_mode(isexec: bool) -> int:
    return _FILE_MODE | (0o111 & ~_UMASK if isexec else 0)


class Linker:
    """Places objects, trying link kinds in order and keeping the first that works."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        import threading

        self.kinds = list(kinds)
        self._lock = threading.Lock()  # checkout places files from several threads

    @property
    def kind(self) -> str:
        return self.kinds[0]

    def place(
        self,
        src: str,
        dst: str,
        isexec: bool = False,
        on_bytes: Callable[[int], None] | None = None,
    ) -> None:
        """Atomically put object ``src`` at ``dst`` (which must not exist or be replaceable)."""
        while True:
            kind = self.kinds[0]

            def fill(tmp: str, kind: str = kind) -> bool:
                return self._link(kind, src, tmp, isexec, on_bytes)

            if atomic_fill(dst, fill):
                return
            self._give_up(kind, dst)

    def _give_up(self, kind: str, dst: str) -> None:
        """Drop a link kind that does not work here (once, whichever thread sees it first)."""
        with self._lock:
            if self.kinds[0] != kind:
                return
            if len(self.kinds) == 1:
                raise OSError(f"cannot place {dst}: link type {kind} does not work here")
            self.kinds.pop(0)

    def _link(
        self, kind: str, src: str, tmp: str, isexec: bool, on_bytes: Callable[[int], None] | None
    ) -> bool:
        mode = file_mode(isexec)
        if kind == "copy":
            copy_file(src, tmp, on_bytes)
            os.chmod(tmp, mode)
            return True
        if kind == "reflink":
            if try_reflink(src, tmp):
                os.chmod(tmp, mode)
                return True
            return False
        try:
            if kind == "hardlink":
                os.link(src, tmp)
            else:
                os.symlink(os.path.abspath(src), tmp)
        except OSError as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            return False
        return True

    def write_bytes(self, data: bytes, src: str, dst: str, isexec: bool = False) -> os.stat_result:
        """Place an object whose bytes are already in memory (a copy needs no second read);
        returns the placed file's stat."""
        if self.kinds[0] != "copy":
            self.place(src, dst, isexec)
            return os.stat(dst)
        mode = file_mode(isexec)
        # A rename keeps inode and mtime: the stat of the temp file stays true.
        return atomic_fill(dst, lambda tmp: write_new(tmp, data, mode))


def is_linked(path: str) -> bool:
    """Whether a workspace file shares its bytes with the cache (so it must not be edited)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    import stat

    return stat.S_ISLNK(st.st_mode) or st.st_nlink > 1
