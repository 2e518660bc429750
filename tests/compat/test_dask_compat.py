"""``trail repro --executor dask`` in a repository made by the real dvc: the same ``dvc.lock``
bytes as ``dvc repro`` writes, and ``dvc status`` clean afterwards."""

from __future__ import annotations

import shutil

import pytest

from trail.testing.plugin import run_main

pytestmark = pytest.mark.compat

PIPELINE = """\
stages:
  prep:
    cmd: python3 src/prep.py
    deps: [src/prep.py, data/raw.txt]
    params: [seed]
    outs: [prepared]
  count:
    cmd: wc -c < data/raw.txt > count.txt
    deps: [data/raw.txt]
    outs: [count.txt]
  report:
    cmd: cat prepared/a.txt count.txt > report.txt
    deps: [prepared, count.txt]
    outs: [report.txt]
"""
PREP = """\
import os
seed = open("params.yaml").read().split(":")[1].strip()
os.makedirs("prepared", exist_ok=True)
open("prepared/a.txt", "w").write(open("data/raw.txt").read().upper() + seed)
"""


def test_cluster_run_writes_dvcs_lock_and_dvc_sees_it_clean(
    dvc_repo, dvc, dask_cluster, shared_folder, monkeypatch, tmp_path_factory
):
    dvc_repo.gen({"src": {"prep.py": PREP}, "params.yaml": "seed: 3\n", "dvc.yaml": PIPELINE})
    dvc_repo.gen({"data": {"raw.txt": "raw\n"}})
    dvc("add", "-q", "data/raw.txt")
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "pipeline")
    by_dvc = tmp_path_factory.mktemp("by-dvc") / "repo"
    shutil.copytree(dvc_repo, by_dvc, symlinks=True)
    monkeypatch.chdir(by_dvc)
    dvc("repro", "-q")
    monkeypatch.chdir(dvc_repo)
    assert run_main("remote", "add", "-d", "store", str(shared_folder / "dvc-compat")).code == 0

    res = run_main("repro", "--executor", "dask", "--scheduler", dask_cluster.address)

    assert res.code == 0, res.err
    assert (dvc_repo / "dvc.lock").read_bytes() == (by_dvc / "dvc.lock").read_bytes()
    assert (dvc_repo / "report.txt").read_bytes() == (by_dvc / "report.txt").read_bytes()
    assert "Data and pipelines are up to date." in dvc("status").out
    assert dask_cluster.opened_under(dvc_repo) == []
