"""The targets DVC users name — stage names, ``dvc.yaml:stage``, pipeline files, stage outputs
and paths inside them — accepted by every command that takes targets, with DVC's effects.

Each test runs the real dvc on one copy of a repository and trail on another, and compares
what they leave behind."""

from __future__ import annotations

import json
import os
import shutil

import pytest

pytestmark = pytest.mark.compat

PIPELINE = """\
stages:
  train:
    cmd: mkdir -p out && cp in.txt model.pkl && echo x > out/a && echo y > out/b
    deps: [in.txt]
    outs: [model.pkl, out]
  evaluate:
    cmd: cp model.pkl eval.txt && echo 1 > metrics.json
    deps: [model.pkl]
    outs: [eval.txt]
    metrics:
    - metrics.json:
        cache: false
"""


@pytest.fixture
def twins(dvc_repo, dvc, tmp_path_factory, monkeypatch):
    """The same committed pipeline repository twice: ``theirs`` for dvc, ``ours`` for trail."""
    dvc_repo.gen({"in.txt": "in\n", "dvc.yaml": PIPELINE})
    dvc("repro", "-q")
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "pipeline")
    ours = tmp_path_factory.mktemp("ours") / "repo"
    shutil.copytree(dvc_repo, ours, symlinks=True)
    return {"theirs": dvc_repo, "ours": ours, "chdir": monkeypatch.chdir}


def _files(root):
    skip = (".git", ".dvc")
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] not in skip
    }


def _both(twins, dvc_cmd, trail_cmd):
    twins["chdir"](twins["theirs"])
    theirs = dvc_cmd()
    twins["chdir"](twins["ours"])
    ours = trail_cmd()
    return theirs, ours


def test_checkout_restores_what_the_target_names(twins, dvc, trail):
    for target in ("train", "model.pkl", "out/a"):
        for root in (twins["theirs"], twins["ours"]):
            for name in ("model.pkl", "eval.txt"):
                (root / name).unlink(missing_ok=True)
            shutil.rmtree(root / "out", ignore_errors=True)
        _theirs, ours = _both(
            twins, lambda t=target: dvc("checkout", t), lambda t=target: trail("checkout", t)
        )
        assert ours.code == 0, ours.err
        assert _files(twins["ours"]) == _files(twins["theirs"]), target


def test_status_looks_at_what_the_target_names(twins, dvc, trail):
    for root in (twins["theirs"], twins["ours"]):
        (root / "in.txt").write_text("changed\n")
        (root / "eval.txt").write_text("edited\n")
    for target in ("dvc.yaml:train", "model.pkl", "dvc.yaml"):
        theirs, ours = _both(
            twins,
            lambda t=target: dvc("status", "--json", t),
            lambda t=target: trail("status", "--json", t),
        )
        assert ours.code == 0, ours.err
        assert json.loads(ours.out) == json.loads(theirs.out), target


def test_push_and_pull_move_what_the_target_names(twins, dvc, trail, tmp_path_factory):
    target = "dvc.yaml:train"
    stores = {}
    for who in ("theirs", "ours"):
        stores[who] = tmp_path_factory.mktemp(who) / "store"
        twins["chdir"](twins[who])
        dvc("remote", "add", "-d", "-f", "store", str(stores[who]))
    _both(twins, lambda: dvc("push", target), lambda: trail("push", target))

    def sent(who):
        store = stores[who]
        return {str(p.relative_to(store)) for p in store.rglob("*") if "files" in p.parts}

    assert sent("ours") and sent("ours") == sent("theirs")
    for who in ("theirs", "ours"):
        shutil.rmtree(twins[who] / ".dvc" / "cache")
        (twins[who] / "model.pkl").unlink()
        shutil.rmtree(twins[who] / "out")
    _theirs, ours = _both(twins, lambda: dvc("pull", target), lambda: trail("pull", target))
    assert ours.code == 0, ours.err
    assert _files(twins["ours"]) == _files(twins["theirs"])
    for who in ("theirs", "ours"):
        shutil.rmtree(twins[who] / ".dvc" / "cache")
    _both(twins, lambda: dvc("fetch", target), lambda: trail("fetch", target))

    def cached(who):
        cache = twins[who] / ".dvc" / "cache"
        return {str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()}

    assert cached("ours") == cached("theirs")


