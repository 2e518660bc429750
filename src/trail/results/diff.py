"""Pure diffs of flat params/metrics: per key the old and new value, the absolute change and
the relative change for numbers. Bools count as numbers (True - False = 1), as in DVC."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MISSING: Any = None  # an absent key reads as None on its side of the diff


@dataclass(frozen=True, slots=True)
class Change:
    """One key of one file between two revisions."""

    path: str
    key: str
    old: Any
    new: Any
    diff: float | int | None  # new - old when both are numbers
    rel: float | None  # diff / |old| when old is a non-zero number

    @property
    def changed(self) -> bool:
        # By value, as DVC compares: 1 and 1.0 are the same metric value.
        return bool(self.old != self.new)


@dataclass(frozen=True, slots=True)
class Diff:
    """Changes of many files, ordered by path then key."""

    changes: tuple[Change, ...]

    def by_path(self) -> dict[str, list[Change]]:
        out: dict[str, list[Change]] = {}
        for change in self.changes:
            out.setdefault(change.path, []).append(change)
        return out


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value))


def change_of(path: str, key: str, old: Any, new: Any) -> Change:
    if is_number(old) and is_number(new):
        delta = new - old
        rel = delta / abs(old) if old else None
        return Change(path, key, old, new, delta, rel)
    return Change(path, key, old, new, None, None)


def diff_values(
    old: Mapping[str, Mapping[str, Any]],
    new: Mapping[str, Mapping[str, Any]],
    *,
    show_all: bool = False,
) -> Diff:
    """Compare ``{path: {key: value}}`` at two revisions; unchanged keys only with ``show_all``."""
    changes = []
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path, {}), new.get(path, {})
        for key in sorted(set(before) | set(after)):
            change = change_of(path, key, before.get(key, MISSING), after.get(key, MISSING))
            if show_all or change.changed:
                changes.append(change)
    return Diff(tuple(changes))


def round_value(value: Any, precision: int | None) -> Any:
    """Round floats to ``precision`` digits after the point; other values unchanged."""
    if precision is None or not isinstance(value, float) or isinstance(value, bool):
        return value
    return round(value, precision)
