"""Fitting a wide table to a terminal without cutting a value: columns that do not fit are
hidden whole, each run of hidden columns marked by a ``…`` column (as DVC's ``exp show``
marks them), and only headers are shortened. Columns are tried in their order, so the first
ones (metrics, in ``exp show``) are the last to go."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PAD = 2  # rich's padding around a column of a box-less table
HEADER_MIN = 12  # a header may be cut down to this (or to its widest value)
MARK = "…"


@dataclass(frozen=True)
class Layout:
    """Which columns to draw: an index into the table's columns, or None for a marker of
    hidden ones; each with the width it gets."""

    slots: list[tuple[int | None, int]]
    hidden: int

    @property
    def shown(self) -> list[int]:
        return [i for i, _w in self.slots if i is not None]


def fit(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, fixed: int) -> Layout:
    """Lay out the columns for a terminal ``width`` wide; the first ``fixed`` (the row's name,
    its time) are always drawn in full. Columns are taken in order while they fit; the rest
    are hidden behind one marker, so an earlier column is never hidden for a later one."""
    values = [max((len(r[i]) for r in rows), default=0) for i in range(len(headers))]
    natural = [max(v, len(h)) for v, h in zip(values, headers, strict=True)]
    if sum(w + PAD for w in natural) <= width:
        return Layout([(i, w) for i, w in enumerate(natural)], 0)
    slim = [max(v, min(len(h), max(v, HEADER_MIN))) for v, h in zip(values, headers, strict=True)]
    slots: list[tuple[int | None, int]] = [(i, natural[i]) for i in range(fixed)]
    used = sum(w + PAD for _i, w in slots)
    for i in range(fixed, len(headers)):
        later = i + 1 < len(headers)
        room = width - used - (len(MARK) + PAD if later else 0)  # the marker's place
        if slim[i] + PAD > room:
            slots.append((None, len(MARK)))
            return Layout(slots, len(headers) - i)
        slots.append((i, slim[i]))
        used += slim[i] + PAD
    return Layout(slots, 0)


def shorten(header: str, width: int) -> str:
    """A header cut in the middle to ``width``: both ends tell names apart (``loss.train``
    and ``loss.test``, ``metric_0`` and ``metric_1``)."""
    if len(header) <= width:
        return header
    head = (width - 1) // 2
    return header[:head] + MARK + header[len(header) - (width - 1 - head) :]
