"""``dag``: the pipeline graph as text, Graphviz dot, or a Mermaid flowchart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trail.paths import is_inside, repo_relpath
from trail.pipeline.dag import build_dag
from trail.pipeline.load import load_pipelines
from trail.repo import Repo

if TYPE_CHECKING:
    from trail.pipeline.model import Stage


@dataclass(frozen=True)
class Graph:
    """Nodes in pipeline order and edges ``(from, to)``: ``from`` is needed by ``to``."""

    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]


@dataclass
class _Node:
    """A stage, or a pointer file (which DVC draws as a stage with no command)."""

    name: str
    file: str
    outs: list[str]
    deps: list[str] = field(default_factory=list)
    preds: list[str] = field(default_factory=list)


def dag(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    outs: bool = False,
    full: bool = False,
    cwd: str | None = None,
) -> Graph:
    """The graph of every stage and pointer file, or of ``targets`` and what they need
    (``full``: the whole connected part of the graph they are in); of outputs with ``outs``."""
    from trail.ops.stage import select_stages

    pipelines = load_pipelines(repo)
    nodes = _nodes(repo, [s for p in pipelines for s in p.stages.values()])
    names = list(nodes)
    graph = _out_graph(nodes, names) if outs else _stage_graph(nodes, names)
    if not targets:
        return graph
    chosen = [t for t in targets if t in nodes and t.endswith(repo.dialect.pointer_suffix)]
    by_out = {o: n.name for n in nodes.values() for o in n.outs}
    for target in targets:  # an output names the stage that writes it
        path = repo_relpath(repo.root, target, cwd)
        if target not in chosen and path in by_out:
            chosen.append(by_out[path])
    rest = [t for t in targets if t not in chosen and repo_relpath(repo.root, t, cwd) not in by_out]
    chosen += [s.addressing for s in select_stages(repo, pipelines, rest, cwd=cwd)]
    if outs:
        chosen = [o for name in chosen for o in nodes[name].outs]
    return _filter(graph, chosen, full)


def _filter(graph: Graph, chosen: list[str], full: bool) -> Graph:
    """``chosen`` and what they need, or (``full``) the whole parts of the graph they are in."""
    preds: dict[str, list[str]] = {n: [] for n in graph.nodes}
    for a, b in graph.edges:
        preds[b].append(a)
    wanted = set(chosen)
    stack = list(chosen)
    while stack:
        for pred in preds[stack.pop()]:
            if pred not in wanted:
                wanted.add(pred)
                stack.append(pred)
    if full:
        wanted = {n for part in components(graph) if wanted & set(part) for n in part}
    nodes = [n for n in graph.nodes if n in wanted]
    return Graph(tuple(nodes), tuple(e for e in graph.edges if e[0] in wanted and e[1] in wanted))


def _nodes(repo: Repo, stages: list[Stage]) -> dict[str, _Node]:
    """Stages and pointer files, ordered as DVC orders them: by file, then within the file."""
    from trail import index

    graph = build_dag(stages)
    found = [
        _Node(name, s.file, [o.path for o in s.outs], [d.path for d in s.deps], graph.preds[name])
        for name, s in graph.stages.items()
    ]
    pointers = [
        _Node(pf.path, pf.path, [pf.out_relpath(o) for o in pf.outs]) for pf in index.collect(repo)
    ]
    for node in found:
        for pf in pointers:
            if any(_overlap(d, o) for d in node.deps for o in pf.outs):
                node.preds.append(pf.name)
    ordered = sorted([*found, *pointers], key=lambda n: n.file)  # stable: file order kept
    return {n.name: n for n in ordered}


def _overlap(a: str, b: str) -> bool:
    return is_inside(a, b) or is_inside(b, a)


def _sorted(nodes: list[str], edges: list[tuple[str, str]]) -> Graph:
    order = {n: i for i, n in enumerate(nodes)}
    edges.sort(key=lambda e: (order[e[0]], order[e[1]]))
    return Graph(tuple(nodes), tuple(edges))


def _stage_graph(nodes: dict[str, _Node], names: list[str]) -> Graph:
    keep = set(names)
    return _sorted(names, [(p, n) for n in names for p in nodes[n].preds if p in keep])


def _out_graph(nodes: dict[str, _Node], names: list[str]) -> Graph:
    outs = [o for n in names for o in nodes[n].outs]
    edges: list[tuple[str, str]] = []
    for name in names:
        node = nodes[name]
        for src in outs:
            if any(_overlap(d, src) for d in node.deps):
                edges.extend((src, o) for o in node.outs if (src, o) not in edges)
    return _sorted(outs, edges)


def collapse_groups(graph: Graph) -> Graph:
    """One node per ``foreach``/``matrix`` group (``train`` for ``train@0``, ``train@1`` …)."""

    def group(name: str) -> str:
        return name if name.endswith((".dvc", ".trail")) else name.rsplit("@", 1)[0]

    nodes = list(dict.fromkeys(group(n) for n in graph.nodes))
    edges = list(dict.fromkeys((group(a), group(b)) for a, b in graph.edges))
    return _sorted(nodes, [e for e in edges if e[0] != e[1]])


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
