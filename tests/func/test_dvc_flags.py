"""Flags DVC users type that need no dvc to check: experiments (`exp run -m -C`, `exp remove
--queue --keep`, `exp rename`), plots (`-t -x -y --title --show-vega --html-template`), `get`
(`-f --show-url --config`) and `fetch --type`."""

from __future__ import annotations

import json

import pytest
from exp_helpers import exp_refs, make_project


def _ok(res):
    assert res.code == 0, res.err
    return res


def test_exp_run_message(trail_repo, trail):
    make_project(trail_repo)
    _ok(trail("exp", "run", "-n", "m1", "-m", "lr sweep, first try"))
    sha = exp_refs(trail_repo)["m1"]
    assert trail_repo.git("log", "-1", "--format=%B", sha).strip() == "lr sweep, first try"


def test_exp_run_copy_paths_reach_the_temporary_clone(trail_repo, trail):
    make_project(trail_repo)
    trail_repo.gen({".gitignore": "secret.txt\n", "secret.txt": "token\n"})
    trail_repo.gen("train.py", "import shutil\nshutil.copy('secret.txt', 'model.bin')\n")
    trail_repo.gen("trail.yaml", "stages:\n  train:\n    cmd: python3 train.py\n"
                   "    deps: [train.py]\n    outs: [model.bin]\n")  # fmt: skip
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "needs an ignored file")
    assert trail("exp", "run", "--temp", "-n", "without").code == 1
    _ok(trail("exp", "run", "--temp", "-n", "with", "-C", "secret.txt"))
    listed = trail_repo.git("ls-tree", "-r", "--name-only", exp_refs(trail_repo)["with"])
    assert "secret.txt" not in listed.split()  # copied for the run, not recorded
    res = trail("exp", "run", "--queue", "-C", "nothere.txt")
    assert res.code == 2 and "nothere.txt" in res.err


@pytest.fixture
def three_exps(trail_repo, trail):
    make_project(trail_repo)
    for name, lr in (("a", "0.2"), ("b", "0.3"), ("c", "0.4")):
        _ok(trail("exp", "run", "-n", name, "-S", f"train.lr={lr}"))
    return trail_repo


def test_exp_remove_keep_and_queue(three_exps, trail):
    _ok(trail("exp", "run", "--queue", "-n", "waiting"))
    _ok(trail("exp", "remove", "--keep", "b"))
    assert set(exp_refs(three_exps)) == {"b"}
    assert "waiting" in trail("queue", "status").out
    res = _ok(trail("exp", "remove", "--queue"))
    assert "1 queued run" in res.out
    assert "waiting" not in trail("queue", "status").out
    assert set(exp_refs(three_exps)) == {"b"}
    assert trail("exp", "remove", "--keep").code == 2


def test_exp_rename(three_exps, trail):
    before = exp_refs(three_exps)
    _ok(trail("exp", "rename", "a", "best"))
    after = exp_refs(three_exps)
    assert "a" not in after and after["best"] == before["a"]
    metas = exp_refs(three_exps, "refs/trail-exps/")
    assert "best" in metas and "a" not in metas
    shown = json.loads(trail("exp", "show", "--json").out)
    assert {g["name"] for b in shown for g in b["experiments"] or []} == {"best", "b", "c"}
    res = trail("exp", "rename", "best", "b")
    assert res.code == 1 and "b" in res.err
    _ok(trail("exp", "rename", "-f", "best", "b"))
    assert exp_refs(three_exps)["b"] == before["a"]
    assert trail("exp", "rename", "b", "bad name").code != 0


@pytest.fixture
def plots_repo(trail_repo):
    trail_repo.gen({"loss.csv": "epoch,loss,acc\n1,0.9,0.1\n2,0.5,0.6\n3,0.3,0.8\n"})
    return trail_repo


def test_plots_props_from_the_command_line(plots_repo, trail):
    res = _ok(
        trail(
            "plots",
            "show",
            "loss.csv",
            "--show-vega",
            "-x",
            "epoch",
            "-y",
            "acc",
            "-t",
            "scatter",
            "--title",
            "Accuracy",
        )
    )
    spec = json.loads(res.out)
    assert "Accuracy" in json.dumps(spec)
    assert '"acc"' in json.dumps(spec) and '"epoch"' in json.dumps(spec)
    assert "point" in json.dumps(spec)  # the scatter template
    assert trail("plots", "show", "--show-vega").code == 2  # one target is needed


def test_plots_html_template(plots_repo, trail):
    plots_repo.gen("page.html", "<html><body><h1>My report</h1>{plot_divs}</body></html>")
    _ok(trail("plots", "show", "loss.csv", "--html-template", "page.html", "-o", "out"))
    page = (plots_repo / "out" / "index.html").read_text()
    assert page.startswith("<html><body><h1>My report</h1>") and "vegaEmbed" in page
    plots_repo.gen("bad.html", "<html></html>")
    res = trail("plots", "show", "loss.csv", "--html-template", "bad.html")
    assert res.code == 2 and "{plot_divs}" in res.err


@pytest.fixture
def source(trail_repo, trail, tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    trail_repo.gen("data.txt", "v1\n")
    _ok(trail("add", "data.txt"))
    _ok(trail("remote", "add", "-d", "s", str(store)))
    _ok(trail("push"))
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "data")
    return trail_repo, store


def test_get_force_show_url_and_config(source, trail, tmp_path_factory, monkeypatch):
    repo, store = source
    here = tmp_path_factory.mktemp("here")
    monkeypatch.chdir(here)
    (here / "data.txt").write_text("mine\n")
    res = trail("get", str(repo), "data.txt")
    assert res.code == 1 and "-f" in res.err and (here / "data.txt").read_text() == "mine\n"
    _ok(trail("get", "-f", str(repo), "data.txt"))
    assert (here / "data.txt").read_text() == "v1\n"
    url = _ok(trail("get", "--show-url", str(repo), "data.txt")).out.strip()
    with open(url) as f:
        assert url.startswith(str(store)) and f.read() == "v1\n"
    other = tmp_path_factory.mktemp("other")
    (here / "extra.cfg").write_text(f"['remote \"other\"']\n    url = {other}\n")
    res = _ok(
        trail("get", "--show-url", "--config", "extra.cfg", "-r", "other", str(repo), "data.txt")
    )
    assert res.out.strip().startswith(str(other))


def test_fetch_by_type(trail_repo, trail, tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    trail_repo.gen("trail.yaml", "stages:\n  s:\n    cmd: echo 1 > m.json && echo 2 > model\n"
                   "    outs: [model]\n    metrics: [m.json]\n")  # fmt: skip
    _ok(trail("repro"))
    _ok(trail("remote", "add", "-d", "s", str(store)))
    _ok(trail("push"))
    import shutil

    shutil.rmtree(trail_repo / ".trail" / "cache")
    _ok(trail("fetch", "--type", "metrics"))
    cached = [p for p in (trail_repo / ".trail" / "cache" / "files").rglob("*") if p.is_file()]
    assert [p.read_text() for p in cached] == ["1\n"]
