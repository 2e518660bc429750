"""The local cache: objects at ``files/<algo>/ab/cdef…`` (``.dir`` for manifests; the layout a
remote shares, ``trail.odb.layout``), read-only.

DVC 2 (``md5-dos2unix``) objects live at the cache root, ``ab/cdef…``. Every object is written
to a temp file in its final directory and renamed, so a reader never sees part of one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import BinaryIO

import trail.odb.layout as layout
from trail import hashing
from trail.errors import CorruptObjectError, ObjectMissingError
from trail.fsutil import (
    TMP_MARK,
    atomic_fill,
    clean_stale_tmp,
    read_fd,
    read_file,
    tmp_name,
    translate_os_errors,
    write_new,
)
from trail.oidstr import DIR_SUFFIX, format_oid
from trail.types import Kind, Oid

OBJECT_MODE = 0o444


class LocalODB:
    def __init__(self, root: str) -> None:
        self.root = root

    def prefix_dir(self, algo: str) -> str:
        folder = layout.prefix(algo)
        return os.path.join(self.root, *folder.split("/")) if folder else self.root

    def path(self, oid: Oid) -> str:
        return os.path.join(self.root, *layout.object_path(oid).split("/"))

    def exists(self, oid: Oid) -> bool:
        return os.path.exists(self.path(oid))

    def add_bytes(self, oid: Oid, data: bytes) -> bool:
        """Store ``data`` under ``oid``; returns False if it was already there."""
        dst = self.path(oid)
        if os.path.exists(dst):
            return False
        # Created read-only from the start: one chmod less per object.
        self._commit(dst, lambda tmp: write_new(tmp, data, OBJECT_MODE), chmod=False)
        return True

    def add_file(self, oid: Oid, src: str, on_bytes: Callable[[int], None] | None = None) -> bool:
        """Copy the file ``src`` (already hashed to ``oid``) into the store."""
        dst = self.path(oid)
        if os.path.exists(dst):
            return False
        self._commit(dst, lambda tmp: copy_file(src, tmp, on_bytes))
        return True

    def add_copy(
        self,
        src: str,
        algo: str,
        on_bytes: Callable[[int], None] | None = None,
        unchanged: Callable[[], bool] = lambda: True,
    ) -> tuple[str, bool] | None:
        """Copy the file ``src`` into the store under the hash of the copy: the name always
        fits the bytes stored, even if ``src`` changes meanwhile. ``unchanged`` is asked once
        the copy is made whether ``src`` stayed as it was; if not, nothing is stored and None
        is returned (the caller tries again or gives up). Returns the hex and whether the
        object is new."""
        base = self.prefix_dir(algo)
        with translate_os_errors(base):
            os.makedirs(base, exist_ok=True)
            tmp = tmp_name(base)
            try:
                copy_file(src, tmp, on_bytes)
                if not unchanged():
                    os.unlink(tmp)
                    return None
                hexval = hashing.get(algo).hash_file(tmp, None, on_bytes)
                dst = self.path(Oid(algo, hexval))
                if os.path.exists(dst):
                    os.unlink(tmp)
                    return hexval, False
                os.chmod(tmp, OBJECT_MODE)
                try:
                    os.replace(tmp, dst)
                except FileNotFoundError:
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    os.replace(tmp, dst)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        return hexval, True

    def add_written(
        self, oid: Oid, fill: Callable[[str], object], *, tmp: str | None = None
    ) -> int:
        """Store the object ``fill`` writes into the temp file it is given (a download, whose
        bytes the caller checks against ``oid`` before it returns); returns its size. ``tmp``,
        from ``temp_for``, is a temp file a batch download already wrote (``fill`` checks it)."""
        dst = self.path(oid)
        atomic_fill(dst, fill, mode=OBJECT_MODE, tmp=tmp)
        return os.path.getsize(dst)

    def temp_for(self, oid: Oid) -> str:
        """A new temp name beside ``oid``'s place (its folder made) for a download that runs
        in a batch; ``add_written(oid, check, tmp=…)`` takes it in, or the caller deletes it."""
        parent = os.path.dirname(self.path(oid))
        with translate_os_errors(parent):
            os.makedirs(parent, exist_ok=True)
        return tmp_name(parent)

    def take_out(self, oid: Oid, dest: str) -> None:
        """Move the stored object out of the store to ``dest`` (a corrupt one, kept aside)."""
        os.replace(self.path(oid), dest)

    def _commit(self, dst: str, fill: Callable[[str], object], chmod: bool = True) -> None:
        """Fill a temp file beside ``dst`` and rename it into place."""
        atomic_fill(dst, fill, mode=OBJECT_MODE if chmod else None)

    def read_bytes(self, oid: Oid) -> bytes:
        try:
            return read_file(self.path(oid))[0]
        except FileNotFoundError:
            raise ObjectMissingError(format_oid(oid)) from None

    def read_if_small(self, oid: Oid, limit: int) -> tuple[bytes | None, int]:
        """The object's bytes if it is at most ``limit`` long (else None), and its size."""
        path = self.path(oid)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise ObjectMissingError(format_oid(oid)) from None
        try:
            size = os.fstat(fd).st_size
            return (read_fd(fd, size, exact=True) if size <= limit else None), size
        finally:
            os.close(fd)

    def open(self, oid: Oid) -> BinaryIO:
        """The object as a stream, checked against its id when read to the end."""
        from trail.odb.stream import open_verified

        path = self.path(oid)
        try:
            raw = open(path, "rb", buffering=0)  # noqa: SIM115 - the stream owns it
        except FileNotFoundError:
            raise ObjectMissingError(format_oid(oid)) from None
        return open_verified(raw, oid, lambda actual: CorruptObjectError(path, oid.hex, actual))

    def read_verified(self, oid: Oid) -> bytes:
        data = self.read_bytes(oid)
        actual = hashing.get(oid.algo).hash_bytes(data)
        if actual != oid.hex:
            raise CorruptObjectError(self.path(oid), oid.hex, actual)
        return data

    def verify(self, oid: Oid, on_bytes: Callable[[int], None] | None = None) -> str:
        """Hash the stored object; returns the actual hex (equal to ``oid.hex`` when sound)."""
        path = self.path(oid)
        try:
            return hashing.get(oid.algo).hash_file(path, None, on_bytes)
        except FileNotFoundError:
            raise ObjectMissingError(format_oid(oid)) from None

    def remove(self, oid: Oid) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(oid))

    def iter_oids(self, algo: str) -> Iterator[Oid]:
        base = self.prefix_dir(algo)
        hexlen = hashing.get(algo).hexlen
        try:
            prefixes = os.listdir(base)
        except FileNotFoundError:
            return
        for prefix in prefixes:
            if len(prefix) != 2 or not _is_hex(prefix):
                continue
            try:
                names = os.listdir(os.path.join(base, prefix))
            except NotADirectoryError:
                continue
            for name in names:
                kind = Kind.BLOB
                if name.endswith(DIR_SUFFIX):
                    name, kind = name[: -len(DIR_SUFFIX)], Kind.TREE
                hexval = prefix + name
                if len(hexval) == hexlen and _is_hex(hexval):
                    yield Oid(algo, hexval, kind)

    def clean_tmp(self, algo: str) -> int:
        """Remove temp files of killed writers under every prefix directory."""
        base = self.prefix_dir(algo)
        removed = clean_stale_tmp(base)  # copies ``add_copy`` had not named yet
        with contextlib.suppress(FileNotFoundError):
            for prefix in os.listdir(base):
                if len(prefix) == 2:
                    removed += clean_stale_tmp(os.path.join(base, prefix))
        return removed

    def has_tmp(self, name: str) -> bool:
        return name.startswith(TMP_MARK)


