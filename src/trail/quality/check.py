"""Checking a loaded table against its contract: one aggregate pass counts the rows breaking
each rule, then one query per broken rule fetches an example row (file and line)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from trail.quality import drift
from trail.quality.contracts import TYPES, ColumnRules, Contract
from trail.quality.engine import Column, Session, Table, literal, quote
from trail.quality.errors import Violation

# (rule as the contract states it, SQL predicate of a row that breaks it, contract line)
Rule = tuple[str, str, int | None]


def check(
    session: Session, table: Table, contract: Contract, reference: Table | None = None
) -> list[Violation]:
    """Every broken rule of ``contract`` on ``table`` (loaded with row numbers);
    ``reference`` is the drift reference table when the contract bounds drift."""
    found: list[Violation] = []
    label = table.source.label
    if contract.rows_min is not None and table.rows < contract.rows_min:
        found.append(_rows(contract, label, f"rows ≥ {contract.rows_min}", table.rows))
    if contract.rows_max is not None and table.rows > contract.rows_max:
        found.append(_rows(contract, label, f"rows ≤ {contract.rows_max}", table.rows))
    rules: list[tuple[ColumnRules, Rule]] = []
    for rule in contract.columns:
        col = table.column(rule.name)
        if col is None:
            shown = ", ".join(c.name for c in table.columns[:12])
            found.append(
                Violation(
                    label,
                    rule.name,
                    "present",
                    f"no such column (columns: {shown})",
                    where=contract.where(rule.line),
                )
            )
            continue
        type_broken = _type_violation(rule, col, contract, label)
        if type_broken is not None:
            found.append(type_broken)
            continue
        rules += [(rule, r) for r in _rules(rule, col)]
    found += _evaluate(session, table, contract, rules)
    for rule in contract.columns:
        if rule.unique and table.column(rule.name) is not None:
            found += _unique(session, table, contract, rule)
    if contract.drift is not None and reference is not None:
        found += _drift(session, reference, table, contract)
    return found


def _rows(contract: Contract, label: str, rule: str, rows: int) -> Violation:
    return Violation(label, "", rule, f"{rows} rows", where=contract.where(contract.rows_line))


def _type_violation(
    rule: ColumnRules, col: Column, contract: Contract, label: str
) -> Violation | None:
    if rule.type is None or col.kind in TYPES[rule.type]:
        return None
    return Violation(
        label,
        rule.name,
        f"type: {rule.type}",
        f"the column holds {col.kind} values",
        where=contract.where(rule.lines.get("type", rule.line)),
    )


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, dt.date):
        return literal(v.isoformat())
    return literal(str(v))


def _rules(rule: ColumnRules, col: Column) -> list[Rule]:
    q = quote(rule.name)
    out: list[Rule] = []
    if rule.nullable is False:
        out.append(("nullable: false", f"{q} IS NULL", rule.lines.get("nullable")))
    if rule.min is not None:
        out.append((f"min: {rule.min}", f"{q} < {_value(rule.min)}", rule.lines.get("min")))
    if rule.max is not None:
        out.append((f"max: {rule.max}", f"{q} > {_value(rule.max)}", rule.lines.get("max")))
    if rule.allowed is not None:
        values = ", ".join(_value(v) for v in rule.allowed) or "NULL"
        target = q if col.kind != "string" else f"{q}::VARCHAR"
        shown = ", ".join(str(v) for v in rule.allowed[:6]) + (
            ", …" if len(rule.allowed) > 6 else ""
        )
        out.append(
            (
                f"allowed: [{shown}]",
                f"{q} IS NOT NULL AND {target} NOT IN ({values})",
                rule.lines.get("allowed"),
            )
        )
    if rule.regex is not None:
        out.append(
            (
                f"regex: {rule.regex}",
                f"{q} IS NOT NULL AND NOT regexp_full_match({q}::VARCHAR, {literal(rule.regex)})",
                rule.lines.get("regex"),
            )
        )
    return out


def _evaluate(
    session: Session, table: Table, contract: Contract, rules: list[tuple[ColumnRules, Rule]]
) -> list[Violation]:
    if not rules:
        return []
    counts = session.one(
        table.source,
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE {pred})" for _, (_, pred, _) in rules)
        + f" FROM {table.name}",
    )
    out = []
    for (col, (name, pred, line)), n in zip(rules, counts, strict=True):
        if not n:
            continue
        example = example_row(session, table, pred, first=col.name)
        out.append(
            Violation(
                table.source.label,
                col.name,
                name,
                f"{n} row{'s' if n != 1 else ''}",
                example,
                contract.where(line or col.line),
            )
        )
    return out


def _unique(
    session: Session, table: Table, contract: Contract, rule: ColumnRules
) -> list[Violation]:
    q = quote(rule.name)
    dupes = session.run(
        table.source,
        f"SELECT {q}, count(*) FROM {table.name} WHERE {q} IS NOT NULL GROUP BY {q} "
        "HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT 1",
    )
    if not dupes:
        return []
    (n_dupes,) = session.one(
        table.source,
        f"SELECT count(*) FROM (SELECT {q} FROM {table.name} WHERE {q} IS NOT NULL "
        f"GROUP BY {q} HAVING count(*) > 1)",
    )
    value = dupes[0][0]
    pred = f"{q} = {_value(value)}" if value is not None else f"{q} IS NULL"
    return [
        Violation(
            table.source.label,
            rule.name,
            "unique: true",
            f"{n_dupes} value{'s' if n_dupes != 1 else ''} repeated "
            f"({value!r} {dupes[0][1]} times)",
            example_row(session, table, pred, nth=2, first=rule.name),
            contract.where(rule.lines.get("unique", rule.line)),
        )
    ]


def example_row(
    session: Session, table: Table, pred: str, nth: int = 1, first: str | None = None
) -> str:
    """``data/x.csv line 18: age=-3, id=17, …`` — the ``nth`` row matching ``pred``, the
    column ``first`` shown first."""
    sql = (
        f"SELECT * FROM {table.name} WHERE {pred} ORDER BY __row LIMIT 1 OFFSET {nth - 1}"
        if table.numbered
        else f"SELECT * FROM {table.name} WHERE {pred} LIMIT 1 OFFSET {nth - 1}"
    )
    cur = session.con.execute(sql)
    names = [d[0] for d in cur.description or ()]
    row = cur.fetchone()
    if row is None:
        return ""
    values = dict(zip(names, row, strict=True))
    if first in values:
        values = {first: values[first], **values}
    where = _position(session, table, values)
    shown = ", ".join(f"{k}={_show(v)}" for k, v in values.items() if k not in ("__row", "__file"))
    if len(shown) > 160:
        shown = shown[:157] + "…"
    return f"{where}: {shown}" if where else shown


def _position(session: Session, table: Table, values: dict[str, Any]) -> str:
    n, file = values.get("__row"), values.get("__file")
    if n is None:
        return ""
    name = table.source.names[0]
    if file is not None:
        (first,) = session.one(
            table.source, f"SELECT min(__row) FROM {table.name} WHERE __file = {literal(file)}"
        )
        n = int(n) - int(first) + 1
        name = table.source.name_of(str(file))
    header = 1 if table.source.fmt in ("csv", "tsv") else 0
    unit = "row" if table.source.fmt == "parquet" else "line"
    return f"{name} {unit} {int(n) + header}"


def _show(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, str):
        return repr(v if len(v) <= 40 else v[:37] + "…")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return str(v)


def _drift(session: Session, reference: Table, table: Table, contract: Contract) -> list[Violation]:
    rules = contract.drift
    assert rules is not None
    report = drift.compare(session, reference, table, rules.limits)
    wanted: Callable[[str], bool] = (
        (lambda n: n in (rules.columns or ())) if rules.columns is not None else (lambda n: True)
    )
    out = []
    for name, kind in report.removed:
        if wanted(name):
            out.append(
                Violation(
                    table.source.label,
                    name,
                    f"drift against {rules.reference}",
                    f"the column ({kind}) is gone",
                    where=contract.where(rules.line),
                )
            )
    for col in report.columns:
        if not wanted(col.name):
            continue
        figures = {"psi": col.psi, "ks": col.ks, "js": col.js, "nulls": abs(col.null_change)}
        for metric, limit in rules.limits.items():
            value = figures.get(metric)
            if value is not None and value > limit:
                out.append(
                    Violation(
                        table.source.label,
                        col.name,
                        f"drift.{metric} ≤ {limit:g} against {rules.reference}",
                        f"{metric} is {value:.4g}",
                        where=contract.where(rules.line),
                    )
                )
    return out
