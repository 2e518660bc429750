"""Parse params and metrics files (yaml, json, toml, py; csv/tsv for metrics) from their bytes.

Nested mappings flatten to dotted keys (``a.b.c``). Params keep lists as values; metrics drop
lists and nulls, as DVC does (a metric is a number, a bool or a string).
"""

from __future__ import annotations

import itertools
import json
import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from trail.errors import ResultsFileError as ResultsFileError  # where its users look

Scalar = str | int | float | bool | None
Value = Scalar | list[Any]


FORMATS = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".py": "py",
    ".csv": "csv",
    ".tsv": "tsv",
}


def file_format(path: str) -> str:
    """The format of ``path`` by its suffix; unknown suffixes read as YAML (JSON is YAML too)."""
    return FORMATS.get(posixpath.splitext(path)[1].lower(), "yaml")


def parse_structured(path: str, data: bytes) -> Any:
    """The document in a yaml/json/toml/py file, as plain Python values."""
    fmt = file_format(path)
    text = _decode(path, data)
    if fmt == "json":
        try:
            return json.loads(text) if text.strip() else None
        except json.JSONDecodeError as exc:
            raise ResultsFileError(path, f"invalid JSON: {exc.msg}", exc.lineno) from None
    if fmt == "toml":
        return _parse_toml(path, text)
    if fmt == "py":
        from trail.results.pyparams import parse_python

        return parse_python(path, text)
    from trail.results.memo import active, key_of

    remembered = active()
    key = key_of(fmt, data) if remembered is not None else ""
    if remembered is not None:
        found = remembered.recall(key)
        if found is not None:
            return found[0]
    doc = load_yaml(path, text)
    if remembered is not None:
        remembered.remember(key, doc)
    return doc


def _decode(path: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ResultsFileError(path, "not UTF-8 text") from None


def load_yaml(path: str, text: str) -> Any:
    """YAML as DVC reads params and metrics: the YAML 1.2 core schema (``1e-3`` is a float,
    ``010`` is ten, ``yes`` is text); a syntax error (or an alias bomb) names ``path:line``."""
    from trail.yamlio import YamlError, load_results

    try:
        return load_results(text, path)
    except YamlError as exc:
        raise ResultsFileError(path, exc.message, exc.line) from None


def _parse_toml(path: str, text: str) -> Any:
    import re
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line = int(found[1]) if found else None
        raise ResultsFileError(path, f"invalid TOML: {msg}", line) from None


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}``; lists and scalars are leaves."""
    return dict(_flat_items(tree, prefix))


def _flat_items(tree: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from _flat_items(value, name + ".")
        else:
            yield name, value


def load_params(path: str, data: bytes) -> dict[str, Value]:
    """Flat params of one file; a file that is not a mapping is an error naming it."""
    return flatten(load_params_tree(path, data))


def load_params_tree(path: str, data: bytes) -> dict[str, Any]:
    """Params of one file, nested as written."""
    doc = parse_structured(path, data)
    if doc is None:
        return {}
    if not isinstance(doc, Mapping):
        raise ResultsFileError(path, "a params file must hold a mapping of names to values")
    return dict(doc)


def load_metrics_tree(path: str, data: bytes) -> dict[str, Any]:
    """Metrics of one file as a nested mapping of numbers, bools and strings (DVC's ``data``)."""
    fmt = file_format(path)
    if fmt in ("csv", "tsv"):
        return _last_row(path, data, "," if fmt == "csv" else "\t")
    doc = parse_structured(path, data)
    if doc is None:
        return {}
    if not isinstance(doc, Mapping):
        raise ResultsFileError(path, "a metrics file must hold a mapping of names to values")
    return _metric_values(doc)


def load_metrics(path: str, data: bytes) -> dict[str, Scalar]:
    """Flat metrics of one file: ``{"a.b": 0.9}``."""
    return flatten(load_metrics_tree(path, data))


def _metric_values(tree: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            inner = _metric_values(value)
            if inner:
                out[str(key)] = inner
        elif isinstance(value, bool | int | float | str):
            out[str(key)] = value
    return out


def _last_row(path: str, data: bytes, sep: str) -> dict[str, Any]:
    """A table of metrics: the header names them, the last row holds their values (the final
    epoch of a training log)."""
    rows = read_table(path, data, sep)
    return dict(rows[-1]) if rows else {}


def read_table(path: str, data: bytes, sep: str, header: bool = True) -> list[dict[str, Scalar]]:
    """Rows of a csv/tsv file, numbers converted; without a header row the columns are
    named by their position, ``"0"``, ``"1"``…"""
    import csv
    import io

    reader = csv.reader(io.StringIO(_decode(path, data)), delimiter=sep)
    try:
        first = next(reader, None)
        if first is None:
            return []
        names = first if header else [str(i) for i in range(len(first))]
        body = reader if header else itertools.chain([first], reader)
        rows = []
        for n, raw in enumerate(body, start=2 if header else 1):
            if not raw:
                continue
            if len(raw) != len(names):
                msg = f"row has {len(raw)} fields, the first has {len(names)}"
                raise ResultsFileError(path, msg, n)
            rows.append({h: to_number(v) for h, v in zip(names, raw, strict=True)})
    except csv.Error as exc:
        raise ResultsFileError(path, f"invalid {'CSV' if sep == ',' else 'TSV'}: {exc}") from None
    return rows


def to_number(text: str) -> Scalar:
    """``"3"`` → 3, ``"0.5"`` → 0.5, anything else stays text."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text
