"""``dag``: the pipeline graph as text, Graphviz dot, or a Mermaid flowchart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trail.pipeline.dag import Dag, ancestors, build_dag
from trail.pipeline.load import load_pipelines
from trail.repo import Repo


@dataclass(frozen=True)
class Graph:
    """Nodes in pipeline order and edges ``(from, to)``: ``from`` is needed by ``to``."""

    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]


def dag(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    outs: bool = False,
    full: bool = False,
    cwd: str | None = None,
) -> Graph:
    """The graph of every stage, or of ``targets`` and what they need (``full``: the whole
    connected part of the graph they are in); of outputs instead of stages with ``outs``."""
    from trail.ops.stage import select_stages

    pipelines = load_pipelines(repo)
    graph = build_dag([s for p in pipelines for s in p.stages.values()])
    names = list(graph.stages)
    if targets:
        wanted: set[str] = set()
        for stage in select_stages(repo, pipelines, targets, cwd=cwd):
            wanted |= {stage.addressing} | ancestors(graph, stage.addressing)
        if full:
            whole = _stage_graph(graph, names)
            wanted = {n for part in components(whole) if wanted & set(part) for n in part}
        names = [n for n in names if n in wanted]
    return _out_graph(graph, names) if outs else _stage_graph(graph, names)


def _stage_graph(graph: Dag, names: list[str]) -> Graph:
    keep = set(names)
    edges = [(p, n) for n in names for p in graph.preds[n] if p in keep]
    order = {n: i for i, n in enumerate(names)}
    edges.sort(key=lambda e: (order[e[0]], order[e[1]]))
    return Graph(tuple(names), tuple(edges))


def _out_graph(graph: Dag, names: list[str]) -> Graph:
    from trail.paths import is_inside

    nodes = [o.path for n in names for o in graph.stages[n].outs]
    edges: list[tuple[str, str]] = []
    keep = set(nodes)
    for name in names:
        stage = graph.stages[name]
        for dep in stage.deps:
            for src in nodes:
                if src in keep and (is_inside(dep.path, src) or is_inside(src, dep.path)):
                    edges.extend((src, o.path) for o in stage.outs if (src, o.path) not in edges)
    order = {n: i for i, n in enumerate(nodes)}
    edges.sort(key=lambda e: (order[e[0]], order[e[1]]))
    return Graph(tuple(nodes), tuple(edges))


def to_dot(graph: Graph) -> str:
    lines = ["strict digraph {"]
    lines += [f'"{n}";' for n in graph.nodes]
    lines += [f'"{a}" -> "{b}";' for a, b in graph.edges]
    return "\n".join([*lines, "}"]) + "\n"


def components(graph: Graph) -> list[list[str]]:
    """Weakly connected parts of the graph, each in node order, parts by their first node."""
    parent = {n: n for n in graph.nodes}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in graph.edges:
        parent[find(a)] = find(b)
    parts: dict[str, list[str]] = {}
    for n in graph.nodes:
        parts.setdefault(find(n), []).append(n)
    return list(parts.values())


def to_mermaid(graph: Graph, *, markdown: bool = False) -> str:
    lines = ["flowchart TD"]
    count = 0
    for part in components(graph):
        ids: dict[str, str] = {}
        for n in sorted(part):
            count += 1
            ids[n] = f"node{count}"
            lines.append(f'\t{ids[n]}["{n}"]')
        inside = set(part)
        for a, b in sorted(e for e in graph.edges if e[0] in inside):
            lines.append(f"\t{ids[a]}-->{ids[b]}")
    text = "\n".join(lines)
    return f"```mermaid\n{text}\n```\n" if markdown else text + "\n"


def to_text(graph: Graph) -> str:
    """Boxes in layers (each below everything it needs), with what feeds each layer."""
    preds: dict[str, list[str]] = {n: [] for n in graph.nodes}
    for a, b in graph.edges:
        preds[b].append(a)
    blocks = []
    for part in components(graph):
        layer: dict[str, int] = {}
        for n in part:  # node order is a valid order only for stage graphs; iterate to a fixpoint
            layer[n] = 0
        changed = True
        while changed:
            changed = False
            for n in part:
                want = max((layer[p] + 1 for p in preds[n]), default=0)
                if want != layer[n]:
                    layer[n], changed = want, True
        rows = [[n for n in part if layer[n] == i] for i in range(max(layer.values()) + 1)]
        blocks.append(_draw(rows, preds))
    return "\n".join(blocks)


def _draw(rows: list[list[str]], preds: dict[str, list[str]]) -> str:
    out: list[str] = []
    for i, row in enumerate(rows):
        if i:
            for n in row:
                out.append(f"  {', '.join(preds[n])} --> {n}")
            out.append("  " + "   ".join("|".center(len(n) + 4) for n in row))
            out.append("  " + "   ".join("v".center(len(n) + 4) for n in row))
        out.append("  " + "   ".join("+" + "-" * (len(n) + 2) + "+" for n in row))
        out.append("  " + "   ".join(f"| {n} |" for n in row))
        out.append("  " + "   ".join("+" + "-" * (len(n) + 2) + "+" for n in row))
    return "\n".join(line.rstrip() for line in out) + "\n"
