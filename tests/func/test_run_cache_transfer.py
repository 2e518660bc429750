"""``push``/``pull``/``fetch --run-cache``: a run made in one clone restores in another."""

from __future__ import annotations

import subprocess

import pytest

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


def _runs(root):
    return sorted(str(p.relative_to(root)) for p in (root / "runs").rglob("*") if p.is_file())


@pytest.fixture
def ran(trail_repo, trail, tmp_path_factory):
    """A run of ``make``, its lock file left out of Git, pushed with --run-cache."""
    trail_repo.gen({"in.txt": "x\n", "trail.yaml": PIPELINE})
    _ok(trail("repro"))
    store = tmp_path_factory.mktemp("store")
    _ok(trail("remote", "add", "-d", "s", str(store)))
    trail_repo.git("add", "in.txt", "trail.yaml", ".trail/config", ".gitignore")
    trail_repo.git("commit", "-q", "-m", "pipeline")
    trail_repo.store = store
    return trail_repo


def _clone(src, tmp_path_factory, monkeypatch):
    dst = tmp_path_factory.mktemp("clone") / "c"
    subprocess.run(["git", "clone", "-q", str(src), str(dst)], check=True)
    monkeypatch.chdir(dst)
    return dst


def test_push_then_pull_run_cache_restores_instead_of_running(
    ran, trail, tmp_path_factory, monkeypatch
):
    res = _ok(trail("push", "--run-cache"))
    assert "2 files pushed" in res.out  # the output's object, then the entry
    entries = _runs(ran.store)
    assert len(entries) == 1 and entries == _runs(ran / ".trail" / "cache")
    assert "Everything is up to date." in _ok(trail("push", "--run-cache")).out
    clone = _clone(ran, tmp_path_factory, monkeypatch)
    _ok(trail("pull", "--run-cache"))
    assert _runs(clone / ".trail" / "cache") == entries
    res = _ok(trail("repro"))
    assert "Stage 'make' is cached - skipping run" in res.out
    assert (clone / "out.txt").read_text() == "x\nx\n"


def test_fetch_refuses_a_corrupt_entry(ran, trail, tmp_path_factory, monkeypatch):
    _ok(trail("push", "--run-cache"))
    (entry,) = [p for p in (ran.store / "runs").rglob("*") if p.is_file()]
    entry.write_text(entry.read_text().replace("cat in.txt", "rm -rf /; cat in.txt"))
    clone = _clone(ran, tmp_path_factory, monkeypatch)
    res = trail("fetch", "--run-cache")
    assert res.code == 1 and "its content does not match its name" in res.err
    assert not (clone / ".trail" / "cache" / "runs").exists()


def test_run_cache_needs_a_listable_remote(ran, trail, http_server):
    _ok(trail("remote", "add", "-f", "-d", "s", http_server.url))
    res = trail("fetch", "--run-cache")
    assert res.code == 1 and "--run-cache needs a remote that can be listed" in res.err
