"""Imports shared with the real dvc: the same pointer files byte for byte, each tool's
``status``/``update``/``pull`` on the other's imports."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from trail.testing.plugin import TmpDir

pytestmark = pytest.mark.compat


def _ok(res):
    assert res.code == 0, res.err
    return res


@pytest.fixture
def source(dvc_repo, dvc, tmp_path_factory, monkeypatch):
    """A repository made by the real dvc, its data pushed to a folder remote; then the
    current directory is a fresh dvc repository to import into."""
    src = dvc_repo
    src.gen({"data": {"a.txt": "v1", "sub": {"b.txt": "bee"}}, "README": "git"})
    dvc("add", "-q", "data")
    dvc("remote", "add", "-d", "store", str(tmp_path_factory.mktemp("store")))
    src.git("add", "-A")
    src.git("commit", "-q", "-m", "v1")
    dvc("push", "-q")
    dst = TmpDir(tmp_path_factory.mktemp("dst"))
    monkeypatch.chdir(dst)
    dst.git("init", "-q", "-b", "main")
    dvc("init", "-q")
    dst.git("add", "-A")
    dst.git("commit", "-q", "-m", "init")
    src.dst = dst
    return src


def _move_on(src, dvc, monkeypatch, text):
    dst = src.dst
    monkeypatch.chdir(src)
    src.gen({"data": {"a.txt": text}})
    dvc("add", "-q", "data")
    src.git("commit", "-q", "-am", text)
    dvc("push", "-q")
    monkeypatch.chdir(dst)


def test_trail_writes_the_bytes_dvc_writes(source, dvc, trail):
    dst = source.dst
    outside = dst.parent / "outside.txt"
    outside.write_text("outside")
    cases = [
        (["import", str(source), "data"], "data.dvc"),
        (["import", str(source), "data/sub/b.txt", "-o", "b.txt"], "b.txt.dvc"),
        (["import", str(source), "README", "--rev", "main"], "README.dvc"),
        (["import-url", str(outside)], "outside.txt.dvc"),
    ]
    for args, pf in cases:
        dvc(*args, "-q")
        by_dvc = (dst / pf).read_text()
        _ok(trail(*args, "-f"))
        assert (dst / pf).read_text() == by_dvc, pf


def test_dvc_status_and_update_accept_trail_imports(source, dvc, trail, monkeypatch):
    dst = source.dst
    _ok(trail("import", str(source), "data"))
    _ok(trail("import", str(source), "README", "--no-download"))
    assert json.loads(dvc("status", "--json").out) == {
        "README.dvc": [{"changed outs": {"README": "deleted"}}]
    }
    shutil.rmtree(dst / "data")
    dvc("checkout", "-q", "data.dvc")
    assert (dst / "data" / "a.txt").read_text() == "v1"
    _move_on(source, dvc, monkeypatch, "v2")
    status = json.loads(dvc("status", "--json", "data.dvc").out)
    assert status == {"data.dvc": [{"changed deps": {f"data ({source})": "update available"}}]}
    dvc("update", "-q", "data.dvc")
    assert (dst / "data" / "a.txt").read_text() == "v2"
    assert json.loads(_ok(trail("status", "--json", "data.dvc")).out) == {}


def test_trail_status_update_and_pull_accept_dvc_imports(
    source, dvc, trail, monkeypatch, tmp_path_factory
):
    dst = source.dst
    dvc("import", "-q", str(source), "data")
    dvc("import", "-q", str(source), "data/sub", "-o", "sub")
    assert json.loads(_ok(trail("status", "--json")).out) == {}
    _move_on(source, dvc, monkeypatch, "v2")
    status = json.loads(_ok(trail("status", "--json")).out)
    news = {"changed deps": {f"data ({source})": "update available"}}
    assert status["data.dvc"] == [news]
    res = _ok(trail("update", "data.dvc"))
    assert "Updated 'data.dvc'" in res.out
    assert (dst / "data" / "a.txt").read_text() == "v2"
    assert json.loads(dvc("status", "--json", "data.dvc").out) == {}
    dst.git("add", "-A")
    dst.git("commit", "-q", "-m", "imports")
    clone = tmp_path_factory.mktemp("clone") / "c"
    subprocess.run(["git", "clone", "-q", str(dst), str(clone)], check=True)
    monkeypatch.chdir(clone)
    _ok(trail("pull"))
    assert (clone / "data" / "a.txt").read_text() == "v2"
    assert (clone / "sub" / "b.txt").read_text() == "bee"
    assert json.loads(dvc("status", "--json", "data.dvc").out) == {}


def test_import_url_updates_across_tools(source, dvc, trail):
    dst = source.dst
    outside = dst.parent / "ext"
    outside.mkdir()
    (outside / "f.txt").write_text("one")
    dvc("import-url", "-q", str(outside), "ext")
    _ok(trail("import-url", str(outside / "f.txt"), "f.txt"))
    (outside / "f.txt").write_text("two")
    assert "Updated 'ext.dvc'" in _ok(trail("update", "ext.dvc")).out
    assert (dst / "ext" / "f.txt").read_text() == "two"
    dvc("update", "-q", "f.txt.dvc")
    assert (dst / "f.txt").read_text() == "two"
    assert "is up to date" in _ok(trail("update", "f.txt.dvc")).out
    assert json.loads(dvc("status", "--json").out) == {}