def test_push_leaves_out_uncached_metrics_as_dvc_does(twins, dvc, trail, tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    twins["chdir"](twins["ours"])
    assert trail("remote", "add", "-d", "-f", "s", str(store)).code == 0
    assert trail("push").code == 0
    res = trail("status", "-c", "--json")
    assert res.code == 0 and json.loads(res.out) == {}
    sent = {p.name for p in store.rglob("*") if p.is_file()}
    from trail.hashing import get

    metric = get("md5").hash_bytes((twins["ours"] / "metrics.json").read_bytes())
    assert metric[2:] not in sent


def test_cloud_status_names_stage_outputs_by_path(twins, trail, tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    twins["chdir"](twins["ours"])
    assert trail("remote", "add", "-d", "-f", "s", str(store)).code == 0
    out = json.loads(trail("status", "-c", "--json").out)
    assert set(out) == {"model.pkl", "out/", "out/a", "out/b", "eval.txt"} or set(out) >= {
        "model.pkl",
        "eval.txt",
    }
    assert not any("stage output" in k for k in out)


def test_commit_records_only_the_stage_named(twins, dvc, trail):
    for root in (twins["theirs"], twins["ours"]):
        (root / "model.pkl").chmod(0o644)
        (root / "model.pkl").write_text("hand-made\n")
        (root / "eval.txt").chmod(0o644)
        (root / "eval.txt").write_text("hand-made too\n")
    _theirs, ours = _both(
        twins,
        lambda: dvc("commit", "-f", "dvc.yaml:train"),
        lambda: trail("commit", "-f", "dvc.yaml:train"),
    )
    assert ours.code == 0, ours.err
    lock = (twins["ours"] / "dvc.lock").read_text()
    assert lock == (twins["theirs"] / "dvc.lock").read_text()


def test_unprotect_takes_stage_outputs(twins, trail):
    twins["chdir"](twins["ours"])
    assert trail("config", "cache.type", "hardlink").code == 0
    assert trail("checkout", "--relink").code == 0
    assert (twins["ours"] / "model.pkl").stat().st_nlink > 1
    res = trail("unprotect", "model.pkl", "out/a")
    assert res.code == 0, res.err
    assert (twins["ours"] / "model.pkl").stat().st_nlink == 1
    assert os.access(twins["ours"] / "out" / "a", os.W_OK)


def test_remove_takes_a_stage_as_dvc_does(twins, dvc, trail):
    target = "dvc.yaml:evaluate"
    _theirs, ours = _both(twins, lambda: dvc("remove", target), lambda: trail("remove", target))
    assert ours.code == 0, ours.err
    for name in ("dvc.yaml", "dvc.lock", ".gitignore"):
        assert (twins["ours"] / name).read_text() == (twins["theirs"] / name).read_text(), name
    assert (twins["ours"] / "eval.txt").exists()


def test_remove_the_last_stage_with_its_outputs(twins, dvc, trail):
    cmds = (("remove", "evaluate", "--outs"), ("remove", "train", "--outs"))
    for args in cmds:
        _both(twins, lambda a=args: dvc(*a), lambda a=args: trail(*a))
    assert _files(twins["ours"]) == _files(twins["theirs"])
    assert not (twins["ours"] / "dvc.yaml").exists()


def test_repro_takes_a_stage_of_a_pipeline_file(twins, dvc, trail):
    for root in (twins["theirs"], twins["ours"]):
        (root / "in.txt").write_text("new input\n")
    _both(twins, lambda: dvc("repro", "dvc.yaml:train"), lambda: trail("repro", "dvc.yaml:train"))
    assert (twins["ours"] / "dvc.lock").read_text() == (twins["theirs"] / "dvc.lock").read_text()
    assert (twins["ours"] / "eval.txt").read_text() == "in\n"  # evaluate did not run
    assert (twins["ours"] / "model.pkl").read_text() == "new input\n"


def test_a_target_that_names_nothing_is_an_error_for_both(twins, dvc, trail):
    for cmd in ("checkout", "status", "remove"):
        theirs, ours = _both(
            twins,
            lambda c=cmd: dvc(c, "nosuch", check=False),
            lambda c=cmd: trail(c, "nosuch"),
        )
        assert theirs.code != 0 and ours.code != 0, cmd
        assert "nosuch" in ours.err and "Traceback" not in ours.err
