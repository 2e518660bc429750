"""A pipeline repository for the cluster tests, and its twin run locally for comparison."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from trail.testing.plugin import TmpDir, run_main
from trail.testing.servers import S3_KEY, S3_SECRET

_ids = itertools.count()

PREP = """\
import os, sys
seed = open("params.yaml").read().split(":")[1].strip()
raw = open("data/raw.txt").read()
os.makedirs("prepared", exist_ok=True)
open("prepared/a.txt", "w").write(raw.upper() + seed + "\\n")
open("prepared/b.txt", "w").write(raw[::-1])
print("prepared with seed", seed)
"""

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
    cmd: 'cat prepared/a.txt count.txt > report.txt && echo ''{"n": 3}'' > metrics.json'
    deps: [prepared, count.txt]
    outs: [report.txt]
    metrics:
    - metrics.json: {cache: false}
"""


def make_pipeline(repo: TmpDir, pipeline_file: str = "trail.yaml") -> None:
    """Code, params and a tracked data file, committed (the lock file not yet)."""
    repo.gen({"src": {"prep.py": PREP}, "params.yaml": "seed: 7\n", pipeline_file: PIPELINE})
    repo.gen({"data": {"raw.txt": "some raw data\n"}})
    res = run_main("add", "data/raw.txt")
    assert res.code == 0, res.err
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "pipeline")


def configure_remote(kind: str, folder: Path, request: pytest.FixtureRequest) -> None:
    """A default remote 'store' the workers reach: a folder outside the hidden tree, or S3."""
    n = next(_ids)
    if kind == "folder":
        assert run_main("remote", "add", "-d", "store", str(folder / f"r{n}")).code == 0
        return
    server = request.getfixturevalue("s3_server")
    server.make_bucket(f"dask-{n}")
    assert run_main("remote", "add", "-d", "store", f"s3://dask-{n}/store").code == 0
    for key, value in (
        ("endpointurl", server.endpoint),
        ("access_key_id", S3_KEY),
        ("secret_access_key", S3_SECRET),
    ):
        assert run_main("remote", "modify", "store", key, value).code == 0


def twin(repo: Path, dest: Path) -> Path:
    """A copy of the repository (workspace, cache, Git) to run locally side by side."""
    shutil.copytree(repo, dest, symlinks=True)
    return dest
