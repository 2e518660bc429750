"""The protocol every remote file system implements. Paths are posix and relative to the
remote's root URL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO, Protocol, TypeVar

if TYPE_CHECKING:
    from trail.fs.batch import Done, Op

OnBytes = Callable[[int], None] | None
T = TypeVar("T")


class FileSystem(Protocol):
    """What remotes need from storage; implementations translate their own errors into
    ``trail.errors.RemoteError`` subclasses (``FileNotFoundError`` stays for a missing path)."""

    url: str
    readonly: bool
    can_list: bool
    # A ranged ``Read`` costs one request and brings that range only (not the whole file).
    ranged: bool

    def exists(self, path: str) -> bool: ...

    def put_file(self, local: str, path: str, on_bytes: OnBytes = None) -> None:
        """Upload so that ``path`` never holds part of the file, even if interrupted."""

    def get_file(self, path: str, local: str, on_bytes: OnBytes = None) -> None: ...

    def read_bytes(self, path: str) -> bytes: ...

    def open_read(self, path: str) -> BinaryIO:
        """A binary stream of the file (read as it is consumed, not downloaded first)."""

    def read_small(self, path: str, limit: int) -> bytes | None:
        """The file's bytes if that is cheap and it is at most ``limit`` long, else None."""

    def write_bytes(self, path: str, data: bytes) -> None: ...

    def remove(self, path: str) -> None: ...

    def walk_files(self, path: str) -> Iterator[str]:
        """Every file below ``path``, relative to it (posix)."""
        ...

    def local_path(self, path: str) -> str | None:
        """Where ``path`` is on this machine when the remote is a folder (objects may then be
        hard-linked, as ``git clone`` links a local repository's objects), else None."""

    def run(
        self, ops: Iterable[tuple[T, Op]], *, jobs: int, on_bytes: OnBytes = None
    ) -> Iterator[Done[T]]:
        """Perform a batch of ops, at most ``jobs`` at once, yielding each result as it comes
        (``trail.fs.batch``: failures inside the results, transient ones retried first)."""
        ...

    def check(self, for_write: bool = False) -> None:
        """Raise a ``RemoteError`` if the remote's root cannot be reached (or, for a folder
        about to be written, create it)."""
