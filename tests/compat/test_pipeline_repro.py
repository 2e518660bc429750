"""trail and the real dvc 3.67.1 on one pipeline: each sees what the other ran as up to date,
writes the same lock file, and restores from the other's run-cache."""

from __future__ import annotations

import json
import os
import shutil

import pytest

PIPELINE = """\
vars:
  - sizes: [1, 2]
stages:
  prepare:
    cmd: mkdir -p data && cp raw.txt data/a.txt && echo more > data/b.txt
    deps:
    - raw.txt
    outs:
    - data
  featurize:
    foreach: ${sizes}
    do:
      cmd: cat data/a.txt > feat_${item}.txt && echo ${item} >> feat_${item}.txt
      deps:
      - data
      outs:
      - feat_${item}.txt
  train:
    matrix:
      lr: [0.1, 0.2]
      depth: [3]
    cmd: cat feat_1.txt feat_2.txt > model_${item.lr}_${item.depth}.bin
    deps:
    - feat_1.txt
    - feat_2.txt
    outs:
    - model_${item.lr}_${item.depth}.bin
  report:
    cmd: echo "a long command line, longer than the eighty columns YAML wraps at" > report.txt &&
      echo 'with quotes of both kinds' >> report.txt
    deps:
    - raw.txt
    outs:
    - report.txt
  evaluate:
    cmd: >-
      echo '{"acc": 0.9, "lr": 0.1}' > metrics.json &&
      printf 'step,loss\\n1,0.5\\n2,0.3\\n' > loss.csv
    deps:
    - model_0.1_3.bin
    params:
    - train.lr
    - seed
    - extra.json:
      - alpha
    metrics:
    - metrics.json:
        cache: false
    plots:
    - loss.csv:
        x: step
        y: loss
"""
FILES = {
    "raw.txt": "raw\n",
    "params.yaml": "seed: 7\ntrain:\n  lr: 0.1\n  epochs: 3\n",
    "extra.json": '{"alpha": 1, "beta": 2}',
    "dvc.yaml": PIPELINE,
}
STAGES = [
    "prepare",
    "featurize@1",
    "featurize@2",
    "train@0.1-3",
    "train@0.2-3",
    "report",
    "evaluate",
]


@pytest.fixture
def pipe(dvc_repo):
    dvc_repo.scm_gen(FILES, commit="pipeline")
    return dvc_repo


def _ran(out: str) -> list[str]:
    return [line.split("'")[1] for line in out.splitlines() if line.startswith("Running stage")]


def test_dvc_sees_trails_repro_as_up_to_date(pipe, trail, dvc):
    res = trail("repro")
    assert res.code == 0, res.err
    assert sorted(_ran(res.out)) == sorted(STAGES)
    assert json.loads(dvc("status", "--json").out) == {}
    res = dvc("repro")
    assert _ran(res.out) == []
    assert "didn't change" in res.out


def test_trail_sees_dvcs_repro_as_up_to_date_and_writes_the_same_lock(pipe, trail, dvc):
    dvc("repro")
    by_dvc = (pipe / "dvc.lock").read_text()
    assert trail("status", "--json").out.strip() == "{}"
    res = trail("repro")
    assert res.code == 0 and _ran(res.out) == []
    assert (pipe / "dvc.lock").read_text() == by_dvc
    for jobs in ("1", "3"):  # stages finish in another order with -j: same bytes
        os.remove(pipe / "dvc.lock")
        res = trail("repro", "--no-run-cache", "-j", jobs)
        assert res.code == 0, res.err
        assert (pipe / "dvc.lock").read_text() == by_dvc


def test_each_restores_from_the_others_run_cache(pipe, trail, dvc):
    assert trail("repro").code == 0
    os.remove(pipe / "dvc.lock")
    os.remove(pipe / "model_0.1_3.bin")
    shutil.rmtree(pipe / "data")
    res = dvc("repro")
    assert _ran(res.out) == []  # trail cached even the uncached metric, as dvc does
    assert "is cached - skipping run" in res.out
    assert (pipe / "model_0.1_3.bin").exists()
    by_dvc = (pipe / "dvc.lock").read_text()
    os.remove(pipe / "dvc.lock")
    os.remove(pipe / "feat_1.txt")
    res = trail("repro")
    assert res.code == 0, res.err
    assert "Stage 'featurize@1' is cached - skipping run" in res.out
    assert (pipe / "dvc.lock").read_text() == by_dvc
    assert json.loads(dvc("status", "--json").out) == {}


def test_status_agrees_after_a_change(pipe, trail, dvc):
    assert json.loads(trail("status", "--json").out) == json.loads(dvc("status", "--json").out)
    dvc("repro")
    (pipe / "params.yaml").write_text("seed: 8\ntrain:\n  lr: 0.1\n  epochs: 3\n")
    (pipe / "raw.txt").write_text("new\n")
    assert json.loads(trail("status", "--json").out) == json.loads(dvc("status", "--json").out)


def test_checkout_of_stage_outputs_both_ways(pipe, trail, dvc):
    assert trail("repro").code == 0
    for tool in ("dvc", "trail"):
        os.remove(pipe / "model_0.1_3.bin")
        shutil.rmtree(pipe / "data")
        if tool == "dvc":
            dvc("checkout")
        else:
            assert trail("checkout").code == 0
        assert (pipe / "data" / "a.txt").read_text() == "raw\n"
        assert (pipe / "model_0.1_3.bin").exists()
        assert json.loads(dvc("status", "--json").out) == {}
