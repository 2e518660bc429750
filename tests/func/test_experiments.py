"""``trail exp run`` / ``exp list`` / ``exp save`` through the real entry point, in temp Git repos
with a small real pipeline."""

from __future__ import annotations

import json

import pytest
import yaml
from exp_helpers import exp_refs, make_project


@pytest.fixture
def project(trail_repo):
    make_project(trail_repo)
    return trail_repo


def test_exp_run_records_a_commit_on_the_baseline(project, trail):
    head = project.git("rev-parse", "HEAD").strip()
    index_before = (project / ".git" / "index").read_bytes()
    res = trail("exp", "run", "-n", "first", "-S", "train.lr=0.2")
    assert res.code == 0, res.err
    assert "Ran experiment 'first'" in res.out
    refs = exp_refs(project)
    assert list(refs) == ["first"]
    ref = f"refs/exps/{head[:2]}/{head[2:]}/first"
    assert project.git("rev-parse", ref).strip() == refs["first"]
    # the experiment's parent is its baseline; HEAD, branch and index stay
    assert project.git("rev-parse", f"{ref}^").strip() == head
    assert project.git("rev-parse", "HEAD").strip() == head
    assert (project / ".git" / "index").read_bytes() == index_before
    files = project.git("ls-tree", "-r", "--name-only", ref).split()
    assert {"trail.lock", "params.yaml", "metrics.json", ".gitignore"} <= set(files)
    assert "model.bin" not in files  # a cached output: in the cache, not in Git
    assert "lr: 0.2  # learning rate" in project.git("show", f"{ref}:params.yaml")
    assert json.loads(project.git("show", f"{ref}:metrics.json"))["acc"] == 0.6
    # the workspace keeps the results, as dvc exp run leaves them
    assert "lr: 0.2" in (project / "params.yaml").read_text()
    assert (project / "model.bin").read_text() == "model lr=0.2 epochs=3\n"


def test_exp_list_shows_experiments_by_baseline(project, trail):
    assert trail("exp", "run", "-n", "a", "-S", "train.lr=0.2").code == 0
    assert trail("exp", "run", "-n", "b", "-S", "train.lr=0.3").code == 0
    refs = exp_refs(project)
    res = trail("exp", "list")
    assert res.code == 0, res.err
    assert res.out.splitlines() == ["main:", f"\t{refs['a'][:7]} [a]", f"\t{refs['b'][:7]} [b]"]
    assert trail("exp", "list", "--name-only").out.split() == ["a", "b"]
    assert json.loads(trail("exp", "list", "--json").out) == {"main": ["a", "b"]}


def test_random_names_are_unique_per_baseline(project, trail):
    for lr in ("0.2", "0.3", "0.4"):
        res = trail("exp", "run", "-S", f"train.lr={lr}")
        assert res.code == 0, res.err
    names = list(exp_refs(project))
    assert len(set(names)) == 3
    assert all(len(n.split("-")) == 2 for n in names)


def test_an_existing_name_is_refused_before_anything_runs(project, trail):
    assert trail("exp", "run", "-n", "dup", "-S", "train.lr=0.2").code == 0
    before = (project / "params.yaml").read_text()
    first = exp_refs(project)["dup"]
    res = trail("exp", "run", "-n", "dup", "-S", "train.lr=0.5")
    assert res.code == 1
    assert "experiment 'dup' already exists" in res.err
    assert "Running stage" not in res.out
    assert (project / "params.yaml").read_text() == before
    assert exp_refs(project)["dup"] == first
    res = trail("exp", "run", "-n", "dup", "-f", "-S", "train.lr=0.5")  # -f replaces it
    assert res.code == 0, res.err
    assert "Replaced experiment 'dup'" in res.out
    assert exp_refs(project)["dup"] != first


def test_bad_names_are_refused(project, trail):
    for bad in ("a b", "x/y", "-x", "a..b", "n.lock"):
        res = trail("exp", "run", f"--name={bad}")
        assert res.code == 2, bad
        assert f"invalid experiment name '{bad}'" in res.err
    assert exp_refs(project) == {}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nope.yaml:train.lr=1", "-S nope.yaml:train.lr=1: params file 'nope.yaml' does not exist"),
        (
            "train.momentum=0.9",
            "'train.momentum' is not in params.yaml (add it with +train.momentum=…)",
        ),
        (
            "train.epochs=many",
            "'train.epochs' in params.yaml is a number (3), not a string ('many')",
        ),
        ("train.lr=[1, 2]", "'train.lr' in params.yaml is a number (0.5), not a list ([1, 2])"),
        ("train=1", "'train' in params.yaml is a mapping"),
        ("train.lr", "expected [file:]key=value (no '=' found)"),
        ("train.lr=0.1,0.2", "several values make a grid: queue it with `trail exp run --queue`"),
    ],
)
def test_bad_set_param_changes_nothing(project, trail, spec, message):
    before = (project / "params.yaml").read_bytes()
    res = trail("exp", "run", "-S", "train.lr=0.5", "-S", spec)
    assert res.code == 2, res.err
    assert message in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert (project / "params.yaml").read_bytes() == before
    assert not (project / "trail.lock").exists()
    assert exp_refs(project) == {}


