"""The pipeline: its graph drawn as SVG (laid out in Python), each stage coloured by its state,
and for each stage its command, deps with their hashes, params, outs and last run's log."""

from __future__ import annotations

from typing import Any

from trail.web.page import Api, Call, Page


def pipeline(call: Call) -> dict[str, Any]:
    from trail.ops.stage_states import pipeline_view
    from trail.web.dag_svg import render

    view = pipeline_view(call.repo)
    nodes = list(view.graph.nodes)
    classes = {n: f"{s.kind} state-{s.state.replace(' ', '-')}" for n, s in view.nodes.items()}
    titles = {n: f"{n}: {s.state}" for n, s in view.nodes.items()}
    svg = render(nodes, list(view.graph.edges), classes, titles=titles)
    return {
        "svg": svg,
        "nodes": {
            n: {
                "kind": s.kind,
                "state": s.state,
                "changes": list(s.changes),
                "file": s.file,
                "details": s.details,
            }
            for n, s in view.nodes.items()
        },
        "edges": [list(e) for e in view.graph.edges],
    }


PAGE = Page(
    path="/pipeline",
    title="Pipeline",
    script="pipeline.js",
    order=40,
    api={"pipeline": Api(pipeline, cached=True)},
)
