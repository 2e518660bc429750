"""Atomic writes and OS error translation, shared by every layer that touches disk."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator

from trail.errors import DiskFullError, PermissionDeniedError, TrailError

TMP_MARK = ".trail-tmp-"


def tmp_name(dirpath: str) -> str:
    """A temp path beside its final place; the pid lets a later run see it as stale."""
    return os.path.join(dirpath, f"{TMP_MARK}{os.getpid()}-{os.urandom(6).hex()}")


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
