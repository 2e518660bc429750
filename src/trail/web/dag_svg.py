"""The pipeline graph as SVG, laid out here (no graph JavaScript in the page).

A small layered layout: each node goes one layer below the lowest of its inputs (longest path
from the sources), an edge that skips layers gets a waypoint in each one it crosses, and the
order inside each layer is improved by a few sweeps of the barycenter heuristic, which keeps
edges short and crossings few. Edges are smooth curves through their waypoints.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

NODE_H = 34
LAYER_GAP = 64
NODE_GAP = 28
WAYPOINT_W = 8
CHAR_W = 7.4
PAD = 16
SWEEPS = 8
BIG = 1500  # links: past this, two sweeps and no counting of crossings (quadratic)


@dataclass(frozen=True, slots=True)
class Box:
    name: str
    x: float  # left
    y: float  # top
    w: float
    real: bool = True  # False: a waypoint of a long edge

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass(frozen=True)
class Layout:
    boxes: dict[str, Box]
    edges: tuple[tuple[str, str, tuple[str, ...]], ...]  # from, to, waypoints between
    width: float
    height: float


def layers(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Each node one layer below its lowest input (sources at 0)."""
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        preds[b].append(a)
    layer: dict[str, int] = {}

    def depth(n: str) -> int:
        stack = [n]
        while stack:
            top = stack[-1]
            waiting = [p for p in preds[top] if p not in layer]
            if waiting:
                stack += waiting
                continue
            stack.pop()
            layer[top] = max((layer[p] + 1 for p in preds[top]), default=0)
        return layer[n]

    for n in nodes:
        if n not in layer:
            depth(n)
    return layer


def layout(
    nodes: Sequence[str], edges: Sequence[tuple[str, str]], labels: Mapping[str, str]
) -> Layout:
    layer = layers(nodes, edges)
    rows: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for n in nodes:
        rows[layer[n]].append(n)
    routed, ups = _waypoints(edges, layer, rows)
    _order(rows, ups)
    widths = {n: max(80.0, len(labels.get(n, n)) * CHAR_W + 24) for n in nodes}
    row_w = [sum(widths.get(n, WAYPOINT_W) for n in r) + NODE_GAP * (len(r) - 1) for r in rows]
    width = max(row_w, default=0) + 2 * PAD
    boxes: dict[str, Box] = {}
    for i, row in enumerate(rows):
        x = PAD + (width - 2 * PAD - row_w[i]) / 2
        for n in row:
            w = widths.get(n, WAYPOINT_W)
            boxes[n] = Box(n, x, PAD + i * (NODE_H + LAYER_GAP), w, n in widths)
            x += w + NODE_GAP
    height = 2 * PAD + len(rows) * NODE_H + max(len(rows) - 1, 0) * LAYER_GAP
    return Layout(boxes, tuple(routed), width, height)


def _waypoints(
    edges: Sequence[tuple[str, str]], layer: dict[str, int], rows: list[list[str]]
) -> tuple[list[tuple[str, str, tuple[str, ...]]], dict[str, list[str]]]:
    """Edges with one waypoint per layer they cross; ``ups``: each node's neighbours one
    layer up (waypoints included), for ordering."""
    routed = []
    ups: dict[str, list[str]] = {}
    for k, (a, b) in enumerate(edges):
        chain = [a]
        for level in range(layer[a] + 1, layer[b]):
            point = f"\0{k}:{level}"
            rows[level].append(point)
            chain.append(point)
        chain.append(b)
        for upper, lower in itertools.pairwise(chain):
            ups.setdefault(lower, []).append(upper)
        routed.append((a, b, tuple(chain[1:-1])))
    return routed, ups


def _order(rows: list[list[str]], ups: dict[str, list[str]]) -> None:
    """Barycenter sweeps, down then up, keeping the order that crosses least."""
    downs: dict[str, list[str]] = {}
    for lower, uppers in ups.items():
        for upper in uppers:
            downs.setdefault(upper, []).append(lower)
    big = sum(len(v) for v in ups.values()) > BIG
    best = [list(r) for r in rows]
    best_cost = 0 if big else _crossings(rows, ups)
    for sweep in range(2 if big else SWEEPS):
        down = sweep % 2 == 0
        order = range(1, len(rows)) if down else range(len(rows) - 2, -1, -1)
        for i in order:
            near = rows[i - 1] if down else rows[i + 1]
            rows[i] = _by_barycenter(rows[i], near, ups if down else downs)
        if big:
            best = [list(r) for r in rows]
            continue
        cost = _crossings(rows, ups)
        if cost < best_cost:
            best, best_cost = [list(r) for r in rows], cost
    rows[:] = best


def _by_barycenter(row: list[str], near: list[str], links: dict[str, list[str]]) -> list[str]:
    """``row`` ordered by the mean position of each node's neighbours in ``near`` (a node
    without any keeps its place)."""
    pos = {n: j for j, n in enumerate(near)}
    here = {n: j for j, n in enumerate(row)}

    def center(n: str) -> float:
        found = [pos[m] for m in links.get(n, []) if m in pos]
        return sum(found) / len(found) if found else here[n]

    return sorted(row, key=center)


def _crossings(rows: list[list[str]], ups: dict[str, list[str]]) -> int:
    count = 0
    for i in range(1, len(rows)):
        above = {n: j for j, n in enumerate(rows[i - 1])}
        pairs = [(above[u], j) for j, n in enumerate(rows[i]) for u in ups.get(n, []) if u in above]
        for k, (a1, b1) in enumerate(pairs):
            for a2, b2 in pairs[k + 1 :]:
                if (a1 - a2) * (b1 - b2) < 0:
                    count += 1
    return count


def render(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    classes: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    *,
    label: str = "pipeline graph",
) -> str:
    """``<svg>`` with a ``<g class="node …" data-name="…">`` per node (``classes`` adds the
    state's class) and a ``<path class="edge">`` per edge, arrows pointing at the node that
    needs the other."""
    labels = labels or {}
    titles = titles or {}
    lay = layout(nodes, edges, labels)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dag" width="{lay.width:.0f}" '
        f'height="{lay.height:.0f}" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" role="img" '
        f'aria-label="{html.escape(label)}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>'
        "</defs>",
    ]
    for a, b, via in lay.edges:
        parts.append(f'<path class="edge" d="{_path(lay, a, b, via)}" marker-end="url(#arrow)"/>')
    for n in nodes:
        box = lay.boxes[n]
        label = html.escape(labels.get(n, n))
        title = html.escape(titles.get(n, n))
        parts.append(
            f'<g class="node {html.escape(classes.get(n, ""))}" data-name="{html.escape(n)}" '
            f'tabindex="0"><title>{title}</title>'
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{NODE_H}"/>'
            f'<text x="{box.cx:.1f}" y="{box.y + NODE_H / 2 + 4.5:.1f}" '
            f'text-anchor="middle">{label}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _path(lay: Layout, a: str, b: str, via: tuple[str, ...]) -> str:
    """A curve from the bottom of ``a`` through the waypoints to the top of ``b``."""
    start, end = lay.boxes[a], lay.boxes[b]
    points = [(start.cx, start.y + NODE_H)]
    for w in via:
        box = lay.boxes[w]
        points += [(box.cx, box.y), (box.cx, box.y + NODE_H)]
    points.append((end.cx, end.y - 1))
    d = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        mid = (y1 + y2) / 2
        d.append(f"C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2:.1f}")
    return " ".join(d)
