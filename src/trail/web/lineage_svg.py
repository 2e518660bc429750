"""A version's lineage as a graph, laid out and drawn by the pipeline graph's code
(``dag_svg``): the tracked data and imports it was made from at the top, every stage upstream of
it in between, the artifact at the bottom.

Node names carry their kind (``stage:train``, ``data:raw``, ``import:ext``, ``artifact``) so a
stage and a path of the same name stay two nodes; the page finds a node's details by that name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trail.paths import is_inside

ARTIFACT = "artifact"


@dataclass
class Graph:
    nodes: list[str] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, label: str, kind: str, title: str) -> None:
        self.nodes.append(name)
        self.labels[name], self.classes[name], self.titles[name] = label, kind, title

    def link(self, a: str, b: str) -> None:
        if a != b and (a, b) not in self.edges:
            self.edges.append((a, b))


def _overlap(a: str, b: str) -> bool:
    return is_inside(a, b) or is_inside(b, a)


def lineage_graph(described: Mapping[str, Any]) -> Graph:
    """The graph of what ``trail.registry.views.lineage`` returns."""
    lin = described["lineage"]
    path = described["artifact"]["path"]
    g = Graph()
    sources: list[tuple[str, str]] = []  # (node, path) of tracked data and imports
    for kind, entries in (("data", lin["data"]), ("import", lin["imports"])):
        for entry in entries:
            node = f"{kind}:{entry['path']}"
            g.add(node, entry["path"], f"lineage-{kind}", f"{kind} {entry['path']}")
            sources.append((node, entry["path"]))
    for stage in lin["stages"]:
        title = f"stage {stage['name']}" + ("" if stage["recorded"] else " (never run)")
        g.add(f"stage:{stage['name']}", stage["name"], "lineage-stage", title)
    for stage in lin["stages"]:
        here = f"stage:{stage['name']}"
        for dep in stage["deps"]:
            for node, where in sources:
                if _overlap(dep["path"], where):
                    g.link(node, here)
            for other in lin["stages"]:
                if any(_overlap(dep["path"], o["path"]) for o in other["outs"]):
                    g.link(f"stage:{other['name']}", here)
    version = described.get("version") or ""
    g.add(ARTIFACT, f"{described['name']} {version}".strip(), "lineage-artifact", path)
    if lin["produced_by"]:
        g.link(f"stage:{lin['produced_by']}", ARTIFACT)
    else:
        for node, where in sources:
            if is_inside(path, where):
                g.link(node, ARTIFACT)
    return g


def render_lineage(described: Mapping[str, Any]) -> str:
    from trail.web.dag_svg import render

    g = lineage_graph(described)
    return render(g.nodes, g.edges, g.classes, g.labels, g.titles, label="lineage graph")
