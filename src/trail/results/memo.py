"""Parsed results files remembered by content, across runs.

``exp show`` reads the params and lock files of hundreds of commits; most are YAML, and building
Python values from YAML is the larger part of its time. A file's parse depends on its bytes and
format alone, so it is remembered under a hash of them, in one ``marshal`` file in trail's
private dir, read once per command. A lost or unreadable memo only costs parsing again.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
from collections.abc import Iterator
from typing import Any

_FORMAT = 2  # bump when the shape of what is kept, or how a format is read, changes
LIMIT = 20_000  # entries kept (the newest); ~1 KB each for a typical lock file


class ParseMemo:
    def __init__(self, path: str) -> None:
        self.path = path
        self._old: dict[str, Any] | None = None
        self._new: dict[str, Any] = {}

    def _entries(self) -> dict[str, Any]:
        if self._old is None:
            self._old = {}
            with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
                with open(self.path, "rb") as f:
                    fmt, entries = marshal.loads(f.read())
                if fmt == _FORMAT and isinstance(entries, dict):
                    self._old = entries
        return self._old

    def recall(self, key: str) -> tuple[Any] | None:
        if key in self._new:
            return (self._new[key],)
        old = self._entries()
        return (old[key],) if key in old else None

    def remember(self, key: str, data: Any) -> None:
        try:
            marshal.dumps(data)
        except ValueError:
            return  # a value marshal cannot keep (a date): parsed each time
        self._new[key] = data

    def save(self) -> None:
        if not self._new:
            return
        entries = {**self._entries(), **self._new}
        if len(entries) > LIMIT:
            entries = dict(list(entries.items())[-LIMIT:])
        from trail.errors import TrailError
        from trail.fsutil import atomic_write

        with contextlib.suppress(OSError, TrailError):  # a memo not written is no loss
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            atomic_write(self.path, marshal.dumps((_FORMAT, entries)))
        self._new = {}


_active: ParseMemo | None = None


@contextlib.contextmanager
def remembering(path: str) -> Iterator[None]:
    """Within this block, ``parse_structured`` remembers YAML and TOML parses in ``path``."""
    global _active
    outer, _active = _active, ParseMemo(path)
    try:
        yield
        _active.save()
    finally:
        _active = outer


def key_of(fmt: str, data: bytes) -> str:
    return f"{fmt}:{hashlib.blake2b(data, digest_size=20).hexdigest()}"


def active() -> ParseMemo | None:
    return _active