def _is_hex(s: str) -> bool:
    try:
        int(s, 16)
    except ValueError:
        return False
    return True


COPY_SLICE = 64 << 20


def copy_file(src: str, dst: str, on_bytes: Callable[[int], None] | None = None) -> None:
    """Copy file bytes, trying a reflink first (instant on btrfs/xfs), then the kernel's copy."""
    if try_reflink(src, dst):
        if on_bytes is not None:
            on_bytes(os.path.getsize(dst))
        return
    if on_bytes is None:
        import shutil

        shutil.copyfile(src, dst)
        return
    # The kernel's copy, in slices so a progress bar can follow it.
    with open(src, "rb") as s, open(dst, "wb") as d:
        offset = 0
        while True:
            sent = os.sendfile(d.fileno(), s.fileno(), offset, COPY_SLICE)
            if not sent:
                break
            offset += sent
            on_bytes(sent)


_FICLONE = 0x40049409
_reflink_works: bool | None = None


def try_reflink(src: str, dst: str) -> bool:
    global _reflink_works
    if _reflink_works is False:
        return False
    import fcntl

    try:
        with open(src, "rb") as s, open(dst, "wb") as d:
            fcntl.ioctl(d.fileno(), _FICLONE, s.fileno())
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(dst)
        _reflink_works = False
        return False
    _reflink_works = True
    return True
