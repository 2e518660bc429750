"""The stat cache: (path, inode, mtime_ns, size) → hash, so unchanged files are never re-hashed.

SQLite in WAL mode, one table keyed on (path, algo) without rowid so a directory's entries are
one range scan. ``NullState`` remembers nothing and is what tests inject to force hashing.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

if TYPE_CHECKING:
    import sqlite3

# A file modified within this window of being hashed may change again inside the same mtime
# tick; such entries are not remembered (git calls them "racily clean").
RACY_NS = 20_000_000


# (inode, mtime_ns, size). A plain tuple: 20,000 NamedTuple constructions cost 40 ms a status.
Stat = tuple[int, int, int]
INODE, MTIME, SIZE = 0, 1, 2


def stat_key(st: os.stat_result) -> Stat:
    return (st.st_ino, st.st_mtime_ns, st.st_size)


# What the stat cache knows of one file of a directory: (inode, mtime_ns, size, hex).
Known = tuple[int, int, int, str]


class StateDB(Protocol):
    def load_dir(self, path: str, algo: str) -> tuple[dict[str, Known], str | None]: ...

    def save_dir(self, path: str, algo: str, files: dict[str, Known], tree: str | None) -> None: ...

    def lookup(self, path: str, algo: str) -> tuple[Stat, str] | None: ...

    def save(self, rows: Iterable[tuple[str, str, Stat, str]]) -> None: ...

    def tree_complete(self, algo: str, hexval: str) -> bool: ...

    def mark_trees_complete(self, algo: str, hexvals: Iterable[str]) -> None: ...

    def forget_trees(self) -> None: ...

    def close(self) -> None: ...


class NullState:
    def load_dir(self, path: str, algo: str) -> tuple[dict[str, Known], str | None]:
        return {}, None

    def save_dir(self, path: str, algo: str, files: dict[str, Known], tree: str | None) -> None:
        pass

    def lookup(self, path: str, algo: str) -> tuple[Stat, str] | None:
        return None

    def save(self, rows: Iterable[tuple[str, str, Stat, str]]) -> None:
        pass

    def tree_complete(self, algo: str, hexval: str) -> bool:
        return False

    def mark_trees_complete(self, algo: str, hexvals: Iterable[str]) -> None:
        pass

    def forget_trees(self) -> None:
        pass

    def close(self) -> None:
        pass


SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (
  path TEXT NOT NULL, algo TEXT NOT NULL,
  inode INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, hex TEXT NOT NULL,
  PRIMARY KEY (path, algo)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dirs (
  path TEXT NOT NULL, algo TEXT NOT NULL, files BLOB NOT NULL, tree TEXT,
  PRIMARY KEY (path, algo)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS complete_trees (
  algo TEXT NOT NULL, hex TEXT NOT NULL, PRIMARY KEY (algo, hex)) WITHOUT ROWID;
"""


_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(fn: _F) -> _F:
    @functools.wraps(fn)
    def wrapper(self: SQLiteState, *args: Any) -> Any:
        with self._lock:
            return fn(self, *args)

    return cast(_F, wrapper)


def _unusable(exc: Exception) -> bool:
    """Whether an SQLite error means the database cannot be written or opened here: a full
    disk, an I/O error, no permission. The stat cache is a cache: trail goes on without it."""
    name = str(getattr(exc, "sqlite_errorname", ""))
    if name.startswith(("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_READONLY")):
        return True
    text = str(exc)
    return "disk is full" in text or "unable to open" in text or "readonly" in text


