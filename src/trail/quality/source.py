"""What a table is made of: its files, their format, and the names to show for them.

A table is one file, or a directory of files of one format read as one table (columns matched by
name). The format comes from the file name: ``.csv``, ``.tsv``/``.tab``, ``.parquet``/``.pq``,
``.jsonl``/``.ndjson`` (JSON Lines), each optionally compressed (``.gz``, ``.zst``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from trail.quality.errors import DataReadError

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
COMPRESSED = (".gz", ".zst")


@dataclass(frozen=True)
class Source:
    """A table to read. ``files`` are what the engine opens (workspace files, cache objects
    or URLs); ``names`` say, in the same order, what a user calls each one (errors name
    these); ``label`` names the whole table (``data/train.csv@v1``)."""

    files: tuple[str, ...]
    fmt: str
    label: str
    names: tuple[str, ...]
    compression: str | None = None

    def name_of(self, file: str) -> str:
        """The user's name for an engine file name (itself when unknown)."""
        for f, n in zip(self.files, self.names, strict=True):
            if f == file or os.path.basename(f) == os.path.basename(file):
                return n
        return file


def format_of(name: str) -> tuple[str, str | None] | None:
    """``(format, compression)`` of a file name, or None when it is no table."""
    base = name.lower()
    compression = None
    for suffix in COMPRESSED:
        if base.endswith(suffix):
            base, compression = base[: -len(suffix)], suffix[1:]
            break
    fmt = FORMATS.get(os.path.splitext(base)[1])
    return (fmt, compression) if fmt else None


def table_of(label: str, pairs: Sequence[tuple[str, str]]) -> Source:
    """A source from ``(file to open, name to show)`` pairs, in a stable order; files that are
    no table (a README beside the CSVs) are left out; mixed formats are an error."""
    kept = []
    kinds = set()
    for file, name in sorted(pairs, key=lambda p: p[1]):
        found = format_of(name)
        if found is None or os.path.basename(name).startswith("."):
            continue
        kinds.add(found)
        kept.append((file, name))
    if not kept:
        raise DataReadError(label, f"no table here: expected {_known()} files")
    if len(kinds) > 1:
        shown = ", ".join(sorted(f"{f}" + (f".{c}" if c else "") for f, c in kinds))
        raise DataReadError(label, f"mixes table formats ({shown}): keep one format per table")
    fmt, compression = kinds.pop()
    return Source(tuple(f for f, _ in kept), fmt, label, tuple(n for _, n in kept), compression)


def single(path: str, label: str | None = None, name: str | None = None) -> Source:
    """One file (its format from ``name``, default the path)."""
    shown = name or path
    found = format_of(shown)
    if found is None:
        raise DataReadError(shown, f"unknown table format: expected {_known()}")
    return Source((path,), found[0], label or shown, (shown,), found[1])


def local(path: str, label: str | None = None) -> Source:
    """A file or directory on disk (a directory: its table files, recursively)."""
    shown = label or path
    if os.path.isdir(path):
        return table_of(shown, list(_walk(path, shown)))
    if not os.path.exists(path):
        raise DataReadError(shown, "no such file or directory")
    return single(path, shown, shown)


def _walk(top: str, shown: str) -> Iterable[tuple[str, str]]:
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for f in filenames:
            full = os.path.join(dirpath, f)
            rel = os.path.relpath(full, top).replace(os.sep, "/")
            yield full, f"{shown.rstrip('/')}/{rel}"


def _known() -> str:
    return "CSV, TSV, Parquet or JSON Lines (.csv .tsv .parquet .jsonl)"
