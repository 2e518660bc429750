"""Plots: every plot the pipeline files define, drawn for the workspace and any revisions or
experiments chosen, overlaid — what ``trail plots diff`` draws, kept up to date."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trail.repo import Repo
from trail.web.page import Api, Call, Page


def plots(call: Call) -> dict[str, Any]:
    """What ``plots diff`` draws for the ``rev``s asked (none: HEAD and the workspace, or the
    workspace alone in a repository without commits)."""
    from trail.ops.plots import diff_revs

    revs = call.args("rev")
    git = call.repo.scm
    if not revs and (git is None or not git.has_commits()):
        revs = ["workspace"]
    return drawn(call.repo, diff_revs(revs) if revs != ["workspace"] else revs)


def drawn(repo: Repo, revs: Sequence[str], labels: dict[str, str] | None = None) -> dict[str, Any]:
    """``{"revs", "plots": [{"id", "spec" | None, "images": [{rev, path, src}]}], "message"}``."""
    from trail.ops.plots import plots_show
    from trail.results.html import data_uri
    from trail.results.plots import PlotError

    try:
        result = plots_show(repo, revs=list(revs))
    except PlotError as exc:
        if not str(exc).startswith("no plots"):
            raise
        return {"revs": list(revs), "plots": [], "message": str(exc)}
    out = []
    for plot in result.plots:
        images = [{"rev": i.rev, "path": i.path, "src": data_uri(i)} for i in plot.data.images]
        spec = plot.spec
        if spec is not None:  # the bundled Vega-Lite reads v5 specs; naming v5 only warns
            spec = {k: v for k, v in spec.items() if k != "$schema"}
        out.append({"id": plot.data.id, "spec": spec, "images": images})
    return {"revs": list(result.revs), "plots": out, "message": None}


def revisions(call: Call) -> dict[str, Any]:
    """Names a user may pick: branches, tags, recent commits, and experiments (newest first)."""
    from trail.scm.refs import list_refs

    git = call.repo.scm
    if git is None or not git.has_commits():
        return {"branches": [], "tags": [], "commits": [], "experiments": []}
    refs = list_refs(git, "refs/heads/", "refs/tags/")
    log = git.run("log", "-n30", "--format=%H%x00%ct%x00%s", "HEAD").splitlines()
    commits = [
        dict(zip(("sha", "time", "subject"), line.split("\0", 2), strict=True)) for line in log
    ]
    from trail.scm.exprefs import experiments

    exps = experiments(git)[:500]
    return {
        "branches": [
            r.name.removeprefix("refs/heads/") for r in refs if r.name.startswith("refs/heads/")
        ],
        "tags": [
            r.name.removeprefix("refs/tags/") for r in refs if r.name.startswith("refs/tags/")
        ],
        "commits": commits,
        "experiments": [{"name": e.name, "sha": e.sha, "baseline": e.baseline} for e in exps],
    }


PAGE = Page(
    path="/plots",
    title="Plots",
    script="plots.js",
    order=30,
    charts=True,
    api={"plots": Api(plots, cached=True), "revisions": Api(revisions, cached=True)},
)
