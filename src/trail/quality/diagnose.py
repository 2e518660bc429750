"""Finding the line at fault when a table cannot be read: the engine says *that* a file is bad,
these scans (run only after a failure) say *where*, in the words a user needs."""

from __future__ import annotations

import contextlib
import csv
import json
import os
from collections.abc import Iterator
from typing import IO

from trail.quality.errors import DataReadError
from trail.quality.source import Source


def not_empty(file: str, name: str) -> None:
    if "://" in file:
        return
    try:
        size = os.path.getsize(file)
    except OSError as exc:
        raise DataReadError(name, exc.strerror or "cannot be read") from None
    if size == 0:
        raise DataReadError(name, "empty file: a table needs at least a header or one row")


def first_problem(source: Source) -> DataReadError | None:
    """The first line of the source that breaks its format, if a scan finds one."""
    if source.fmt == "parquet":
        return None
    for file, name in zip(source.files, source.names, strict=True):
        if "://" in file:
            continue
        with _opened(file, source.compression) as raw:
            found = _scan(raw, source.fmt, name)
        if found is not None:
            return found
    return None


@contextlib.contextmanager
def _opened(file: str, compression: str | None) -> Iterator[IO[bytes]]:
    if compression == "gz":
        import gzip

        with gzip.open(file, "rb") as f:
            yield f  # type: ignore[misc]
    else:
        with open(file, "rb") as f:
            yield f


def _lines(raw: IO[bytes], name: str) -> Iterator[str]:
    for number, data in enumerate(raw, 1):
        try:
            yield data.decode("utf-8")
        except UnicodeDecodeError:
            raise _Found(DataReadError(name, "not UTF-8 text (save it as UTF-8)", number)) from None


class _Found(Exception):
    def __init__(self, error: DataReadError) -> None:
        self.error = error


def _scan(raw: IO[bytes], fmt: str, name: str) -> DataReadError | None:
    try:
        if fmt == "jsonl":
            return _scan_jsonl(raw, name)
        return _scan_csv(raw, "\t" if fmt == "tsv" else ",", name)
    except _Found as found:
        return found.error


def _scan_csv(raw: IO[bytes], delim: str, name: str) -> DataReadError | None:
    reader = csv.reader(_lines(raw, name), delimiter=delim, strict=True)
    width = None
    try:
        for row in reader:
            if width is None:
                width = len(row)
                if width <= 1 and delim not in "".join(row) and _binary(row):
                    return DataReadError(name, "does not look like a CSV/TSV text table", 1)
            elif len(row) != width and row:
                return DataReadError(
                    name,
                    f"ragged row: {len(row)} fields where the header has {width}",
                    reader.line_num,
                )
    except csv.Error as exc:
        return DataReadError(name, f"malformed {delim!r}-separated line ({exc})", reader.line_num)
    return None


def _binary(row: list[str]) -> bool:
    return any(ch < " " and ch not in "\t\r\n" for ch in "".join(row))


def _scan_jsonl(raw: IO[bytes], name: str) -> DataReadError | None:
    for number, line in enumerate(_lines(raw, name), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            return DataReadError(name, f"not a JSON value ({exc.args[0].split(':')[0]})", number)
        if not isinstance(value, dict):
            return DataReadError(name, "each line must be a JSON object", number)
    return None
