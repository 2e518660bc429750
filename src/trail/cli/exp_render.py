"""``exp show`` as a table (columns chosen, filtered and sorted) and as its stable JSON shape."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trail.cli.results_render import cell
from trail.errors import UsageError
from trail.experiments.show import ExpRow

UNDER_BASELINE = ("experiment", "queued")  # rows drawn in the tree under their baseline


@dataclass(frozen=True, slots=True)
class Column:
    """A value column: its group (metrics, params, deps), file and key, and shown header."""

    group: str
    file: str
    key: str
    header: str

    def value(self, row: ExpRow) -> Any:
        if self.group == "deps":
            return row.deps.get(self.key)
        table: dict[str, dict[str, Any]] = getattr(row, self.group)
        return table.get(self.file, {}).get(self.key)

    def names(self) -> tuple[str, ...]:
        return (self.header, self.key, f"{self.file}:{self.key}")


def columns(rows: Sequence[ExpRow]) -> list[Column]:
    """Metrics, then params (in file order, as DVC), then deps; a key found in several files
    is shown as file:key."""
    found: list[tuple[str, str, str]] = []
    for group in ("metrics", "params", "profiles"):
        # DVC's order: files as first met, keys in the order their file holds them
        seen: dict[str, dict[str, None]] = {}
        for r in rows:
            for f, vals in getattr(r, group).items():
                seen.setdefault(f, {}).update(dict.fromkeys(vals))
        found += [(group, f, k) for f, keys in seen.items() for k in keys]
    found += [("deps", p, p) for p in sorted({p for r in rows for p in r.deps})]
    clashing = {k for k in {k for _, _, k in found} if sum(1 for _, _, x in found if x == k) > 1}
    return [
        Column(g, f, k, f"{f}:{k}" if k in clashing and g != "deps" else k) for g, f, k in found
    ]


def choose(
    cols: list[Column],
    rows: Sequence[ExpRow],
    *,
    keep: str | None = None,
    drop: str | None = None,
    only_changed: bool = False,
) -> list[Column]:
    """Columns left after ``--drop``/``--keep`` (regexes on the name; keep wins) and
    ``--only-changed`` (columns whose value is the same in every row go)."""
    keep_re, drop_re = _regex(keep, "--keep"), _regex(drop, "--drop")
    out = []
    for col in cols:
        kept = keep_re is not None and any(keep_re.search(n) for n in col.names())
        if drop_re is not None and any(drop_re.search(n) for n in col.names()) and not kept:
            continue
        if only_changed and not kept and not _varies(col, rows):
            continue
        out.append(col)
    return out


def _varies(col: Column, rows: Sequence[ExpRow]) -> bool:
    # a queued run has only params: its empty metrics do not make a column "changed"
    seen = {repr(col.value(r)) for r in rows if r.status is None or col.group == "params"}
    return len(seen) > 1


def _regex(pattern: str | None, flag: str) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"{flag} {pattern!r} is not a valid regular expression: {exc}") from None


def sort_rows(
    rows: Sequence[ExpRow], cols: list[Column], sort_by: str | None, descending: bool
) -> list[ExpRow]:
    """Experiments sorted by a column within their baseline; baselines keep their order."""
    rows = list(rows)
    if sort_by is None:
        return rows
    col = _find(cols, sort_by)
    out: list[ExpRow] = []
    group: list[ExpRow] = []

    def flush() -> None:
        present = [r for r in group if col.value(r) is not None]
        present.sort(key=lambda r: _sort_key(col.value(r)), reverse=descending)
        out.extend(present + [r for r in group if col.value(r) is None])
        group.clear()

    for row in rows:
        if row.kind in UNDER_BASELINE:
            group.append(row)
            continue
        flush()
        out.append(row)
    flush()
    return out


def _find(cols: list[Column], name: str) -> Column:
    exact = [c for c in cols if name in (c.header, f"{c.file}:{c.key}")]
    matches = exact or [c for c in cols if c.key == name]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(f"--sort-by {name}: no such metric or param (columns: {_names(cols)})")
    both = ", ".join(f"{c.file}:{c.key}" for c in matches)
    raise UsageError(f"--sort-by {name} is ambiguous: write one of {both}")


def _names(cols: list[Column]) -> str:
    shown = [c.header for c in cols if c.group != "deps"]
    return ", ".join(shown[:12]) + (" …" if len(shown) > 12 else "")


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool | int | float):
        return (0, float(value))
    return (1, str(value))


def table(
    rows: Sequence[ExpRow], cols: list[Column], precision: int, fmt: str
) -> tuple[list[str], list[list[str]]]:
    """Headers and cells: the experiment (drawn as a tree under its baseline), its creation
    time (a queued run's state), then the chosen columns. CSV gets plain names and full
    hashes, and a queued run's state as its type."""
    plain = fmt == "csv"
    head = ["Experiment", "rev", "type", "Created"] if plain else ["Experiment", "Created"]
    headers = head + [c.header for c in cols]
    cells = []
    for i, row in enumerate(rows):
        last = i + 1 == len(rows) or rows[i + 1].kind not in UNDER_BASELINE
        kind = row.status or row.kind
        first = [row.name, _short(row.rev), kind] if plain else [_label(row, last)]
        when = _created(row.created, iso=plain) if plain or not row.status else row.status.title()
        values = [_cell(c, c.value(row), precision, plain) for c in cols]
        cells.append([*first, when, *values])
    return headers, cells


def _label(row: ExpRow, last: bool) -> str:
    if row.kind not in UNDER_BASELINE:
        return row.name
    return f"{'└──' if last else '├──'} {row.rev[:7]} [{row.name}]"


def _short(rev: str) -> str:
    return rev if rev == "workspace" else rev[:7]


def _cell(col: Column, value: Any, precision: int, plain: bool) -> str:
    if value is None and plain:
        return ""
    if col.group == "deps" and isinstance(value, str) and not plain:
        return value[:8]
    return cell(value, precision)


def _created(when: float | None, iso: bool = False) -> str:
    if when is None:
        return "" if iso else "-"
    stamp = dt.datetime.fromtimestamp(when).astimezone()
    return stamp.isoformat(timespec="seconds") if iso else stamp.strftime("%Y-%m-%d %H:%M")


def for_cwd(rows: Sequence[ExpRow], root: str) -> list[ExpRow]:
    """Rows whose file paths read from the current directory, as other commands show them."""
    from dataclasses import replace

    from trail.cli.results_render import from_cwd

    shown = from_cwd(root)
    return [
        replace(
            r,
            params={shown(f): v for f, v in r.params.items()},
            metrics={shown(f): v for f, v in r.metrics.items()},
            deps={shown(p): h for p, h in r.deps.items()},
            outs={shown(p): h for p, h in r.outs.items()},
            errors={shown(p): e for p, e in r.errors.items()},
            profiles={shown(p): v for p, v in r.profiles.items()},
        )
        for r in rows
    ]


def print_table(headers: list[str], cells: list[list[str]], fmt: str) -> None:
    """A rich table on a terminal, else ``tables.print_table``. On a terminal too narrow for
    every column, values are never cut: the columns that do not fit are hidden whole (the
    first ones, metrics, go last), each run of them marked by a ``…`` column, and a line
    says how to see them."""
    import sys

    if fmt != "table" or not sys.stdout.isatty():
        from trail.cli.tables import print_table as plain

        plain(headers, cells, fmt)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from trail.cli.fit import MARK, fit, shorten

    console = Console()
    layout = fit(headers, cells, console.width, fixed=2)
    table = Table(box=None, header_style="bold")
    for i, width in layout.slots:
        header = MARK if i is None else shorten(headers[i], width)
        table.add_column(escape(header), no_wrap=True, overflow="ellipsis", width=width)
    for row in cells:
        table.add_row(*(MARK if i is None else escape(row[i]) for i, _w in layout.slots))
    console.print(table)
    if layout.hidden:
        console.print(
            f"{layout.hidden} column{'s' if layout.hidden != 1 else ''} hidden ({MARK}): "
            "see them with --keep/--drop, --csv or --json",
            style="dim",
            highlight=False,
        )


def pcp_spec(rows: Sequence[ExpRow], cols: Sequence[Column]) -> dict[str, Any]:
    """A parallel coordinates plot (Vega-Lite) of the numeric params and metrics: one line per
    row, each axis scaled to its own range."""
    numeric = [
        c
        for c in cols
        if c.group != "deps"
        and any(
            isinstance(c.value(r), int | float) and not isinstance(c.value(r), bool) for r in rows
        )
    ]
    names = [c.header for c in numeric]
    values = [
        {"experiment": r.name, **{c.header: c.value(r) for c in numeric}}
        for r in rows
        if r.status is None
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "Experiments",
        "width": max(300, 120 * len(names)),
        "height": 300,
        "data": {"values": values},
        "transform": [
            {"window": [{"op": "count", "as": "index"}]},
            {"fold": names},
            {"filter": "isValid(datum.value)"},
            {
                "joinaggregate": [
                    {"op": "min", "field": "value", "as": "min"},
                    {"op": "max", "field": "value", "as": "max"},
                ],
                "groupby": ["key"],
            },
            {
                "calculate": "(datum.value - datum.min) / ((datum.max - datum.min) || 1)",
                "as": "norm",
            },
        ],
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {"field": "key", "type": "nominal", "sort": names, "title": None},
            "y": {"field": "norm", "type": "quantitative", "axis": None},
            "color": {"field": "experiment", "type": "nominal"},
            "detail": {"field": "index", "type": "nominal"},
            "tooltip": [{"field": "experiment"}, {"field": "key"}, {"field": "value"}],
        },
    }
