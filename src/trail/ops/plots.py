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
from trail.results.plots import Image, PlotData, PlotFailure, collect, expand
from trail.results.revision import WORKSPACE
from trail.results.templates import vega_lite


def default_dir(repo: Repo) -> str:
    """Where the page goes: ``dvc_plots`` in a DVC repository (as DVC), else ``trail_plots``."""
    return "dvc_plots" if repo.dialect.name == "dvc" else "trail_plots"


@dataclass(frozen=True)
class Rendered:
    data: PlotData
    spec: dict[str, Any] | None  # None for images, and for a plot no revision could give


@dataclass(frozen=True)
class PlotsResult:
    revs: tuple[str, ...]
    plots: tuple[Rendered, ...]
    failures: tuple[PlotFailure, ...] = ()


def diff_revs(revs: Sequence[str]) -> list[str]:
    """As DVC: no revision is HEAD against the workspace; one is it against the workspace;
    the workspace comes first wherever it is named."""
    if len(revs) < 2:
        revs = [WORKSPACE, *(revs or ["HEAD"])]
    revs = list(dict.fromkeys(revs))
    return sorted(revs, key=lambda r: r != WORKSPACE)


def plots_show(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    revs: Sequence[str] = (WORKSPACE,),
    overrides: Mapping[str, Any] | None = None,
) -> PlotsResult:
    """Every plot (or those ``targets`` names) drawn over ``revs``, ``overrides`` replacing
    their props (``-x``, ``--template`` …). A plot file missing or unreadable at some revision
    is a failure listed with the result; the rest is drawn."""
    opened = open_revs(repo, list(revs))
    paths = repo_paths(repo, targets)
    decls: dict[str, PlotDecl] = {}
    declared_at: dict[str, list[str]] = {}
    for rev in reversed(opened):  # the newest revision's props win
        for decl in expand(rev, paths):
            if overrides:
                decl = PlotDecl(decl.id, {**decl.props, **overrides}, decl.top_level)
            decls.setdefault(decl.id, decl)
            declared_at.setdefault(decl.id, []).append(rev.name)
    rendered, failures = [], []
    for decl in sorted(decls.values(), key=lambda d: _order(d, paths)):
        data, failed = collect(decl, opened, None if paths else declared_at[decl.id])
        failures += failed
        spec = None if data.images or not data.revs else vega_lite(data)
        rendered.append(Rendered(data, spec))
    return PlotsResult(tuple(r.name for r in opened), tuple(rendered), tuple(failures))


def _order(decl: PlotDecl, targets: list[str]) -> tuple[int, str]:
    for n, target in enumerate(targets):
        if decl.id == target or decl.id.startswith(target.rstrip("/") + "/"):
            return n, decl.id
    return 0, decl.id


def plots_json(result: PlotsResult, out_dir: str) -> dict[str, Any]:
    """DVC's ``plots show/diff --json``: ``{"errors": [...], "data": {id: [entry]}}`` (no
    ``errors`` key when there are none, ``{}`` when there are no plots). A Vega entry holds
    the spec; an image entry is written to ``out_dir/<rev>_<path>`` and gives that file."""
    if not result.plots:
        return {}
    out: dict[str, Any] = {}
    if result.failures:
        out["errors"] = [
            {"name": f.plot, "rev": f.rev, "source": f.source, "type": f.kind, "msg": f.message}
            for f in result.failures
        ]
    data: dict[str, Any] = {}
    for plot in result.plots:
        if plot.data.images:
            data[plot.data.id] = [_image_entry(image, out_dir) for image in plot.data.images]
        elif plot.spec is None:
            data[plot.data.id] = []
        else:
            entry = {"type": "vega", "revisions": list(plot.data.revs), "content": plot.spec}
            data[plot.data.id] = [entry]
    out["data"] = data
    return out


def _image_entry(image: Image, out_dir: str) -> dict[str, Any]:
    from trail.fsutil import atomic_write

    name = f"{image.rev}_{image.path}".replace("/", "_").replace(os.sep, "_")
    path = os.path.abspath(os.path.join(out_dir, name))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    atomic_write(path, image.data)
    return {"type": "image", "revisions": [image.rev], "url": path}


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
    drawn = [r for r in result.plots if r.spec is not None or r.data.images]
    page = render_page([(r.data, r.spec) for r in drawn], bundle, template)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "index.html")
    atomic_write_text(path, page)
    return path


def write_specs(specs: Sequence[tuple[str, dict[str, Any]]], out_dir: str) -> str:
    """A page of named Vega-Lite specs (``exp show --pcp``); returns its path."""
    plots = tuple(Rendered(PlotData(title, {}), spec) for title, spec in specs)
    return write_html(PlotsResult((), plots), out_dir)
