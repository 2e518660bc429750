"""A small real model project for registry, bundle and serving tests: a prepare stage, a train
stage writing a nearest-centroid model, a metrics file, and a serving loader; plus helpers to
give each registry action its own second (GTO orders tags by their time, to the second)."""

from __future__ import annotations

import itertools
import os
import shutil

import pytest

from trail.testing.plugin import GIT_ENV, TmpDir, run_main

PREPARE = """\
import json, os, random, sys
rng = random.Random(int(sys.argv[1]))
rows = [(c, rng.gauss(m, 0.3), rng.gauss(m / 2, 0.3))
        for c, m in (("a", 2), ("b", 6)) for _ in range(20)]
os.makedirs("data", exist_ok=True)
json.dump(rows, open("data/rows.json", "w"))
"""

TRAIN = """\
import json, sys
shrink = float(sys.argv[1])
rows = json.load(open("data/rows.json"))
model = {c: [shrink * sum(r[i + 1] for r in rows if r[0] == c) / 20 for i in range(2)]
         for c in "ab"}
json.dump(model, open("model.json", "w"))
json.dump({"shrink": shrink, "rows": len(rows)}, open("metrics.json", "w"))
"""

SERVE = """\
import json


class Model:
    def __init__(self, centroids):
        self.c = centroids

    def predict(self, records):
        if any("boom" in r for r in records):
            raise ValueError("boom asked for")
        return [min(self.c, key=lambda k: self.distance(k, r)) for r in records]

    def distance(self, k, r):
        return (self.c[k][0] - r["x"]) ** 2 + (self.c[k][1] - r["y"]) ** 2


def load(path):
    with open(path) as f:
        return Model(json.load(f))
"""

PARAMS = "prepare:\n  seed: 1\ntrain:\n  shrink: 1.0  # how far the centroids are pulled in\n"


def pipeline() -> str:
    return """\
# the model pipeline
stages:
  prepare:
    cmd: python3 src/prepare.py ${prepare.seed}
    deps: [src/prepare.py]
    params: [prepare.seed]
    outs: [data]
  train:
    cmd: python3 src/train.py ${train.shrink}
    deps: [src/train.py, data]
    params: [train.shrink]
    outs: [model.json]
    metrics:
    - metrics.json:
        cache: false
"""


_clock = itertools.count(1_750_000_000, 10)


def tick(monkeypatch) -> None:
    """Give the next Git object a time of its own (tags and commits, ten seconds apart)."""
    stamp = f"{next(_clock)} +0000"
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)


def make_model_project(tmp, trail, monkeypatch, pipeline_file: str = "trail.yaml") -> None:
    """Version v0.0.1 (shrink 1.0) registered; the workspace holds its run's outputs."""
    tmp.gen(
        {
            "src": {"prepare.py": PREPARE, "train.py": TRAIN, "serve.py": SERVE},
            "params.yaml": PARAMS,
            pipeline_file: pipeline(),
        }
    )
    assert trail("repro").code == 0
    res = trail(
        "artifacts",
        "add",
        "clf",
        "model.json",
        "--type",
        "model",
        "--desc",
        "centroids",
        "--meta",
        "serve=src/serve.py:load",
    )
    assert res.code == 0, res.err
    tick(monkeypatch)
    tmp.git("add", "-A")
    tmp.git("commit", "-q", "-m", "model v1")
    tick(monkeypatch)
    res = trail("artifacts", "register", "clf")
    assert res.code == 0, res.err


def new_version(tmp, trail, monkeypatch, shrink: float, bump: str = "minor") -> None:
    """Retrain with another ``train.shrink``, commit, register the next version."""
    text = (tmp / "params.yaml").read_text()
    head, _, rest = text.partition("shrink: ")
    (tmp / "params.yaml").write_text(f"{head}shrink: {shrink}" + rest[rest.index(" ") :])
    assert trail("repro").code == 0
    tick(monkeypatch)
    tmp.git("commit", "-q", "-am", f"model shrink {shrink}")
    tick(monkeypatch)
    res = trail("artifacts", "register", "clf", "--bump", bump)
    assert res.code == 0, res.err


def tags(tmp) -> list[str]:
    return tmp.git("tag", "-l").split()


def env_without_dates() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.endswith("_DATE")}


@pytest.fixture(scope="session", name="model_template")
def model_template_fixture(tmp_path_factory):
    """``make_model_project`` done once (in a trail repository made as ``trail_repo`` makes
    one, with the same isolated environment); ``project`` fixtures copy it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp_path_factory.mktemp("template-home")))
        for key, value in GIT_ENV.items():
            mp.setenv(key, value)
        root = TmpDir(tmp_path_factory.mktemp("template"))
        mp.chdir(root)
        root.git("init", "-q", "-b", "main")
        assert run_main("init").code == 0
        root.git("add", "-A")
        root.git("commit", "-q", "-m", "init trail")
        make_model_project(root, run_main, mp)
    return root


def copy_project(template, tmp_dir):
    """The template's repository, workspace, cache and run logs, in this test's directory."""
    shutil.copytree(template, tmp_dir, symlinks=True, dirs_exist_ok=True)
    return tmp_dir
