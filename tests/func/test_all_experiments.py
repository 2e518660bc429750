"""``--all-experiments``: data of commits under ``refs/exps/<baseline[:2]>/<baseline[2:]>/<name>``
(made here with plain git) for push, fetch, gc and ``status -c``."""

from __future__ import annotations

import json
import shutil

import pytest

from trail.ops.used import experiment_commits
from trail.scm.git import Git


def _ok(res):
    assert res.code == 0, res.err
    return res


def _objects(root):
    return {p.name for p in root.rglob("*") if p.is_file() and p.name != ".trail-gc"}


@pytest.fixture
def exp(trail_repo, trail, tmp_path_factory):
    """main holds data v1; an experiment commit on top of it holds v2 (only under refs/exps)."""
    trail_repo.gen({"data": {"a.txt": "v1"}})
    _ok(trail("add", "data"))
    store = tmp_path_factory.mktemp("store")
    _ok(trail("remote", "add", "-d", "s", str(store)))
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "v1")
    baseline = trail_repo.git("rev-parse", "HEAD").strip()
    trail_repo.gen({"data": {"a.txt": "v2 of an experiment"}})
    _ok(trail("add", "data"))
    trail_repo.git("commit", "-q", "-am", "exp")
    sha = trail_repo.git("rev-parse", "HEAD").strip()
    trail_repo.git("update-ref", f"refs/exps/{baseline[:2]}/{baseline[2:]}/lucky-lark", sha)
    trail_repo.git("update-ref", "refs/exps/exec/EXEC_BASELINE", sha)  # not an experiment
    trail_repo.git("reset", "-q", "--hard", baseline)
    _ok(trail("checkout", "-f"))
    trail_repo.store = store
    trail_repo.exp_sha = sha
    return trail_repo


def test_experiment_commits_follow_the_spec_layout(exp):
    assert experiment_commits(Git(str(exp))) == [exp.exp_sha]


def test_push_and_fetch_all_experiments(exp, trail):
    _ok(trail("push"))
    workspace_only = _objects(exp.store)
    _ok(trail("push", "--all-commits"))  # experiments are not the project's commits
    assert _objects(exp.store) == workspace_only
    assert "2 files pushed" in _ok(trail("push", "--all-experiments")).out
    shutil.rmtree(exp / ".trail" / "cache")
    _ok(trail("fetch", "--all-experiments"))
    assert len(_objects(exp / ".trail" / "cache")) == 4  # two manifests, two files


def test_gc_keeps_experiments_only_when_asked(exp, trail):
    cache = exp / ".trail" / "cache"
    before = _objects(cache)
    _ok(trail("gc", "--all-experiments", "-w", "-f"))
    assert _objects(cache) == before
    _ok(trail("gc", "--all-commits", "-f"))
    assert len(_objects(cache)) == len(before) - 2


def test_status_cloud_all_experiments(exp, trail):
    _ok(trail("push"))
    assert json.loads(_ok(trail("status", "-c", "--json")).out) == {}
    status = json.loads(_ok(trail("status", "-c", "--json", "--all-experiments")).out)
    assert sorted(status.values()) == ["new", "new"]
