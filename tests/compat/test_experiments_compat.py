"""Experiments between trail and the real dvc 3.67.1 in one DVC repository: each lists and
shows what the other ran, ``dvc exp apply`` restores a trail experiment (and the reverse), and
both write the same bytes for the same ``-S``."""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "func"))
from exp_helpers import PARAMS, TRAIN, exp_refs, flat_rows, pipeline

pytestmark = pytest.mark.compat


@pytest.fixture
def project(dvc_repo):
    dvc_repo.gen({"train.py": TRAIN, "params.yaml": PARAMS, "dvc.yaml": pipeline("dvc.yaml")})
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "pipeline")
    return dvc_repo


def _dvc_exps(dvc) -> dict[str, dict]:
    """``dvc exp show --json`` flattened to name → data of each experiment."""
    out = {}
    for baseline in json.loads(dvc("exp", "show", "--json").out):
        for group in baseline.get("experiments") or []:
            for rev in group["revs"]:
                out[rev["name"]] = rev["data"]
    return out


def test_dvc_lists_and_shows_trail_experiments(project, trail, dvc):
    for name, lr in (("t-low", "0.2"), ("t-high", "0.3")):
        res = trail("exp", "run", "-n", name, "-S", f"train.lr={lr}")
        assert res.code == 0, res.err
    assert dvc("exp", "list", "--name-only").out.split() == ["t-high", "t-low"]
    shown = _dvc_exps(dvc)
    assert set(shown) == {"t-low", "t-high"}
    low = shown["t-low"]
    assert low["params"]["params.yaml"]["data"]["train"] == {"lr": 0.2, "epochs": 3}
    assert low["metrics"]["metrics.json"]["data"] == {"acc": 0.6, "loss": {"train": 0.8}}
    assert low["rev"] == exp_refs(project)["t-low"]


def test_trail_shows_dvc_experiments(project, trail, dvc):
    dvc("exp", "run", "-n", "d-one", "-S", "train.lr=0.4")
    assert trail("exp", "list", "--name-only").out.split() == ["d-one"]
    rows = {r["name"]: r for r in flat_rows(json.loads(trail("exp", "show", "--json").out))}
    d = rows["d-one"]
    assert d["type"] == "experiment" and d["rev"] == exp_refs(project)["d-one"]
    assert d["params"]["params.yaml"] == {"train.lr": 0.4, "train.epochs": 3}
    assert d["metrics"]["metrics.json"] == {"acc": 1.2, "loss.train": 0.6}
    assert len(d["deps"]["train.py"]) == 32  # md5, as dvc recorded it


def test_dvc_applies_a_trail_experiment_and_trail_a_dvc_one(project, trail, dvc):
    assert trail("exp", "run", "-n", "t-exp", "-S", "train.lr=0.2").code == 0
    dvc("exp", "run", "-n", "d-exp", "-S", "train.lr=0.5")
    dvc("exp", "apply", "t-exp")
    assert "lr: 0.2" in (project / "params.yaml").read_text()
    assert (project / "model.bin").read_text() == "model lr=0.2 epochs=3\n"
    assert dvc("status", "--json").out.strip() == "{}"
    res = trail("exp", "apply", "d-exp")
    assert res.code == 0, res.err
    assert "lr: 0.5" in (project / "params.yaml").read_text()
    assert (project / "model.bin").read_text() == "model lr=0.5 epochs=3\n"
    assert trail("status", "--json").out.strip() == "{}"
    assert dvc("status", "--json").out.strip() == "{}"


def test_same_set_param_bytes(project, trail, dvc):
    dvc("exp", "run", "-n", "d", "-S", "train.lr=0.25", "-S", "+train.seed=7")
    by_dvc = (project / "params.yaml").read_bytes()
    project.git("checkout", "-q", "--", "params.yaml")
    assert trail("exp", "run", "-n", "t", "-S", "train.lr=0.25", "-S", "+train.seed=7").code == 0
    assert (project / "params.yaml").read_bytes() == by_dvc
