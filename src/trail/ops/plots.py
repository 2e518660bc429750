"""``plots show`` and ``plots diff``: collect every plot at the asked revisions, render
Vega-Lite specs, and write one self-contained HTML page."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trail.ops.metrics import repo_paths
from trail.ops.revisions import open_revs
from trail.repo import Repo
from trail.results.declared import PlotDecl
from trail.results.plots import PlotData, PlotError, collect, expand
from trail.results.revision import WORKSPACE
from trail.results.templates import vega_lite

DEFAULT_DIR = "trail_plots"


@dataclass(frozen=True)
class Rendered:
    data: PlotData
    spec: dict[str, Any] | None  # None for images


@dataclass(frozen=True)
class PlotsResult:
    revs: tuple[str, ...]
    plots: tuple[Rendered, ...]


def diff_revs(revs: Sequence[str]) -> list[str]:
    """No revision: HEAD against the workspace; one: it against the workspace; more: those."""
    if not revs:
        return ["HEAD", WORKSPACE]
    if len(revs) == 1:
        return [revs[0], WORKSPACE]
    return list(dict.fromkeys(revs))


def plots_show(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    revs: Sequence[str] = (WORKSPACE,),
    props: Mapping[str, Any] | None = None,
) -> PlotsResult:
    """Every plot (or those ``targets`` names) drawn over ``revs``; errors are raised before
    anything is written. ``props`` (``template``, ``x``, ``y``, ``title``, ``x_label``,
    ``y_label``) override what the pipeline declares, as DVC's ``-t -x -y --title``."""
    opened = open_revs(repo, list(revs))
    paths = repo_paths(repo, targets)
    decls: dict[str, PlotDecl] = {}
    for rev in reversed(opened):  # the newest revision's props win
        for decl in expand(rev, paths):
            decls.setdefault(decl.id, decl)
    if not decls:
        raise PlotError("no plots: declare them under `plots:` in the pipeline or name a file")
    if props:
        decls = {k: PlotDecl(d.id, {**d.props, **props}, d.top_level) for k, d in decls.items()}
    rendered = []
    for decl in sorted(decls.values(), key=lambda d: _order(d, paths)):
        data = collect(decl, opened)
        rendered.append(Rendered(data, None if data.images else vega_lite(data)))
    return PlotsResult(tuple(r.name for r in opened), tuple(rendered))


def _order(decl: PlotDecl, targets: list[str]) -> tuple[int, str]:
    for n, target in enumerate(targets):
        if decl.id == target or decl.id.startswith(target.rstrip("/") + "/"):
            return n, decl.id
    return 0, decl.id


def write_html(
    result: PlotsResult,
    out_dir: str,
    cache_dir: str | None = None,
    template: str | None = None,
) -> str:
    """Write ``<out_dir>/index.html``; returns its path. ``cache_dir`` keeps the JavaScript
    bundle between runs (the repository's private dir); ``template`` is the text of an HTML
    page whose ``{plot_divs}`` receives the plots (DVC's ``--html-template``)."""
    from trail.fsutil import atomic_write_text
    from trail.results.html import javascript_bundle, render_page

    bundle = javascript_bundle(cache_dir)
    page = render_page([(r.data, r.spec) for r in result.plots], bundle, template)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "index.html")
    atomic_write_text(path, page)
    return path
