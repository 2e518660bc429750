"""params and metrics in a repository the real dvc made and ran: trail reads the same values,
including metrics dvc cached (git-ignored) at older revisions."""

from __future__ import annotations

import json
import sys

import pytest

pytestmark = pytest.mark.compat

TRAIN = """\
import json, sys, yaml
p = yaml.safe_load(open("params.yaml"))
json.dump({"acc": p["lr"] * 2, "nested": {"loss": 1 - p["lr"]}}, open("metrics.json", "w"))
open("log.csv", "w").write("step,acc\\n0,0.1\\n1," + str(p["lr"]) + "\\n")
"""


@pytest.fixture
def ran_twice(dvc_repo, dvc):
    dvc_repo.scm_gen({"train.py": TRAIN, "params.yaml": "lr: 0.25\nmodel: {depth: 3}\n"})
    py = sys.executable
    dvc(
        "stage", "add", "-q", "-n", "train", "-d", "train.py", "-p", "lr,model",
        "-m", "metrics.json", "--plots", "log.csv", f"{py} train.py",
    )  # fmt: skip
    dvc("repro", "-q")
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "first run")
    dvc_repo.gen("params.yaml", "lr: 0.5\nmodel: {depth: 4}\n")
    dvc("repro", "-q")
    return dvc_repo


def test_metrics_diff_matches_dvc_with_cached_metrics(ran_twice, dvc, trail):
    assert "metrics.json" not in ran_twice.git("ls-files")  # dvc cached it, Git ignores it
    theirs = json.loads(dvc("metrics", "diff", "--json").out)
    res = trail("metrics", "diff", "--json")
    assert res.code == 0, res.err
    ours = json.loads(res.out)
    for entry in ours["metrics.json"].values():
        entry.pop("rel", None)  # trail's extra: the relative change
    assert ours == theirs


def test_metrics_show_matches_dvc(ran_twice, dvc, trail):
    theirs = json.loads(dvc("metrics", "show", "-a", "--json").out)
    ours = json.loads(trail("metrics", "show", "-a", "--json").out)
    assert ours == theirs


def test_params_diff_matches_dvc(ran_twice, dvc, trail):
    theirs = json.loads(dvc("params", "diff", "--all", "--json").out)
    ours = json.loads(trail("params", "diff", "--all", "--json").out)
    assert ours == theirs


def test_plots_of_a_dvc_pipeline(ran_twice, trail):
    pytest.importorskip("vl_convert")
    res = trail("plots", "diff", "--json")
    assert res.code == 0, res.err
    rows = json.loads(res.out)["data"]["log.csv"][0]["content"]["data"]["values"]
    assert {(r["rev"], r["y"]) for r in rows if r["x"] == 1} == {("HEAD", 0.25), ("workspace", 0.5)}


def test_yaml_values_read_as_dvc_reads_them(dvc_repo, dvc, trail):
    dvc_repo.scm_gen("params.yaml", "lr: 1e-2\nold: 010\nflag: yes\n", commit="params")
    dvc_repo.gen("params.yaml", "lr: 1e-3\nold: 0x10\nflag: no\n")
    theirs = json.loads(dvc("params", "diff", "--json").out)
    ours = json.loads(trail("params", "diff", "--json").out)
    assert ours == theirs
