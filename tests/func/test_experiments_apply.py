"""``exp apply``, ``exp branch``, ``exp remove`` and ``exp clean``: the workspace gets an
experiment without losing anything; refs come and go together."""

from __future__ import annotations

import json

import pytest
from exp_helpers import exp_refs, make_project


@pytest.fixture
def ran(trail_repo, trail):
    make_project(trail_repo)
    for name, lr in (("low", "0.2"), ("high", "0.3")):
        assert trail("exp", "run", "-n", name, "-S", f"train.lr={lr}").code == 0
    return trail_repo


def _metrics(tmp):
    return json.loads((tmp / "metrics.json").read_text())


def test_apply_brings_params_lock_and_outputs(ran, trail):
    head = ran.git("rev-parse", "HEAD").strip()
    index = (ran / ".git" / "index").read_bytes()
    res = trail("exp", "apply", "low")  # the workspace holds `high`: nothing to lose
    assert res.code == 0, res.err
    assert "Changes for experiment 'low' have been applied to your workspace." in res.out
    assert "lr: 0.2  # learning rate" in (ran / "params.yaml").read_text()
    assert _metrics(ran)["acc"] == 0.6
    assert (ran / "model.bin").read_text() == "model lr=0.2 epochs=3\n"  # from the cache
    assert ran.git("rev-parse", "HEAD").strip() == head
    assert (ran / ".git" / "index").read_bytes() == index
    assert trail("status", "--json").out.strip() == "{}"
    assert trail("exp", "diff", "low", "workspace").out == ""


def test_apply_from_a_clean_checkout(ran, trail):
    ran.git("checkout", "-q", "--", "params.yaml")
    for name in ("trail.lock", "metrics.json", "model.bin", ".gitignore"):
        (ran / name).unlink()
    assert trail("exp", "apply", "high").code == 0
    assert (ran / "model.bin").read_text() == "model lr=0.3 epochs=3\n"
    assert (ran / "trail.lock").exists() and "/model.bin" in (ran / ".gitignore").read_text()


def test_apply_refuses_over_uncommitted_changes(ran, trail):
    ran.gen({"train.py": (ran / "train.py").read_text() + "# my edit\n", "notes.txt": "mine\n"})
    before = {p: (ran / p).read_bytes() for p in ("params.yaml", "train.py", "notes.txt")}
    res = trail("exp", "apply", "low")
    assert res.code == 1
    assert "the workspace has uncommitted changes" in res.err
    assert "(train.py; compared with experiment 'high')" in res.err  # notes.txt: not in low
    assert "--force" in res.err
    assert {p: (ran / p).read_bytes() for p in before} == before


def test_apply_force_keeps_a_backup_of_the_edits(ran, trail):
    ran.gen({"train.py": (ran / "train.py").read_text() + "# my edit\n", "notes.txt": "mine\n"})
    res = trail("exp", "apply", "--force", "low")
    assert res.code == 0, res.err
    assert "refs/trail-exps/apply/backup" in res.out
    assert "# my edit" not in (ran / "train.py").read_text()
    assert (ran / "notes.txt").read_text() == "mine\n"  # low does not have it: left alone
    backup = "refs/trail-exps/apply/backup"
    assert ran.git("show", f"{backup}:train.py").endswith("# my edit\n")
    assert ran.git("show", f"{backup}:notes.txt") == "mine\n"
    ran.gen({"train.py": (ran / "train.py").read_text() + "# second edit\n"})
    assert trail("exp", "apply", "-f", "high").code == 0
    assert ran.git("show", f"{backup}@{{1}}:train.py").endswith("# my edit\n")  # kept


def test_an_untracked_file_the_experiment_lacks_is_neither_in_the_way_nor_removed(ran, trail):
    ran.gen({"report/index.html": "<html>plots</html>\n", "notes.txt": "mine\n"})
    res = trail("exp", "apply", "low")
    assert res.code == 0, res.err
    assert "lr: 0.2  # learning rate" in (ran / "params.yaml").read_text()
    assert (ran / "report" / "index.html").read_text() == "<html>plots</html>\n"
    assert (ran / "notes.txt").read_text() == "mine\n"
    assert ran.git("for-each-ref", "refs/trail-exps/apply/") == ""  # nothing needed a backup


