"""``trail.contracts.yaml``: what each table must look like, per path (a file or a directory read
as one table, relative to the repository root)::

    data/train.csv:
      rows: {min: 1000, max: 5000000}
      columns:
        id: {type: integer, unique: true, nullable: false}
        age: {type: integer, min: 0, max: 130}
        country: {type: string, allowed: [FR, DE, IT]}
        email: {regex: '[^@]+@[^@]+'}          # the whole value must match
      drift:                                   # against the same path at another revision
        reference: v1
        psi: 0.2                               # any of psi, ks, js, nulls (see data drift)
        columns: [age, country]                # default: every column both sides have

A mistake in the file is an error naming ``trail.contracts.yaml:<line>``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trail.quality import CONTRACTS_FILE
from trail.quality.errors import ContractFileError

TYPES = {
    "integer": ("integer",),
    "int": ("integer",),
    "float": ("float", "integer"),
    "number": ("float", "integer"),
    "string": ("string",),
    "str": ("string",),
    "boolean": ("boolean",),
    "bool": ("boolean",),
    "date": ("date",),
    "timestamp": ("timestamp",),
    "datetime": ("timestamp",),
}
COLUMN_KEYS = ("type", "nullable", "min", "max", "allowed", "unique", "regex")
CONTRACT_KEYS = ("rows", "columns", "drift")
DRIFT_KEYS = ("reference", "psi", "ks", "js", "nulls", "columns")


@dataclass(frozen=True)
class ColumnRules:
    name: str
    line: int | None
    type: str | None = None
    nullable: bool | None = None
    min: Any = None
    max: Any = None
    allowed: tuple[Any, ...] | None = None
    unique: bool = False
    regex: str | None = None
    lines: Mapping[str, int | None] = field(default_factory=dict)  # rule → its line


@dataclass(frozen=True)
class DriftRules:
    reference: str
    limits: Mapping[str, float]
    columns: tuple[str, ...] | None
    line: int | None


@dataclass(frozen=True)
class Contract:
    path: str
    file: str  # the contracts file, as shown in messages
    line: int | None
    columns: tuple[ColumnRules, ...] = ()
    rows_min: int | None = None
    rows_max: int | None = None
    rows_line: int | None = None
    drift: DriftRules | None = None

    def where(self, line: int | None) -> str:
        return f"{self.file}:{line}" if line else self.file


def load(root: str) -> list[Contract] | None:
    """The contracts of the repository at ``root``; None when it has no contracts file (then
    nothing is read or imported)."""
    path = os.path.join(root, CONTRACTS_FILE)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    return parse(text, CONTRACTS_FILE)


def parse(text: str, file: str) -> list[Contract]:
    from trail.yamlio import YamlError, line_of, load_with_nodes

    try:
        data, marks = load_with_nodes(text, file, core=True)
    except YamlError as exc:
        raise ContractFileError(file, exc.line, exc.message) from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ContractFileError(file, 1, "expected a mapping of paths to contracts")

    def line(*keys: str | int) -> int | None:
        return line_of(marks, *keys)

    out = []
    for path, body in data.items():
        if not isinstance(path, str) or not path.strip():
            raise ContractFileError(file, line(), f"a contract's key must be a path, not {path!r}")
        out.append(_contract(path, body, file, line))
    return out


class _Reader:
    def __init__(self, file: str, line: Any, keys: tuple[str | int, ...]) -> None:
        self.file, self.line, self.keys = file, line, keys

    def at(self, *more: str | int) -> int | None:
        result: int | None = self.line(*self.keys, *more)
        return result

    def fail(self, message: str, *more: str | int) -> ContractFileError:
        return ContractFileError(self.file, self.at(*more), message)

    def mapping(self, value: Any, what: str, known: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping")
        for key in value:
            if key not in known:
                raise self.fail(f"unknown key '{key}' in {what} (known: {', '.join(known)})", key)
        return value


def _contract(path: str, body: Any, file: str, line: Any) -> Contract:
    r = _Reader(file, line, (path,))
    body = r.mapping(body if body is not None else {}, f"the contract of '{path}'", CONTRACT_KEYS)
    rows_min = rows_max = None
    if "rows" in body:
        rows = _Reader(file, line, (path, "rows")).mapping(body["rows"], "rows", ("min", "max"))
        rows_min, rows_max = (_int(rows.get(k), r, "rows", k) for k in ("min", "max"))
    columns = body.get("columns") or {}
    if not isinstance(columns, dict):
        raise r.fail("columns must map column names to rules", "columns")
    rules = tuple(
        _column(str(name), rule, _Reader(file, line, (path, "columns", name)))
        for name, rule in columns.items()
    )
    drift = None
    if "drift" in body:
        drift = _drift(body["drift"], _Reader(file, line, (path, "drift")))
    return Contract(
        path.strip().rstrip("/").removeprefix("./"),
        file,
        r.at(),
        rules,
        rows_min,
        rows_max,
        r.at("rows") if "rows" in body else None,
        drift,
    )


def _int(value: Any, r: _Reader, *keys: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise r.fail(f"{'.'.join(keys)} must be a whole number ≥ 0, not {value!r}", *keys)
    return value


def _column(name: str, rule: Any, r: _Reader) -> ColumnRules:
    rule = r.mapping(rule if rule is not None else {}, f"the rules of column '{name}'", COLUMN_KEYS)
    kind = rule.get("type")
    if kind is not None and kind not in TYPES:
        raise r.fail(f"unknown type '{kind}' (known: {', '.join(TYPES)})", "type")
    for key in ("nullable", "unique"):
        if key in rule and not isinstance(rule[key], bool):
            raise r.fail(f"{key} must be true or false, not {rule[key]!r}", key)
    for key in ("min", "max"):
        v = rule.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float | str)):
            raise r.fail(f"{key} must be a number (or a date), not {v!r}", key)
    allowed = rule.get("allowed")
    if allowed is not None and not isinstance(allowed, list):
        raise r.fail("allowed must be a list of values", "allowed")
    regex = rule.get("regex")
    if regex is not None:
        if not isinstance(regex, str):
            raise r.fail("regex must be a string", "regex")
        try:
            re.compile(regex)
        except re.error as exc:
            raise r.fail(f"invalid regex {regex!r}: {exc}", "regex") from None
    return ColumnRules(
        name=name,
        line=r.at(),
        type=kind,
        nullable=rule.get("nullable"),
        min=rule.get("min"),
        max=rule.get("max"),
        allowed=tuple(allowed) if allowed is not None else None,
        unique=bool(rule.get("unique", False)),
        regex=regex,
        lines={k: r.at(k) for k in rule},
    )


def _drift(body: Any, r: _Reader) -> DriftRules:
    body = r.mapping(body, "drift", DRIFT_KEYS)
    ref = body.get("reference")
    if not isinstance(ref, str | int) or isinstance(ref, bool) or not str(ref):
        raise r.fail("drift needs a reference: the revision to compare with (e.g. v1)")
    limits = {}
    for key in ("psi", "ks", "js", "nulls"):
        v = body.get(key)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            raise r.fail(f"drift.{key} must be a number ≥ 0, not {v!r}", key)
        limits[key] = float(v)
    if not limits:
        raise r.fail("drift needs at least one bound: psi, ks, js or nulls")
    cols = body.get("columns")
    if cols is not None and not (isinstance(cols, list) and all(isinstance(c, str) for c in cols)):
        raise r.fail("drift.columns must be a list of column names", "columns")
    return DriftRules(str(ref), limits, tuple(cols) if cols is not None else None, r.at())


def for_path(contracts: list[Contract], path: str) -> Contract | None:
    """The contract of exactly ``path`` (repository-relative, posix)."""
    norm = path.rstrip("/").removeprefix("./")
    return next((c for c in contracts if c.path == norm), None)
