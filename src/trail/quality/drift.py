"""Drift between two versions of a table: per column PSI, the KS statistic (numeric, dates),
Jensen–Shannon distance (text, booleans), the change of the null rate, and schema changes.

- Numeric columns: PSI over ten bins cut at the baseline's deciles (equal deciles merged); KS
  exact (the largest gap between the two empirical distribution functions, computed over every
  distinct value, as ``scipy.stats.ks_2samp``); both histograms over common equal-width edges.
- Text and boolean columns: shares of the ``CATEGORIES`` most frequent values of both sides plus
  one bucket for the rest; PSI and Jensen–Shannon distance (base 2, 0 … 1) over those.
- Schema: columns added, removed, or retyped (their kind changed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trail.quality import stats
from trail.quality.engine import NUMERIC, Column, Session, Table, quote
from trail.quality.profile import BINS, bin_sql, edges_of, jsonable

CATEGORIES = 50
PSI_BINS = 10
ORDERED = (*NUMERIC, "date", "timestamp")  # compared by KS on their values
CATEGORICAL = ("string", "boolean")
DEFAULTS = {"psi": 0.2, "ks": 0.1, "js": 0.1, "nulls": 0.05}
METRICS = tuple(DEFAULTS)
REST = "\0rest"  # the values beyond those counted one by one


@dataclass(frozen=True)
class ColumnDrift:
    name: str
    kind: str  # the column's kind on the current side
    rows: tuple[int, int]  # non-null values: baseline, current
    null_rate: tuple[float, float]
    psi: float | None = None
    ks: float | None = None
    js: float | None = None
    histogram: dict[str, Any] = field(default_factory=dict)  # edges|values, base, current
    crossed: tuple[str, ...] = ()

    @property
    def null_change(self) -> float:
        return self.null_rate[1] - self.null_rate[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.kind,
            "count": list(self.rows),
            "null_rate": list(self.null_rate),
            "null_change": self.null_change,
            "psi": self.psi,
            "ks": self.ks,
            "js": self.js,
            "histogram": self.histogram,
            "crossed": list(self.crossed),
        }


@dataclass(frozen=True)
class DriftReport:
    baseline: str
    current: str
    rows: tuple[int, int]
    columns: tuple[ColumnDrift, ...]
    added: tuple[tuple[str, str], ...]  # (column, kind)
    removed: tuple[tuple[str, str], ...]
    retyped: tuple[tuple[str, str, str], ...]  # (column, old kind, new kind)
    thresholds: Mapping[str, float]

    @property
    def crossed(self) -> bool:
        """A threshold is crossed, or a column was removed or retyped."""
        return bool(self.removed or self.retyped or any(c.crossed for c in self.columns))

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "current": self.current,
            "rows": list(self.rows),
            "thresholds": dict(self.thresholds),
            "crossed": self.crossed,
            "schema": {
                "added": [{"name": n, "type": k} for n, k in self.added],
                "removed": [{"name": n, "type": k} for n, k in self.removed],
                "retyped": [{"name": n, "from": a, "to": b} for n, a, b in self.retyped],
            },
            "columns": [c.to_dict() for c in self.columns],
        }


def compare(
    session: Session,
    base: Table,
    cur: Table,
    thresholds: Mapping[str, float] | None = None,
    on_column: Callable[[str], None] | None = None,
) -> DriftReport:
    """Compare ``cur`` with ``base``; ``on_column`` hears of each column compared."""
    limits = {**DEFAULTS, **(thresholds or {})}
    names_b = {c.name: c for c in base.columns}
    names_c = {c.name: c for c in cur.columns}
    added = tuple((c.name, c.kind) for c in cur.columns if c.name not in names_b)
    removed = tuple((c.name, c.kind) for c in base.columns if c.name not in names_c)
    retyped, cols = [], []
    for c in cur.columns:
        b = names_b.get(c.name)
        if b is None:
            continue
        if _family(b.kind) != _family(c.kind):
            retyped.append((c.name, b.kind, c.kind))
            continue
        cols.append(_limited(_column(session, base, cur, b, c), limits))
        if on_column is not None:
            on_column(c.name)
    return DriftReport(
        base.source.label,
        cur.source.label,
        (base.rows, cur.rows),
        tuple(cols),
        added,
        removed,
        tuple(retyped),
        limits,
    )


def _family(kind: str) -> str:
    return "number" if kind in NUMERIC else kind


def _limited(col: ColumnDrift, limits: Mapping[str, float]) -> ColumnDrift:
    found = {"psi": col.psi, "ks": col.ks, "js": col.js, "nulls": abs(col.null_change)}
    crossed = tuple(m for m, v in found.items() if v is not None and v > limits[m])
    return ColumnDrift(
        col.name, col.kind, col.rows, col.null_rate, col.psi, col.ks, col.js, col.histogram, crossed
    )


def _counts(session: Session, t: Table, c: Column) -> tuple[int, int]:
    q = quote(c.name)
    (n, total) = session.one(t.source, f"SELECT count({q}), count(*) FROM {t.name}")
    return int(n), int(total)


def _column(session: Session, base: Table, cur: Table, b: Column, c: Column) -> ColumnDrift:
    (nb, tb), (nc, tc) = _counts(session, base, b), _counts(session, cur, c)
    null_rate = ((tb - nb) / tb if tb else 0.0, (tc - nc) / tc if tc else 0.0)
    common = ColumnDrift(c.name, c.kind, (nb, nc), null_rate)
    if c.kind in ORDERED:
        return _ordered(session, base, cur, b, c, common)
    if c.kind in CATEGORICAL:
        return _categorical(session, base, cur, b, c, common)
    return common


def value_sql(c: Column) -> str:
    """The column as comparable numbers (dates and timestamps as Unix seconds)."""
    q = quote(c.name)
    if c.kind in ("date", "timestamp"):
        return f"epoch({q})"
    return f"{q}::DOUBLE"


def _keep(c: Column) -> str:
    q = quote(c.name)
    return f"NOT isnan({q})" if c.kind == "float" else f"{q} IS NOT NULL"


def _ordered(
    session: Session, base: Table, cur: Table, b: Column, c: Column, common: ColumnDrift
) -> ColumnDrift:
    vb, vc = value_sql(b), value_sql(c)
    kb, kc = _keep(b), _keep(c)
    nb, nc = common.rows
    if nb == 0 or nc == 0:
        return common
    deciles = [i / PSI_BINS for i in range(1, PSI_BINS)]
    fin = f"isfinite({vb})"
    (cuts, lo_b, hi_b) = session.one(
        base.source,
        f"SELECT quantile_cont({vb}, {deciles}), min({vb}) FILTER (WHERE {fin}), "
        f"max({vb}) FILTER (WHERE {fin}) FROM {base.name} WHERE {kb}",
    )
    fin = f"isfinite({vc})"
    (lo_c, hi_c) = session.one(
        cur.source,
        f"SELECT min({vc}) FILTER (WHERE {fin}), max({vc}) FILTER (WHERE {fin}) "
        f"FROM {cur.name} WHERE {kc}",
    )
    found = [float(x) for x in (lo_b, hi_b, lo_c, hi_c) if x is not None]
    span = (min(found), max(found)) if found else None
    cuts = sorted({float(x) for x in cuts})
    ks, psi_counts, hist_counts = _one_pass(session, base, cur, (vb, kb), (vc, kc), cuts, span)
    psi = stats.psi(psi_counts[0], psi_counts[1])
    hist: dict[str, Any] = {}
    if span is not None:
        hist = {
            "edges": [jsonable(e) for e in edges_of(*span)],
            "base": hist_counts[0],
            "current": hist_counts[1],
        }
    return ColumnDrift(c.name, c.kind, common.rows, common.null_rate, psi, ks, None, hist)


def _one_pass(
    session: Session,
    base: Table,
    cur: Table,
    side_b: tuple[str, str],
    side_c: tuple[str, str],
    cuts: list[float],
    span: tuple[float, float] | None,
) -> tuple[float, tuple[list[int], list[int]], tuple[list[int], list[int]]]:
    """From the counts of every distinct value of both sides (one grouping): the exact KS
    statistic (cumulative counts), the PSI bin counts at ``cuts``, and the histogram counts
    over ``span``."""
    (vb, kb), (vc, kc) = side_b, side_c
    whens = " ".join(f"WHEN x <= {x!r} THEN {i}" for i, x in enumerate(cuts))
    psi_bin = f"CASE {whens} ELSE {len(cuts)} END" if cuts else "0"
    parts = [
        "SELECT 0 AS k, 0 AS i, max(abs(ca / (SELECT sum(a) FROM v) - cb / (SELECT sum(b) FROM v)))"
        " AS a, 0 AS b FROM w",
        f"SELECT 1, {psi_bin}, sum(a), sum(b) FROM v GROUP BY 2",
    ]
    if span is not None:
        parts.append(f"SELECT 2, {bin_sql('x', *span)}, sum(a), sum(b) FROM v "
                     "WHERE isfinite(x) GROUP BY 2")  # fmt: skip
    sql = f"""
        WITH v AS (
            SELECT x, sum(a)::DOUBLE AS a, sum(b)::DOUBLE AS b FROM (
                SELECT {vb} AS x, 1 AS a, 0 AS b FROM {base.name} WHERE {kb}
                UNION ALL
                SELECT {vc} AS x, 0 AS a, 1 AS b FROM {cur.name} WHERE {kc}
            ) GROUP BY x
        ), w AS (
            SELECT sum(a) OVER (ORDER BY x ROWS UNBOUNDED PRECEDING) AS ca,
                   sum(b) OVER (ORDER BY x ROWS UNBOUNDED PRECEDING) AS cb
            FROM v
        )
        {" UNION ALL ".join(parts)}
    """
    ks = 0.0
    psi = ([0] * (len(cuts) + 1), [0] * (len(cuts) + 1))
    hist = ([0] * BINS, [0] * BINS)
    for k, i, a, b in session.run(base.source, sql):
        if k == 0:
            ks = float(a) if a is not None else 0.0
        elif k == 1:
            psi[0][int(i)] += int(a)
            psi[1][int(i)] += int(b)
        else:
            j = max(0, min(int(i), BINS - 1))
            hist[0][j] += int(a)
            hist[1][j] += int(b)
    return ks, psi, hist


def _categorical(
    session: Session, base: Table, cur: Table, b: Column, c: Column, common: ColumnDrift
) -> ColumnDrift:
    fb = _frequencies(session, base, b)
    fc = _frequencies(session, cur, c)
    totals = {k: fb.get(k, 0) + fc.get(k, 0) for k in {*fb, *fc}}
    top = sorted((k for k in totals if k != REST), key=lambda k: (-totals[k], k))[:CATEGORIES]
    cb = [fb.get(k, 0) for k in top]
    cc = [fc.get(k, 0) for k in top]
    rest_b, rest_c = sum(fb.values()) - sum(cb), sum(fc.values()) - sum(cc)
    values: list[str | None] = list(top)
    if rest_b or rest_c:
        values.append(None)  # every other value
        cb.append(rest_b)
        cc.append(rest_c)
    hist = {"values": values, "base": cb, "current": cc}
    psi, js = stats.psi(cb, cc), stats.js_distance(cb, cc)
    return ColumnDrift(c.name, c.kind, common.rows, common.null_rate, psi, None, js, hist)


def _frequencies(session: Session, t: Table, c: Column) -> dict[str, int]:
    """Counts of the most frequent values (enough to rank the union's top ``CATEGORIES``)."""
    q = quote(c.name)
    sql = (
        f"SELECT {q}::VARCHAR AS v, count(*) AS n FROM {t.name} WHERE {q} IS NOT NULL "
        f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {CATEGORIES * 20}"
    )
    found = {str(v): int(n) for v, n in session.run(t.source, sql)}
    (total,) = session.one(t.source, f"SELECT count({q}) FROM {t.name}")
    missing = int(total) - sum(found.values())
    if missing:
        found[REST] = missing  # values beyond the limit: one bucket, never a top value
    return found