def test_set_param_adds_and_deletes_keys(project, trail):
    res = trail("exp", "run", "-S", "+train.momentum=0.9", "-S", "~train.epochs", "-S", "++seed=7")
    # train.py needs epochs: the stage fails, and a failed run records nothing
    assert res.code == 1
    assert "no experiment was recorded" in res.err
    assert exp_refs(project) == {}
    text = (project / "params.yaml").read_text()
    assert "momentum: 0.9" in text and "epochs" not in text and "seed: 7" in text
    assert "# training parameters" in text


def test_untracked_files_go_in_ignored_ones_do_not(project, trail):
    project.gen({"notes.txt": "untracked\n", "scratch.log": "ignored\n", ".gitignore": "*.log\n"})
    assert trail("exp", "run", "-n", "u").code == 0
    files = project.git("ls-tree", "-r", "--name-only", "refs/exps/" + _prefix(project) + "/u")
    assert "notes.txt" in files.split()
    assert "scratch.log" not in files.split()
    assert "?? notes.txt" in project.git("status", "--short")  # still untracked here


def test_environment_and_logs_are_kept_beside_the_experiment(project, trail):
    assert trail("exp", "run", "-n", "envy", "-S", "train.lr=0.3").code == 0
    head = project.git("rev-parse", "HEAD").strip()
    meta = f"refs/trail-exps/{head[:2]}/{head[2:]}/envy"
    exp = exp_refs(project)["envy"]
    assert project.git("rev-parse", f"{meta}^").strip() == exp  # built on the experiment
    env = json.loads(project.git("show", f"{meta}:env.json"))
    assert env["git"]["commit"] == head and env["git"]["branch"] == "main"
    assert env["git"]["dirty"] is False
    assert env["command"] == ["trail", "exp", "run", "-n", "envy", "-S", "train.lr=0.3"]
    assert "pytest" in env["packages"] and env["python"]["version"].count(".") == 2
    log = json.loads(project.git("show", f"{meta}:logs/train.json"))
    assert log["returncode"] == 0 and "trained with lr=0.3" in log["stdout"]
    run = json.loads(project.git("show", f"{meta}:run.json"))
    assert run["ran"] == ["train"]


def test_dirty_start_is_recorded(project, trail):
    project.gen({"train.py": (project / "train.py").read_text() + "# tweak\n"})
    assert trail("exp", "run", "-n", "dirty").code == 0
    head = project.git("rev-parse", "HEAD").strip()
    env = json.loads(project.git("show", f"refs/trail-exps/{head[:2]}/{head[2:]}/dirty:env.json"))
    assert env["git"]["dirty"] is True and env["git"]["changed"] == ["train.py"]


def test_exp_run_needs_a_commit(trail_repo, trail):
    make_project(trail_repo, commit=False)
    trail_repo.git("update-ref", "-d", "HEAD")
    res = trail("exp", "run")
    assert res.code == 1
    assert "no commit yet" in res.err


def test_exp_save_records_the_workspace_without_running(project, trail):
    assert trail("repro").code == 0
    res = trail("exp", "save", "-n", "saved")
    assert res.code == 0, res.err
    ref = "refs/exps/" + _prefix(project) + "/saved"
    assert json.loads(project.git("show", f"{ref}:metrics.json"))["acc"] == pytest.approx(0.3)
    assert "Running stage" not in res.out


def _prefix(tmp) -> str:
    head = tmp.git("rev-parse", "HEAD").strip()
    return f"{head[:2]}/{head[2:]}"


def test_a_run_in_a_temp_clone_sharing_the_cache_comes_back_by_fetch(
    project, trail, tmp_path_factory, monkeypatch
):
    # How queue workers run: a clone whose cache.dir is the main repository's cache.
    clone = project.__class__(tmp_path_factory.mktemp("worker") / "clone")
    project.git("clone", "-q", str(project), str(clone))
    cache = project / ".trail" / "cache"
    monkeypatch.chdir(clone)
    assert trail("config", "--local", "cache.dir", str(cache)).code == 0
    res = trail("exp", "run", "-n", "queued", "-S", "train.lr=0.4")
    assert res.code == 0, res.err
    monkeypatch.chdir(project)
    project.git(
        "fetch", "-q", str(clone), "refs/exps/*:refs/exps/*", "refs/trail-exps/*:refs/trail-exps/*"
    )
    assert trail("exp", "list", "--name-only").out.split() == ["queued"]
    ref = "refs/exps/" + _prefix(project) + "/queued"
    lock = yaml.safe_load(project.git("show", f"{ref}:trail.lock"))
    model_hash = next(
        o["blake3"] for o in lock["stages"]["train"]["outs"] if o["path"] == "model.bin"
    )
    assert (cache / "files" / "blake3" / model_hash[:2] / model_hash[2:]).exists()
    assert not (clone / ".trail" / "cache").exists()  # nothing was cached in the clone