def test_an_untracked_file_the_experiment_has_is_in_the_way(ran, trail):
    ran.gen({"extra.txt": "v1\n"})
    assert trail("exp", "run", "-n", "with-extra", "-S", "train.lr=0.4").code == 0
    assert trail("exp", "apply", "low").code == 0  # the workspace was with-extra: kept there
    assert not (ran / "extra.txt").exists()
    ran.gen({"extra.txt": "mine\n"})
    res = trail("exp", "apply", "with-extra")
    assert res.code == 1 and "(extra.txt; compared with experiment 'low')" in res.err
    assert (ran / "extra.txt").read_text() == "mine\n"


def test_apply_never_overwrites_an_uncached_output(ran, trail):
    ran.git("add", "-A")
    ran.git("commit", "-q", "-m", "results of high")
    (ran / "model.bin").chmod(0o644)
    (ran / "model.bin").write_text("hand-tuned model\n")
    res = trail("exp", "apply", "low")
    assert res.code == 1
    assert "model.bin" in res.err
    assert (ran / "model.bin").read_text() == "hand-tuned model\n"


def test_apply_unknown_and_ambiguous_names(ran, trail):
    res = trail("exp", "apply", "nope")
    assert res.code == 1 and "unknown experiment 'nope'" in res.err
    ran.git("add", "-A")
    ran.git("commit", "-q", "-m", "next")
    assert trail("exp", "run", "-n", "low", "-S", "train.lr=0.4").code == 0
    assert trail("exp", "apply", "low").code == 0  # the one of the current baseline wins
    assert "lr: 0.4" in (ran / "params.yaml").read_text()
    ran.git("add", "-A")
    ran.git("commit", "-q", "-m", "third: no experiments of its own")
    res = trail("exp", "apply", "low")
    assert res.code == 1 and "experiment name 'low' is used under several baselines" in res.err


def test_branch(ran, trail):
    res = trail("exp", "branch", "low")
    assert res.code == 0, res.err
    assert "Git branch 'low-branch' has been created from experiment 'low'" in res.out
    assert ran.git("rev-parse", "low-branch").strip() == exp_refs(ran)["low"]
    assert trail("exp", "branch", "high", "best").code == 0
    res = trail("exp", "branch", "low", "best")
    assert res.code == 1 and "a branch named 'best' already exists" in res.err
    assert ran.git("rev-parse", "best").strip() == exp_refs(ran)["high"]
    res = trail("exp", "branch", "low", "bad..name")
    assert res.code == 1 and "not a valid Git branch name" in res.err


def test_remove_by_name_all_and_rev(ran, trail):
    assert set(exp_refs(ran, "refs/trail-exps/")) == {"low", "high"}
    res = trail("exp", "remove", "low")
    assert res.code == 0 and "Removed experiments: low" in res.out
    assert set(exp_refs(ran)) == {"high"} and set(exp_refs(ran, "refs/trail-exps/")) == {"high"}
    res = trail("exp", "remove", "high", "nope")
    assert res.code == 1 and "unknown experiment 'nope'" in res.err
    assert set(exp_refs(ran)) == {"high"}  # nothing removed when one name is wrong
    assert trail("exp", "run", "-n", "third").code == 0
    assert trail("exp", "remove", "--rev", "HEAD").code == 0
    assert exp_refs(ran) == {} and exp_refs(ran, "refs/trail-exps/") == {}
    assert trail("exp", "run", "-n", "a").code == 0
    assert trail("exp", "rm", "-A").code == 0 and exp_refs(ran) == {}
    res = trail("exp", "remove")
    assert res.code == 2 and "name the experiments to remove" in res.err


def test_clean_drops_orphaned_records(ran, trail):
    head = ran.git("rev-parse", "HEAD").strip()
    ran.git("update-ref", "-d", f"refs/exps/{head[:2]}/{head[2:]}/low")  # as `dvc exp remove`
    res = trail("exp", "clean")
    assert res.code == 0 and "Removed 1 orphaned experiment records." in res.out
    assert set(exp_refs(ran, "refs/trail-exps/")) == {"high"}
    assert "Nothing to clean." in trail("exp", "clean").out
