"""Vega-Lite specs for DVC's plot templates, written here as Python dicts. Data is inlined as
long rows (``x``, ``y``, ``series``); ``series`` names what varies: revision, file, column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trail.results.plots import PlotData, PlotError

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
Spec = dict[str, Any]


def _series(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    varying = [k for k in ("rev", "file", "field") if len({r[k] for r in rows}) > 1]
    keys = varying or ["field"]
    return [{**r, "series": " · ".join(str(r[k]) for k in keys)} for r in rows]


def _x_type(rows: list[dict[str, Any]]) -> str:
    numeric = all(isinstance(r["x"], int | float) and not isinstance(r["x"], bool) for r in rows)
    return "quantitative" if numeric else "ordinal"


def _color(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"color": {"field": "series", "type": "nominal", "title": None}}


def _tooltip() -> list[dict[str, Any]]:
    return [{"field": f, "type": "nominal"} for f in ("series", "x", "y")]


def _line(rows: list[dict[str, Any]], t: dict[str, str], point: bool) -> Spec:
    return {
        "mark": {"type": "line", "point": point, "tooltip": True},
        "encoding": {
            "x": {"field": "x", "type": _x_type(rows), "title": t["x"]},
            "y": {"field": "y", "type": "quantitative", "title": t["y"], "scale": {"zero": False}},
            **_color(rows),
        },
    }


def _linear(rows: list[dict[str, Any]], t: dict[str, str]) -> Spec:
    return _line(rows, t, point=len(rows) <= 200)


def _simple(rows: list[dict[str, Any]], t: dict[str, str]) -> Spec:
    return _line(rows, t, point=False)


def _scatter(rows: list[dict[str, Any]], t: dict[str, str]) -> Spec:
    spec = _line(rows, t, point=False)
    spec["mark"] = {"type": "point", "filled": True, "tooltip": True}
    return spec


def _smooth(rows: list[dict[str, Any]], t: dict[str, str]) -> Spec:
    raw = _line(rows, t, point=False)
    raw["mark"] = {"type": "line", "opacity": 0.25}
    fitted = _line(rows, t, point=False)
    fitted["transform"] = [{"loess": "y", "on": "x", "groupby": ["series"], "bandwidth": 0.3}]
    return {"layer": [raw, fitted]}


def _confusion(rows: list[dict[str, Any]], t: dict[str, str], normalized: bool = False) -> Spec:
    value = "share" if normalized else "count"
    transform: list[dict[str, Any]] = [
        {"aggregate": [{"op": "count", "as": "count"}], "groupby": ["series", "x", "y"]},
    ]
    if normalized:
        transform += [
            {"joinaggregate": [{"op": "sum", "field": "count", "as": "total"}],
             "groupby": ["series", "x"]},
            {"calculate": "datum.count / datum.total", "as": "share"},
        ]  # fmt: skip
    axes = {
        "x": {"field": "x", "type": "nominal", "title": t["x"]},
        "y": {"field": "y", "type": "nominal", "title": t["y"]},
    }
    fmt = ".2f" if normalized else "d"
    color = {"field": value, "type": "quantitative"}
    text = {"field": value, "type": "quantitative", "format": fmt}
    inner: Spec = {
        "layer": [
            {"mark": "rect", "encoding": {**axes, "color": color}},
            {"mark": "text", "encoding": {**axes, "text": text}},
        ]
    }
    if len({r["series"] for r in rows}) > 1:  # one matrix per revision, side by side
        facet = {"field": "series", "type": "nominal", "title": None}
        inner.update(width=300, height=300)
        return {"transform": transform, "facet": facet, "columns": 3, "spec": inner}
    return {"transform": transform, **inner}


def _bars(rows: list[dict[str, Any]], t: dict[str, str], sort: bool = False) -> Spec:
    y: dict[str, Any] = {"field": "y", "type": "nominal", "title": t["y"]}
    if sort:
        y["sort"] = "-x"
    return {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "title": t["x"]},
            "y": y,
            "yOffset": {"field": "series"},
            **_color(rows),
        },
    }


def _scatter_jitter(rows: list[dict[str, Any]], t: dict[str, str]) -> Spec:
    """Points spread a little at random, so identical values stay visible."""
    spec = _scatter(rows, t)
    spec["transform"] = [{"calculate": "random() - 0.5", "as": "jitter"}]
    spec["encoding"]["xOffset"] = {"field": "jitter", "type": "quantitative"}
    spec["encoding"]["yOffset"] = {"field": "jitter", "type": "quantitative"}
    return spec


# In DVC's order (``plots templates`` lists them so)
TEMPLATES: dict[str, Callable[[list[dict[str, Any]], dict[str, str]], Spec]] = {
    "simple": _simple,
    "linear": _linear,
    "confusion": _confusion,
    "confusion_normalized": lambda rows, t: _confusion(rows, t, normalized=True),
    "scatter": _scatter,
    "scatter_jitter": _scatter_jitter,
    "smooth": _smooth,
    "bar_horizontal_sorted": lambda rows, t: _bars(rows, t, sort=True),
    "bar_horizontal": _bars,
}


def template_spec(name: str) -> Spec:
    """The spec a template draws, without data (``plots templates NAME``)."""
    from trail.results.plots import PlotData

    return vega_lite(PlotData("<title>", {"template": name}, x_name="<x>", y_names=("<y>",)))


def vega_lite(plot: PlotData) -> Spec:
    """A complete Vega-Lite spec for ``plot`` with its data inlined."""
    name = str(plot.props.get("template") or "linear")
    if name not in TEMPLATES:
        known = ", ".join(TEMPLATES)
        raise PlotError(f"plot '{plot.id}': unknown template '{name}' (known: {known})")
    rows = _series([dict(r) for r in plot.rows])
    titles = {
        "x": str(plot.props.get("x_label") or plot.x_name),
        "y": str(plot.props.get("y_label") or ", ".join(plot.y_names) or "y"),
    }
    body = TEMPLATES[name](rows, titles)
    return {
        "$schema": SCHEMA,
        "title": str(plot.props.get("title") or plot.id),
        **({} if "facet" in body else {"width": 500, "height": 300}),
        "data": {"values": rows},
        **body,
    }
