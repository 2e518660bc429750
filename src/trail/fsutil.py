"""Atomic writes and OS error translation, shared by every layer that touches disk."""

from __future__ import annotations

import atexit
import contextlib
import errno
import itertools
import os
from collections.abc import Callable, Iterator
from typing import TypeVar

from trail.errors import DiskFullError, NotTextError, PermissionDeniedError, TrailError

T = TypeVar("T")

TMP_MARK = ".trail-tmp-"


_counter = itertools.count()
_TAG = os.urandom(4).hex()  # tells this run from an earlier one that had the same pid


def tmp_name(dirpath: str) -> str:
    """A temp path beside its final place; the pid lets a later run see it as stale.

    Unique by a counter rather than fresh randomness: checkout names 20,000 of these (and the
    pid is looked up once, not by a system call each time). The directory is noted in the temp
    journal first (see ``start_temp_journal``), so a kill -9 cannot hide the temp file.
    """
    journal = _journal[0]
    if journal is not None and dirpath not in journal.seen:
        journal.note(dirpath)
    return os.path.join(dirpath, f"{_prefix[0]}{next(_counter)}")


_prefix = [f"{TMP_MARK}{os.getpid()}-{_TAG}-"]


class _Journal:
    """The directories one process made temp files in, one file per process named like its
    temps (``<pid>-<tag>``), each directory written (NUL-terminated) before its first temp."""

    def __init__(self, folder: str) -> None:
        import threading  # not at start-up: `trail --version` needs no journal

        self.folder, self.pid = folder, os.getpid()
        self.path = os.path.join(folder, _prefix[0][len(TMP_MARK) :].rstrip("-"))
        self.seen: set[str] = set()
        self.fd: int | None = None
        self.lock = threading.Lock()

    def note(self, dirpath: str) -> None:
        with self.lock:
            if dirpath in self.seen:
                return
            try:
                if self.fd is None:
                    os.makedirs(self.folder, exist_ok=True)
                    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC
                    self.fd = os.open(self.path, flags, 0o644)
                os.write(self.fd, os.fsencode(os.path.abspath(dirpath)) + b"\0")
            except OSError:
                pass  # no room for a line (a full disk): that temp is left to the old sweeps
            self.seen.add(dirpath)

    def close(self) -> None:
        with self.lock:
            if self.fd is not None and os.getpid() == self.pid:
                os.close(self.fd)
                self.fd = None
                with contextlib.suppress(OSError):
                    os.unlink(self.path)


_journal: list[_Journal | None] = [None]


def start_temp_journal(folder: str) -> bool:
    """Keep this process's temp journal in ``folder`` (a repository's private dir), unless one
    is kept already; returns whether this call started it.

    A process killed by SIGKILL leaves its journal behind, naming every directory where its temp
    files may be (workspace, cache, folder remote): ``sweep_temp_journals`` then removes exactly
    those temps. A process that ends normally removes its journal.
    """
    if _journal[0] is not None:
        return False
    _journal[0] = _Journal(folder)
    return True


def stop_temp_journal() -> None:
    """Close and remove this process's journal (its temp files are all gone by now)."""
    journal, _journal[0] = _journal[0], None
    if journal is not None:
        journal.close()


atexit.register(stop_temp_journal)


def sweep_temp_journals(folder: str) -> int:
    """Remove the temp files of dead processes that journals in ``folder`` name, then those
    journals; returns how many files went. Costs one listing when there is nothing to do."""
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    removed = 0
    for name in names:
        pid, _, tag = name.partition("-")
        if not pid.isdigit() or not tag or pid_alive(int(pid)):
            continue
        path = os.path.join(folder, name)
        try:
            with open(path, "rb") as f:
                dirs = [os.fsdecode(d) for d in f.read().split(b"\0") if d]
        except OSError:
            continue
        mark = f"{TMP_MARK}{name}-"
        for d in dirs:
            with contextlib.suppress(OSError), os.scandir(d) as entries:
                for entry in entries:
                    if entry.name.startswith(mark):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)
                            removed += 1
        with contextlib.suppress(OSError):
            os.unlink(path)
    return removed


def _forked() -> None:
    _prefix[0] = f"{TMP_MARK}{os.getpid()}-{os.urandom(4).hex()}-"
    if _journal[0] is not None:  # the child's temps are named anew: so is its journal
        _journal[0] = _Journal(_journal[0].folder)


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


def atomic_fill(
    path: str,
    fill: Callable[[str], T],
    *,
    mode: int | None = None,
    makedirs: bool = True,
    tmp: str | None = None,
) -> T:
    """The one way trail replaces a file: ``fill`` writes a temp file beside ``path`` (its
    folder is made if missing, with ``makedirs``), which gets ``mode`` and is renamed over
    ``path``, so a reader sees the old file or the new one, never half. Returns what ``fill``
    returned; a ``fill`` that returns False declines (nothing is renamed). On any error the
    temp file goes. ``tmp`` names a temp file beside ``path`` that was written before (a batch
    of downloads fills many at once); ``fill`` then only checks it."""
    parent = os.path.dirname(path) or "."
    with translate_os_errors(path):
        tmp = tmp or tmp_name(parent)
        try:
            try:
                result = fill(tmp)
            except FileNotFoundError:
                if not makedirs:
                    raise
                # The folder may be missing, or made by another thread meanwhile: make sure
                # and try once more (a missing source fails again, and that error is raised).
                os.makedirs(parent, exist_ok=True)
                result = fill(tmp)
            if result is False:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                return result
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return result


def atomic_write(path: str, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so a reader sees the old file or the new one, never half."""

    def fill(tmp: str) -> None:
        with open(tmp, "wb") as f:
            f.write(data)

    atomic_fill(path, fill, mode=mode, makedirs=False)


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
