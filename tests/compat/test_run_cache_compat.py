"""``--run-cache`` between trail and the real dvc on a folder remote: a run either tool pushed
restores in a fresh clone with the other."""

from __future__ import annotations

import subprocess

import pytest

pytestmark = pytest.mark.compat

PIPELINE = """\
stages:
  make:
    cmd: cat in.txt in.txt > out.txt
    deps: [in.txt]
    outs: [out.txt]
"""


def _ok(res):
    assert res.code == 0, res.err
    return res


def _setup(repo, tool, store):
    repo.gen({"in.txt": "x\n", "dvc.yaml": PIPELINE})
    tool("repro")
    tool("remote", "add", "-d", "s", str(store))
    repo.git("add", "in.txt", "dvc.yaml", ".dvc/config", ".gitignore")
    repo.git("commit", "-q", "-m", "pipeline")  # the lock file stays out: only runs remember


def _clone(src, tmp_path_factory, monkeypatch):
    dst = tmp_path_factory.mktemp("clone") / "c"
    subprocess.run(["git", "clone", "-q", str(src), str(dst)], check=True)
    monkeypatch.chdir(dst)
    return dst


def test_trail_restores_a_run_dvc_pushed(dvc_repo, dvc, trail, tmp_path_factory, monkeypatch):
    _setup(dvc_repo, dvc, tmp_path_factory.mktemp("store"))
    dvc("push", "--run-cache", "-q")
    clone = _clone(dvc_repo, tmp_path_factory, monkeypatch)
    _ok(trail("pull", "--run-cache"))
    res = _ok(trail("repro"))
    assert "Stage 'make' is cached - skipping run" in res.out
    assert (clone / "out.txt").read_text() == "x\nx\n"


def test_dvc_restores_a_run_trail_pushed(dvc_repo, dvc, trail, tmp_path_factory, monkeypatch):
    _setup(dvc_repo, lambda *a: _ok(trail(*a)), tmp_path_factory.mktemp("store"))
    _ok(trail("push", "--run-cache"))
    clone = _clone(dvc_repo, tmp_path_factory, monkeypatch)
    dvc("fetch", "--run-cache")  # dvc fetches entries only: --pull brings their objects
    res = dvc("repro", "--pull")
    assert "Stage 'make' is cached - skipping run" in res.out
    assert (clone / "out.txt").read_text() == "x\nx\n"
