"""Profiles and drift reports as aligned text or Markdown."""

from __future__ import annotations

from typing import Any

from trail.cli.tables import render


def _num(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.6g}"
    text = str(v)
    return text if len(text) <= 24 else text[:23] + "…"


def profile(result: Any, fmt: str) -> str:
    data = result.data
    cols = data["columns"]
    origin = " (from the profile store)" if result.stored else ""
    title = (
        f"{result.label}: {data['rows']} rows, {len(cols)} columns, {data['format']}"
        f"{', ' + str(data['files']) + ' files' if data['files'] > 1 else ''}{origin}"
    )
    headers = ["column", "type", "nulls", "distinct", "min", "max", "mean", "std"]
    headers += ["p1", "p5", "p25", "p50", "p75", "p95", "p99"]
    rows = []
    for c in cols:
        q = c.get("quantiles") or {}
        rows.append(
            [
                c["name"],
                c["type"],
                str(c["nulls"]),
                str(c["distinct"]),
                _num(c["min"]),
                _num(c["max"]),
                _num(c.get("mean")),
                _num(c.get("std")),
            ]
            + [_num(q.get(k)) for k in ("p1", "p5", "p25", "p50", "p75", "p95", "p99")]
        )
    parts = [f"## {title}" if fmt == "md" else title, "", render(headers, rows, fmt)]
    tops = [c for c in cols if c.get("top")]
    if tops:
        parts += ["", "### Top values" if fmt == "md" else "top values:"]
        for c in tops:
            shown = ", ".join(f"{v} ({n})" for v, n in c["top"])
            parts.append(f"- {c['name']}: {shown}" if fmt == "md" else f"  {c['name']}: {shown}")
    hists = [c for c in cols if c.get("histogram")]
    if hists:
        parts += ["", "### Histograms" if fmt == "md" else "histograms:"]
        for c in hists:
            h = c["histogram"]
            bar = _sparkline(h["counts"])
            line = f"{c['name']}: {_num(h['edges'][0])} {bar} {_num(h['edges'][-1])}"
            parts.append(f"- {line}" if fmt == "md" else f"  {line}")
    return "\n".join(parts)


def _sparkline(counts: list[int]) -> str:
    marks = " ▁▂▃▄▅▆▇█"
    top = max(counts) or 1
    return "".join(marks[round(c / top * (len(marks) - 1))] for c in counts)


def drift(report: Any, fmt: str) -> str:
    title = f"drift {report.baseline} → {report.current}: {report.rows[0]} → {report.rows[1]} rows"
    headers = ["column", "type", "psi", "ks", "js", "nulls before", "nulls after", "crossed"]
    rows = [
        [
            c.name,
            c.kind,
            _num(c.psi),
            _num(c.ks),
            _num(c.js),
            f"{c.null_rate[0]:.4f}",
            f"{c.null_rate[1]:.4f}",
            ", ".join(c.crossed) or "-",
        ]
        for c in report.columns
    ]
    parts = [f"## {title}" if fmt == "md" else title, "", render(headers, rows, fmt)]
    schema = []
    schema += [f"added column {n} ({k})" for n, k in report.added]
    schema += [f"removed column {n} ({k})" for n, k in report.removed]
    schema += [f"retyped column {n}: {a} → {b}" for n, a, b in report.retyped]
    if schema:
        parts += ["", "### Schema" if fmt == "md" else "schema:"]
        parts += [f"- {s}" if fmt == "md" else f"  {s}" for s in schema]
    limits = ", ".join(f"{k} {v:g}" for k, v in report.thresholds.items())
    parts += ["", f"thresholds: {limits}"]
    return "\n".join(parts)


def crossed_line(report: Any) -> str:
    found = [f"{c.name} ({', '.join(c.crossed)})" for c in report.columns if c.crossed]
    found += [f"{n} removed" for n, _ in report.removed]
    found += [f"{n} retyped" for n, _, _ in report.retyped]
    shown = "; ".join(found[:8]) + (" …" if len(found) > 8 else "")
    return f"drift beyond thresholds from {report.baseline} to {report.current}: {shown}"
