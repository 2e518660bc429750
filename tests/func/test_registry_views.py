"""The registry's data for pages (``trail.registry.views``): plain JSON, one call each."""

from __future__ import annotations

import json

from registry_helpers import make_model_project, new_version, tick

from trail.registry import views
from trail.repo import Repo


def test_views_are_json_ready(trail_repo, trail, monkeypatch):
    make_model_project(trail_repo, trail, monkeypatch)
    new_version(trail_repo, trail, monkeypatch, 0.5)
    tick(monkeypatch)
    assert trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "prod").code == 0
    repo = Repo.find(".")
    try:
        found = {
            "models": views.models(repo),
            "versions": views.versions(repo, "clf"),
            "stages": views.stages(repo, "clf"),
            "lineage": views.lineage(repo, "clf#prod"),
            "history": views.history(repo, "clf"),
        }
    finally:
        repo.close()
    assert json.loads(json.dumps(found)) == found  # nothing but JSON values
    (model,) = found["models"]
    assert (model["name"], model["path"], model["latest"], model["versions"]) == (
        "clf",
        "model.json",
        "v0.1.0",
        2,
    )
    assert model["stages"]["prod"]["version"] == "v0.0.1"
    assert [v["version"] for v in found["versions"]] == ["v0.1.0", "v0.0.1"]
    assert found["versions"][1]["stages"] == ["prod"]
    assert found["lineage"]["lineage"]["produced_by"] == "train"
    assert found["lineage"]["metrics"]["metrics.json"]["shrink"] == 1.0
    assert found["history"][0]["event"] == "assignment"
    repo = Repo.find(".")
    assert views.versions(repo, "nope") == [] and views.stages(repo, "nope") == {}
    repo.close()
