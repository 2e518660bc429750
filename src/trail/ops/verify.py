"""Objects whose bytes no longer hash to their name, found before they leave the cache.

A cached object can change after it was stored: a write through a hardlinked workspace file
(root ignores the read-only bit), a disk error, a hand edit. ``push`` checks what it is about
to send, so a corrupt object is reported, never uploaded where every clone would trust it.
Big objects the stat cache vouches for (hashed when stored or checked out, unchanged since)
are not read again.
"""

from __future__ import annotations

import os
from collections.abc import Collection

from trail.odb.local import LocalODB
from trail.parallel import bounded_map
from trail.state import StateDB, stat_key
from trail.types import Oid

SMALL = 1 << 20


def corrupt_objects(
    odb: LocalODB, state: StateDB, oids: Collection[Oid], jobs: int = 4
) -> dict[Oid, str]:
    """The objects among ``oids`` whose bytes do not hash to their id: oid → what they hash
    to (or why they cannot be read). Missing objects are not reported here."""
    sound: list[tuple[str, str, tuple[int, int, int], str]] = []

    def one(oid: Oid) -> tuple[Oid, str | None]:
        path = odb.path(oid)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return oid, None
        key = stat_key(st)
        if key[2] > SMALL:
            hit = state.lookup(path, oid.algo)
            if hit is not None and hit[0] == key and hit[1] == oid.hex:
                return oid, None
        try:
            actual = odb.verify(oid)
        except OSError as exc:
            return oid, f"unreadable ({exc.strerror})"
        if actual != oid.hex:
            return oid, actual
        if key[2] > SMALL:
            sound.append((path, oid.algo, key, actual))
        return oid, None

    bad = {oid: why for oid, why in bounded_map(one, list(oids), jobs) if why is not None}
    state.save(sound)
    return bad
