"""Atomic writes and OS error translation, shared by every layer that touches disk."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
from collections.abc import Iterator

from trail.errors import DiskFullError, NotTextError, PermissionDeniedError, TrailError

TMP_MARK = ".trail-tmp-"


_counter = itertools.count()
_TAG = os.urandom(4).hex()  # tells this run from an earlier one that had the same pid


def tmp_name(dirpath: str) -> str:
    """A temp path beside its final place; the pid lets a later run see it as stale.

    Unique by a counter rather than fresh randomness: checkout names 20,000 of these (and the
    pid is looked up once, not by a system call each time).
    """
    return os.path.join(dirpath, f"{_prefix[0]}{next(_counter)}")


_prefix = [f"{TMP_MARK}{os.getpid()}-{_TAG}-"]


def _forked() -> None:
    _prefix[0] = f"{TMP_MARK}{os.getpid()}-{os.urandom(4).hex()}-"


os.register_at_fork(after_in_child=_forked)


def read_file(path: str) -> tuple[bytes, os.stat_result]:
    """A whole (small) file and its stat after reading, with the fewest syscalls.

    ``open()`` would add an isatty ioctl and an lseek per file; on 20,000 files that shows.
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = read_fd(fd, os.fstat(fd).st_size)
        return data, os.fstat(fd)
    finally:
        os.close(fd)


def read_fd(fd: int, size: int, exact: bool = False) -> bytes:
    """Everything left in ``fd``, expected to be ``size`` bytes (a file may have grown).

    ``exact`` reads ``size`` bytes and no further: for objects that never change (and are
    checked against their hash), the read that would only see end-of-file is saved.
    """
    if exact:
        data = os.read(fd, size)
        while len(data) < size and (more := os.read(fd, size - len(data))):
            data += more
        return data
    chunks = []
    want = size + 1  # one byte more, to see EOF in the same call when it fits
    while chunk := os.read(fd, max(want, 65536)):
        chunks.append(chunk)
        want -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_text(path: str, display: str | None = None) -> str:
    """A UTF-8 text file (newlines as ``open`` gives them); bytes that are not UTF-8 are a
    ``NotTextError`` naming ``display`` (default: ``path``) and the line."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except UnicodeDecodeError:
        with open(path, "rb") as f:
            data = f.read()
    return decode_text(data, display or path)  # raises (unless rewritten in between)


def decode_text(data: bytes, display: str) -> str:
    """``data`` as UTF-8 text, or a ``NotTextError`` naming ``display`` and the line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise NotTextError(display, line, data[exc.start]) from None


def write_new(path: str, data: bytes, mode: int) -> os.stat_result:
    """Create ``path`` (which must not exist) holding ``data``; returns its stat."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        return os.fstat(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def translate_os_errors(path: str) -> Iterator[None]:
    """Turn the OS errors a user can act on into one-line trail errors."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DiskFullError(path) from exc
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise PermissionDeniedError(exc.filename or path) from exc
        raise


def atomic_write(path: str, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so a reader sees the old file or the new one, never half."""
    dirpath = os.path.dirname(path) or "."
    tmp = tmp_name(dirpath)
    with translate_os_errors(path):
        try:
            with open(tmp, "wb") as f:
                f.write(data)
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def atomic_write_text(path: str, text: str) -> None:
    atomic_write(path, text.encode("utf-8"))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_tmp(name: str) -> bool:
    """Whether a temp file name belongs to a process that is gone."""
    if not name.startswith(TMP_MARK):
        return False
    try:
        pid = int(name[len(TMP_MARK) :].split("-", 1)[0])
    except ValueError:
        return True
    return not pid_alive(pid)


def clean_stale_tmp(dirpath: str) -> int:
    """Remove temp files left by killed processes in one directory; returns how many."""
    removed = 0
    try:
        names = os.listdir(dirpath)
    except FileNotFoundError:
        return 0
    for name in names:
        if stale_tmp(name):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(dirpath, name))
                removed += 1
    return removed


def unlink_missing_ok(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError as exc:
        raise TrailError(f"{path} is a directory") from exc


def remove_tree(path: str) -> None:
    """Remove a file or a directory tree, including read-only entries (as cache links are)."""
    import shutil

    if os.path.islink(path) or not os.path.isdir(path):
        unlink_missing_ok(path)
        return

    def onerror(func, p, exc):  # type: ignore[no-untyped-def]
        os.chmod(os.path.dirname(p), 0o755)
        func(p)

    shutil.rmtree(path, onerror=onerror)