class SQLiteState:
    """The stat cache in SQLite. When the database cannot be written (a full disk, a read-only
    repository) reads still work: lookups answer from what is there, or nothing, and writes are
    dropped; only forgetting trees (after objects left the cache) must not be lost, so then the
    whole database is removed instead."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self._conn: sqlite3.Connection | None = None
        self._broken = False  # could not be opened: answers nothing, remembers nothing
        self._readonly = False  # a write failed: later writes are not tried
        # Hashing and checkout run in threads; one connection, used by one at a time.
        self._lock = threading.RLock()

    @property
    def conn(self) -> sqlite3.Connection | None:
        if self._conn is None and not self._broken:
            import sqlite3

            try:
                self._conn = self._open()
            except (sqlite3.OperationalError, sqlite3.DatabaseError, OSError) as exc:
                if isinstance(exc, sqlite3.DatabaseError) and not _unusable(exc):
                    raise
                self._broken = True
        return self._conn

    def _open(self) -> sqlite3.Connection:
        import sqlite3

        os.makedirs(os.path.dirname(self.db_path), exist_ok=True)
        conn = sqlite3.connect(
            self.db_path, timeout=60, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                # A cache, not a record: an old layout is dropped, never migrated.
                conn.executescript(
                    "DROP TABLE IF EXISTS state; DROP TABLE IF EXISTS dirs;"
                    "DROP TABLE IF EXISTS complete_trees;"
                )
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _write(self, sql: str, rows: Iterable[tuple[Any, ...]] | None = None) -> bool:
        """Run one writing statement (many rows: one transaction); False if it could not be."""
        import sqlite3

        conn = self.conn
        if conn is None or self._readonly:
            return False
        try:
            with conn:
                if rows is None:
                    conn.execute(sql)
                else:
                    conn.execute("BEGIN")
                    conn.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            if not _unusable(exc):
                raise
            self._readonly = True
            return False
        return True

    @_locked
    def load_dir(self, path: str, algo: str) -> tuple[dict[str, Known], str | None]:
        """What is known of the files under directory ``path`` (keyed by path below it), and
        the tree hash of exactly those files, if it was computed.

        A directory's entries are one marshalled blob: reading 20,000 rows one by one costs
        50 ms, unpacking one blob 5 ms.
        """
        conn = self.conn
        if conn is None:
            return {}, None
        row = conn.execute(
            "SELECT files, tree FROM dirs WHERE path = ? AND algo = ?", (path, algo)
        ).fetchone()
        if row is None:
            return {}, None
        import marshal

        try:
            files = marshal.loads(row[0])
        except (EOFError, ValueError, TypeError):
            return {}, None
        return (files, row[1]) if isinstance(files, dict) else ({}, None)

    @_locked
    def save_dir(self, path: str, algo: str, files: dict[str, Known], tree: str | None) -> None:
        import marshal

        self._write(
            "INSERT OR REPLACE INTO dirs VALUES (?, ?, ?, ?)",
            [(path, algo, marshal.dumps(files), tree)],
        )

    @_locked
    def lookup(self, path: str, algo: str) -> tuple[Stat, str] | None:
        conn = self.conn
        if conn is None:
            return None
        row = conn.execute(
            "SELECT inode, mtime_ns, size, hex FROM state WHERE path = ? AND algo = ?",
            (path, algo),
        ).fetchone()
        if row is None:
            return None
        return (row[0], row[1], row[2]), row[3]

    @_locked
    def save(self, rows: Iterable[tuple[str, str, Stat, str]]) -> None:
        data = [(p, a, *s, h) for p, a, s, h in rows]
        if data:
            self._write("INSERT OR REPLACE INTO state VALUES (?, ?, ?, ?, ?, ?)", data)

    @_locked
    def tree_complete(self, algo: str, hexval: str) -> bool:
        conn = self.conn
        if conn is None:
            return False
        row = conn.execute(
            "SELECT 1 FROM complete_trees WHERE algo = ? AND hex = ?", (algo, hexval)
        ).fetchone()
        return row is not None

    @_locked
    def mark_trees_complete(self, algo: str, hexvals: Iterable[str]) -> None:
        self._write(
            "INSERT OR IGNORE INTO complete_trees VALUES (?, ?)", [(algo, h) for h in hexvals]
        )

    @_locked
    def forget_trees(self) -> None:
        """Called whenever objects leave the cache (gc, fsck): completeness must be re-proved.
        If that cannot be written, the database goes: a cache forgotten is only slower."""
        if self._write("DELETE FROM complete_trees"):
            return
        self.close()
        self._broken = True
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(self.db_path + suffix)
            except FileNotFoundError:
                pass

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
