"""What a checkout changed, as ``checkout`` and ``pull`` print it."""

from __future__ import annotations

from typing import Any

from trail.cli.ui import Console


def print_summary(changes: Any, console: Console) -> None:
    """DVC's ``--summary``: ``2 files added, 1 file modified`` (or ``No changes.``)."""
    counts = [
        f"{len(paths)} file{'s' if len(paths) != 1 else ''} {what}"
        for what, paths in (
            ("added", changes.added),
            ("modified", changes.modified),
            ("deleted", changes.deleted),
        )
        if paths
    ]
    console.out(", ".join(counts) if counts else "No changes.")


def print_changes(changes: Any, console: Console) -> None:
    """What a checkout changed, a line per output: ``A``dded, ``M``odified, ``D``eleted."""
    if changes is None:
        return
    for mark, paths in (("A", changes.added), ("M", changes.modified), ("D", changes.deleted)):
        for p in paths:
            console.out(f"{mark}       {p}")
