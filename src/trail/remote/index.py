"""What a remote is known to hold, so a no-op push asks the remote nothing about objects.

Used only to skip uploads, never to decide what is safe to delete. Trusted while the remote's gc
marker is unchanged: every ``trail gc -c`` rewrites it, and a changed marker empties the index.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable

from trail.oidstr import format_oid, parse_oid
from trail.types import Oid

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (algo TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (algo, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trees (algo TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (algo, name)) WITHOUT ROWID;
"""
# Above this many objects asked about, one scan of the index beats batched lookups.
_SCAN = 2000


class RemoteIndex:
    """An SQLite file per remote URL under the repository's private directory."""

    def __init__(self, private_dir: str, url: str) -> None:
        digest = hashlib.sha256(url.encode()).hexdigest()[:24]
        folder = os.path.join(private_dir, "remote-index")
        os.makedirs(folder, exist_ok=True)
        self.path = os.path.join(folder, f"{digest}.db")
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('url', ?)", (url,))
        self._db.commit()

    def validate(self, marker: str) -> None:
        """Empty the index if the remote's gc marker changed since it was filled."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'gc'").fetchone()
        if row is None or row[0] != marker:
            self.clear()
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('gc', ?)", (marker,))
            self._db.commit()

    def clear(self) -> None:
        self._db.execute("DELETE FROM objects")
        self._db.execute("DELETE FROM trees")
        self._db.commit()

    def complete_trees(self, oids: Iterable[Oid]) -> set[Oid]:
        """Directories known to be on the remote whole (manifest and every file): a no-op push
        of 20,000 files then reads neither the manifest nor the cache."""
        return self._lookup("trees", list(oids))

    def add_complete_trees(self, oids: Iterable[Oid]) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO trees VALUES (?, ?)", [(o.algo, format_oid(o)) for o in oids]
        )
        self._db.commit()

    def known(self, oids: Iterable[Oid]) -> set[Oid]:
        """Which of ``oids`` the index says are on the remote."""
        wanted = list(oids)
        if len(wanted) > _SCAN:
            names = {(a, n) for a, n in self._db.execute("SELECT algo, name FROM objects")}
            return {o for o in wanted if (o.algo, format_oid(o)) in names}
        return self._lookup("objects", wanted)

    def _lookup(self, table: str, wanted: list[Oid]) -> set[Oid]:
        found: set[Oid] = set()
        for i in range(0, len(wanted), 500):
            batch = wanted[i : i + 500]
            keys = [(o.algo, format_oid(o)) for o in batch]
            marks = ",".join("(?,?)" for _ in keys)
            flat = [v for k in keys for v in k]
            rows = self._db.execute(
                f"SELECT algo, name FROM {table} WHERE (algo, name) IN (VALUES {marks})", flat
            )
            found.update(parse_oid(name, algo) for algo, name in rows)
        return found

    def add(self, oids: Iterable[Oid]) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO objects VALUES (?, ?)",
            [(o.algo, format_oid(o)) for o in oids],
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()
