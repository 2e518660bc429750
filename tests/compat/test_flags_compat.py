"""Flags DVC users type, each run by the real dvc and by trail on twin repositories: the
same files moved, written or listed."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.compat

PIPELINE = """\
stages:
  prepare:
    cmd: mkdir -p data && cp in.txt data/clean.txt
    deps: [in.txt]
    outs: [data]
  train:
    cmd: cp data/clean.txt model.pkl && echo 1 > metrics.json
    deps: [data]
    outs: [model.pkl]
    metrics:
    - metrics.json
"""


@pytest.fixture
def twins(dvc_repo, dvc, tmp_path_factory, monkeypatch):
    dvc_repo.gen({"in.txt": "in\n", "dvc.yaml": PIPELINE, "raw": {"a.csv": "1\n", "b.csv": "2\n"}})
    dvc("repro", "-q")
    dvc("add", "-q", "raw")
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "pipeline")
    ours = tmp_path_factory.mktemp("ours") / "repo"
    shutil.copytree(dvc_repo, ours, symlinks=True)
    stores = {}
    for who, root in (("theirs", dvc_repo), ("ours", ours)):
        monkeypatch.chdir(root)
        stores[who] = tmp_path_factory.mktemp(who) / "store"
        dvc("remote", "add", "-d", "-f", "s", str(stores[who]))
    return {"theirs": dvc_repo, "ours": ours, "stores": stores, "chdir": monkeypatch.chdir}


def _both(twins, dvc_args, trail_args, dvc, trail):
    twins["chdir"](twins["theirs"])
    theirs = dvc(*dvc_args)
    twins["chdir"](twins["ours"])
    ours = trail(*trail_args)
    assert ours.code == 0, ours.err
    return theirs, ours


def _sent(store):
    """Objects on a remote (a temp file dvc left behind is none)."""
    return {
        str(p.relative_to(store))
        for p in store.rglob("*")
        if "files" in p.parts and not p.name.startswith(".")
    }


def _cached(root):
    cache = root / ".dvc" / "cache" / "files"
    return {str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()}


def test_push_widens_targets_as_dvc_does(twins, dvc, trail, tmp_path_factory):
    for args in (["-d", "train"], ["--glob", "ra*"], ["-R", "."], ["-A"]):
        for who in ("theirs", "ours"):  # a fresh remote for each way of naming targets
            twins["stores"][who] = tmp_path_factory.mktemp(who) / "store"
            twins["chdir"](twins[who])
            dvc("remote", "add", "-d", "-f", "s", str(twins["stores"][who]))
        _both(twins, ["push", *args], ["push", *args], dvc, trail)
        ours, theirs = _sent(twins["stores"]["ours"]), _sent(twins["stores"]["theirs"])
        assert ours and ours == theirs, args


def test_fetch_by_size_and_pull_allow_missing(twins, dvc, trail, tmp_path_factory):
    _both(twins, ["push"], ["push"], dvc, trail)
    for root in (twins["theirs"], twins["ours"]):
        shutil.rmtree(root / ".dvc" / "cache")
    _both(twins, ["fetch", "--max-size", "3"], ["fetch", "--max-size", "3"], dvc, trail)
    assert _cached(twins["ours"]) == _cached(twins["theirs"])
    for who in ("theirs", "ours"):  # an empty remote: nothing can come
        empty = tmp_path_factory.mktemp(f"empty-{who}")
        twins["chdir"](twins[who])
        dvc("remote", "add", "-d", "-f", "empty", str(empty))
        for out in (".dvc/cache", "raw", "data"):
            shutil.rmtree(twins[who] / out)
        (twins[who] / "model.pkl").unlink()
    theirs, ours = _both(
        twins, ["pull", "--allow-missing"], ["pull", "--allow-missing"], dvc, trail
    )
    assert theirs.code == 0 and "neither in the cache nor on the remote" in ours.err
    assert trail("pull").code == 1  # without the flag, missing data is an error


def test_checkout_summary_and_allow_missing(twins, dvc, trail):
    for root in (twins["theirs"], twins["ours"]):
        (root / "model.pkl").unlink()
    theirs, ours = _both(twins, ["checkout", "--summary"], ["checkout", "--summary"], dvc, trail)
    assert ours.out.strip() == theirs.out.strip() == "1 file added"
    for root in (twins["theirs"], twins["ours"]):
        shutil.rmtree(root / ".dvc" / "cache")
        (root / "model.pkl").unlink()
    theirs, ours = _both(
        twins, ["checkout", "--allow-missing"], ["checkout", "--allow-missing"], dvc, trail
    )
    assert theirs.code == 0
    twins["chdir"](twins["ours"])
    assert trail("checkout").code == 1  # without the flag, missing data is an error


def test_add_no_commit_and_out(twins, dvc, trail, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "ext.csv"
    outside.write_text("from outside\n")
    for root in (twins["theirs"], twins["ours"]):
        (root / "new.txt").write_text("not cached yet\n")
    _both(twins, ["add", "--no-commit", "new.txt"], ["add", "--no-commit", "new.txt"], dvc, trail)
    for name in ("new.txt.dvc", ".gitignore"):
        assert (twins["ours"] / name).read_text() == (twins["theirs"] / name).read_text()
    assert _cached(twins["ours"]) == _cached(twins["theirs"])
    args = ["add", str(outside), "-o", "copied.csv"]
    _both(twins, args, args, dvc, trail)
    ours = (twins["ours"] / "copied.csv.dvc").read_text()
    assert ours == (twins["theirs"] / "copied.csv.dvc").read_text()
    assert (twins["ours"] / "copied.csv").read_text() == "from outside\n"
    twins["chdir"](twins["ours"])
    res = trail(*args)
    assert res.code == 1 and "-f" in res.err
    args = ["add", str(outside), "-o", "remote.csv", "--to-remote"]
    _both(twins, args, args, dvc, trail)
    assert not (twins["ours"] / "remote.csv").exists()
    assert (twins["ours"] / "remote.csv.dvc").read_text() == (
        twins["theirs"] / "remote.csv.dvc"
    ).read_text()
    assert _sent(twins["stores"]["ours"]) == _sent(twins["stores"]["theirs"])


def test_data_status_untracked_files(twins, dvc, trail):
    for root in (twins["theirs"], twins["ours"]):
        (root / "notes.md").write_text("x\n")
    args = ["data", "status", "--untracked-files", "--json"]
    theirs, ours = _both(twins, args, args, dvc, trail)
    assert sorted(json.loads(ours.out)["untracked"]) == sorted(json.loads(theirs.out)["untracked"])


def test_gc_keeps_a_revision_and_what_the_remote_lacks(twins, dvc, trail):
    for root in (twins["theirs"], twins["ours"]):
        (root / "raw" / "a.csv").write_text("3\n")
    _both(twins, ["add", "raw"], ["add", "raw"], dvc, trail)
    for root in (twins["theirs"], twins["ours"]):
        subprocess.run(["git", "commit", "-q", "-am", "raw v2"], cwd=root, check=True)
        (root / "raw" / "a.csv").write_text("4\n")
    _both(twins, ["add", "raw"], ["add", "raw"], dvc, trail)
    args = ["gc", "-f", "-w", "--rev", "HEAD", "-n", "1"]  # trail keeps the workspace anyway
    _both(twins, args, args, dvc, trail)
    assert _cached(twins["ours"]) == _cached(twins["theirs"])
    _both(twins, ["push", "raw"], ["push", "raw"], dvc, trail)
    _both(
        twins,
        ["gc", "-f", "-w", "--not-in-remote"],
        ["gc", "-f", "-w", "--not-in-remote"],
        dvc,
        trail,
    )
    assert _cached(twins["ours"]) == _cached(twins["theirs"])
