"""A table's profile: rows, and per column its type, nulls, distinct count, min, max, mean, std,
quantiles, a histogram and (text and booleans) the most frequent values.

Every figure is exact: distinct values are counted, quantiles interpolate linearly between order
statistics (numpy's default method), histograms have ``BINS`` equal-width bins over
``[min, max]`` of the finite values, half-open except the last (as ``numpy.histogram``), and
``std`` is the sample standard deviation (``ddof=1``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trail.quality import PROFILE_FORMAT
from trail.quality.engine import NUMERIC, Column, Session, Table, quote

FORMAT = PROFILE_FORMAT
QUANTILES = (1, 5, 25, 50, 75, 95, 99)
BINS = 20
TOP = 10
TOP_KINDS = ("string", "boolean")

OnStep = Callable[[str], None]


@dataclass(frozen=True)
class Histogram:
    edges: tuple[float, ...]  # BINS + 1 edges
    counts: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"edges": [jsonable(e) for e in self.edges], "counts": list(self.counts)}


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    type: str  # integer, float, string, boolean, date, timestamp, time, other
    engine_type: str
    count: int  # non-null values
    nulls: int
    distinct: int
    min: Any = None
    max: Any = None
    mean: float | None = None
    std: float | None = None
    quantiles: dict[str, float] = field(default_factory=dict)  # "p1" … "p99"
    histogram: Histogram | None = None
    top: tuple[tuple[Any, int], ...] = ()

    @property
    def null_rate(self) -> float:
        total = self.count + self.nulls
        return self.nulls / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "engine_type": self.engine_type,
            "count": self.count,
            "nulls": self.nulls,
            "null_rate": self.null_rate,
            "distinct": self.distinct,
            "min": jsonable(self.min),
            "max": jsonable(self.max),
        }
        if self.type in NUMERIC or self.type == "boolean":
            out["mean"] = jsonable(self.mean)
        if self.type in NUMERIC:
            out["std"] = jsonable(self.std)
            out["quantiles"] = {k: jsonable(v) for k, v in self.quantiles.items()}
            out["histogram"] = self.histogram.to_dict() if self.histogram else None
        if self.type in TOP_KINDS:
            out["top"] = [[jsonable(v), n] for v, n in self.top]
        return out


@dataclass(frozen=True)
class Profile:
    rows: int
    columns: tuple[ColumnProfile, ...]
    fmt: str
    files: int

    def column(self, name: str) -> ColumnProfile | None:
        return next((c for c in self.columns if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": FORMAT,
            "format": self.fmt,
            "files": self.files,
            "rows": self.rows,
            "columns": [c.to_dict() for c in self.columns],
        }


def from_dict(data: Mapping[str, Any]) -> Profile:
    """A profile as ``to_dict`` wrote it (KeyError/TypeError/ValueError if it is not one)."""
    if data.get("profile") != FORMAT:
        raise ValueError(f"not a {FORMAT} profile")
    cols = []
    for c in data["columns"]:
        hist = c.get("histogram")
        cols.append(
            ColumnProfile(
                name=c["name"],
                type=c["type"],
                engine_type=c["engine_type"],
                count=int(c["count"]),
                nulls=int(c["nulls"]),
                distinct=int(c["distinct"]),
                min=c.get("min"),
                max=c.get("max"),
                mean=c.get("mean"),
                std=c.get("std"),
                quantiles=dict(c.get("quantiles") or {}),
                histogram=Histogram(tuple(hist["edges"]), tuple(hist["counts"])) if hist else None,
                top=tuple((v, int(n)) for v, n in c.get("top") or ()),
            )
        )
    return Profile(int(data["rows"]), tuple(cols), str(data["format"]), int(data["files"]))


def jsonable(value: Any) -> Any:
    """A value JSON can hold: dates as ISO text, decimals as floats, NaN/inf as text."""
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def compute(session: Session, table: Table, on_step: OnStep | None = None) -> Profile:
    """Profile a loaded table: one aggregate pass, then histograms and top values."""
    step = on_step or (lambda _s: None)
    step("statistics")
    stats = _aggregates(session, table)
    step("histograms")
    hists = _histograms(session, table, stats)
    step("top values")
    tops = _tops(session, table)
    cols = tuple(
        _column(c, stats[c.name], hists.get(c.name), tops.get(c.name, ())) for c in table.columns
    )
    return Profile(table.rows, cols, table.source.fmt, len(table.source.files))


def _column(c: Column, s: dict[str, Any], hist: Histogram | None, top: Sequence[Any]) -> Any:
    quantiles = {}
    if s.get("q") is not None:
        quantiles = {f"p{p}": float(v) for p, v in zip(QUANTILES, s["q"], strict=True)}
    mean = s.get("mean")
    return ColumnProfile(
        name=c.name,
        type=c.kind,
        engine_type=c.engine_type,
        count=int(s["count"]),
        nulls=int(s["nulls"]),
        distinct=int(s["distinct"]),
        min=s["min"],
        max=s["max"],
        mean=float(mean) if mean is not None else None,
        std=float(s["std"]) if s.get("std") is not None else None,
        quantiles=quantiles,
        histogram=hist,
        top=tuple(top),
    )


def _aggregates(session: Session, table: Table) -> dict[str, dict[str, Any]]:
    exprs: list[str] = ["count(*)"]
    layout: list[tuple[str, str]] = []  # (column, figure), in the order of ``exprs[1:]``
    qs = "[" + ", ".join(str(p / 100) for p in QUANTILES) + "]"
    for c in table.columns:
        q = quote(c.name)
        figures = [("count", f"count({q})"), ("distinct", f"count(DISTINCT {q})")]
        if c.kind in ("other", "mixed"):
            figures += [("min", "NULL"), ("max", "NULL")]
        else:
            figures += [("min", f"min({q})"), ("max", f"max({q})")]
        if c.kind in NUMERIC:
            finite = f" FILTER (WHERE isfinite({q}))" if c.kind == "float" else ""
            figures += [
                ("mean", f"avg({q})"),
                ("std", f"stddev_samp({q})"),
                ("q", f"quantile_cont({q}, {qs})"),
                ("lo", f"min({q}){finite}"),
                ("hi", f"max({q}){finite}"),
            ]
        elif c.kind == "boolean":
            figures.append(("mean", f"avg({q}::INTEGER)"))
        for figure, expr in figures:
            layout.append((c.name, figure))
            exprs.append(expr)
    row = session.one(table.source, f"SELECT {', '.join(exprs)} FROM {table.name}")
    out: dict[str, dict[str, Any]] = {c.name: {} for c in table.columns}
    for (name, figure), value in zip(layout, row[1:], strict=True):
        out[name][figure] = value
    for s in out.values():
        s["nulls"] = int(row[0]) - int(s["count"])
    return out


def edges_of(lo: float, hi: float, bins: int = BINS) -> tuple[float, ...]:
    """``bins + 1`` equal-width edges over ``[lo, hi]``, computed as ``numpy.linspace`` does."""
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5  # numpy.histogram's range for a constant column
    step = (hi - lo) / bins
    return (*(lo + i * step for i in range(bins)), hi)


def bin_sql(q: str, lo: float, hi: float, bins: int = BINS) -> str:
    """The SQL bin index (0 … bins-1) of ``q`` for ``edges_of(lo, hi, bins)``."""
    lo_e, hi_e = edges_of(lo, hi, bins)[0], edges_of(lo, hi, bins)[-1]
    norm = bins / (hi_e - lo_e)
    return f"least(floor(({q} - ({lo_e!r})) * {norm!r}), {bins - 1})::INTEGER"


def _histograms(
    session: Session, table: Table, stats: dict[str, dict[str, Any]]
) -> dict[str, Histogram]:
    parts: list[str] = []
    index: list[tuple[str, float, float]] = []
    for c in table.columns:
        s = stats[c.name]
        if c.kind not in NUMERIC or s.get("lo") is None:
            continue
        lo, hi = float(s["lo"]), float(s["hi"])
        q = quote(c.name)
        keep = f"isfinite({q})" if c.kind == "float" else f"{q} IS NOT NULL"
        i = len(index)
        index.append((c.name, lo, hi))
        parts.append(
            f"SELECT {i} AS c, {bin_sql(q, lo, hi)} AS b, count(*) AS n "
            f"FROM {table.name} WHERE {keep} GROUP BY 1, 2"
        )
    if not parts:
        return {}
    rows = session.run(table.source, " UNION ALL ".join(parts))
    counts = [[0] * BINS for _ in index]
    for i, b, n in rows:
        counts[int(i)][int(b)] += int(n)
    return {
        name: Histogram(edges_of(lo, hi), tuple(counts[i]))
        for i, (name, lo, hi) in enumerate(index)
    }


def _tops(session: Session, table: Table) -> dict[str, list[tuple[Any, int]]]:
    parts: list[str] = []
    names: list[str] = []
    for c in table.columns:
        if c.kind not in TOP_KINDS:
            continue
        q = quote(c.name)
        i = len(names)
        names.append(c.name)
        parts.append(
            f"(SELECT {i} AS c, {q}::VARCHAR AS v, count(*) AS n FROM {table.name} "
            f"WHERE {q} IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC, 2 LIMIT {TOP})"
        )
    if not parts:
        return {}
    rows = session.run(table.source, " UNION ALL ".join(parts))
    out: dict[str, list[tuple[Any, int]]] = {n: [] for n in names}
    for i, v, n in rows:
        out[names[int(i)]].append((v, int(n)))
    for values in out.values():
        values.sort(key=lambda p: (-p[1], str(p[0])))
    return out
