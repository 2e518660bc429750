"""The profile store: each version of a table is profiled once, kept by the hash of its data.

``<cache>/profiles/<profile format>/<algo>/<2 hex>/<rest>.<table format>.json`` — beside the
object store, never inside ``files/`` (gc, fsck and DVC leave it alone). Written by temp file +
rename: a reader sees a whole profile or none; an unreadable one is computed again.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import TYPE_CHECKING

from trail.fsutil import atomic_write, clean_stale_tmp, translate_os_errors
from trail.quality import PROFILE_FORMAT
from trail.types import Oid

if TYPE_CHECKING:  # the profile module is loaded only to compute or parse one
    from trail.quality.profile import Profile


class ProfileStore:
    def __init__(self, cache_dir: str) -> None:
        self.root = os.path.join(cache_dir, "profiles", PROFILE_FORMAT.replace("/", "-"))

    def path(self, oid: Oid, fmt: str) -> str:
        suffix = ".dir" if oid.is_tree else ""
        name = f"{oid.hex[2:]}{suffix}.{fmt}.json"
        return os.path.join(self.root, oid.algo, oid.hex[:2], name)

    def get(self, oid: Oid, fmt: str) -> Profile | None:
        from trail.quality.profile import from_dict

        try:
            with open(self.path(oid, fmt), "rb") as f:
                return from_dict(json.loads(f.read()))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def get_raw(self, oid: Oid, fmt: str) -> bytes | None:
        """The stored JSON as it is (the fast path: no parsing when only printing it)."""
        with contextlib.suppress(OSError), open(self.path(oid, fmt), "rb") as f:
            return f.read()
        return None

    def put(self, oid: Oid, profile: Profile) -> None:
        path = self.path(oid, profile.fmt)
        data = json.dumps(profile.to_dict(), sort_keys=False).encode()
        with translate_os_errors(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        clean_stale_tmp(os.path.dirname(path))  # what a killed writer left beside it
        atomic_write(path, data)
