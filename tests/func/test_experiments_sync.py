"""``exp push|pull <git-remote>``: refs through Git, cached outputs through the data remote,
into a fresh clone where ``exp apply`` then works; ``exp remove -g``."""

from __future__ import annotations

import pytest
from exp_helpers import exp_refs, make_project


@pytest.fixture
def shared(trail_repo, trail, tmp_path_factory):
    """A project with a data remote (a folder) and a bare Git remote `origin`."""
    store = tmp_path_factory.mktemp("store")
    origin = tmp_path_factory.mktemp("origin") / "origin.git"
    make_project(trail_repo, commit=False)
    assert trail("remote", "add", "-d", "store", str(store)).code == 0
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "pipeline and remote")
    trail_repo.git("init", "-q", "--bare", "-b", "main", str(origin))
    trail_repo.git("remote", "add", "origin", str(origin))
    trail_repo.git("push", "-q", "origin", "main")
    for name, lr in (("low", "0.2"), ("high", "0.3")):
        assert trail("exp", "run", "-n", name, "-S", f"train.lr={lr}").code == 0
    return trail_repo, origin, store


def _remote_refs(tmp, origin) -> set[str]:
    out = tmp.git("ls-remote", str(origin), "refs/exps/*", "refs/trail-exps/*")
    return {
        line.split("\t")[1].rsplit("/", 1)[1] + "@" + line.split("/")[1]
        for line in out.splitlines()
    }


def test_push_then_pull_into_a_fresh_clone(shared, trail, tmp_path_factory, monkeypatch):
    repo, origin, store = shared
    res = trail("exp", "push", "origin", "low")
    assert res.code == 0, res.err
    assert "Pushed experiments: low" in res.out
    assert _remote_refs(repo, origin) == {"low@exps", "low@trail-exps"}
    assert any(p.is_file() for p in store.rglob("*"))  # model.bin went to the data remote

    clone = repo.__class__(tmp_path_factory.mktemp("other") / "clone")
    repo.git("clone", "-q", str(origin), str(clone))
    monkeypatch.chdir(clone)
    res = trail("exp", "pull", "origin", "low")
    assert res.code == 0, res.err
    assert "Pulled experiments: low" in res.out
    assert set(exp_refs(clone)) == {"low"} and set(exp_refs(clone, "refs/trail-exps/")) == {"low"}
    assert not (clone / "model.bin").exists()  # pull fills the cache; apply checks out
    res = trail("exp", "apply", "low")
    assert res.code == 0, res.err
    assert (clone / "model.bin").read_text() == "model lr=0.2 epochs=3\n"
    assert trail("exp", "diff", "--env", "low").code == 0  # its environment came along


def test_defaults_all_and_no_cache(shared, trail):
    repo, origin, store = shared
    res = trail("exp", "push", "origin", "--no-cache")  # the experiments of HEAD
    assert res.code == 0, res.err
    assert "Pushed experiments: high, low" in res.out or "Pushed experiments: low, high" in res.out
    assert not any(p.is_file() for p in store.rglob("*") if "files" in p.parts)
    assert _remote_refs(repo, origin) == {
        "low@exps", "low@trail-exps", "high@exps", "high@trail-exps",
    }  # fmt: skip
    res = trail("exp", "remove", "-g", "origin", "high")
    assert res.code == 0 and "Removed experiments from 'origin': high" in res.out
    assert _remote_refs(repo, origin) == {"low@exps", "low@trail-exps"}
    assert set(exp_refs(repo)) == {"low", "high"}  # local ones stay
    assert trail("exp", "list", str(origin), "--name-only").out.split() == ["low"]


def test_a_bad_git_remote_is_one_clear_line(shared, trail):
    res = trail("exp", "push", "nowhere", "low")
    assert res.code == 1
    assert res.err.startswith("ERROR: cannot push to Git remote 'nowhere':")
    assert len(res.err.strip().splitlines()) == 1
    res = trail("exp", "pull", "nowhere")
    assert res.code == 1 and "cannot read Git remote 'nowhere'" in res.err


def test_pulled_refs_are_kept_when_the_data_remote_fails(
    shared, trail, tmp_path_factory, monkeypatch
):
    repo, origin, _store = shared
    assert trail("exp", "push", "origin", "-A", "--no-cache").code == 0
    clone = repo.__class__(tmp_path_factory.mktemp("other") / "clone")
    repo.git("clone", "-q", str(origin), str(clone))
    monkeypatch.chdir(clone)
    res = trail("exp", "pull", "origin", "high")
    assert res.code == 1
    assert "Pulled experiments: high" in res.out
    assert "failed to fetch" in res.err  # nothing was uploaded to the data remote
    assert set(exp_refs(clone)) == {"high"}
