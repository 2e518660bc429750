"""``trail import`` and ``update`` of repository imports; ``status``, ``pull``, ``push`` and
``gc`` with import pointer files in the workspace."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess

import pytest
import yaml

from trail.testing.plugin import TmpDir


def _ok(res):
    assert res.code == 0, res.err
    return res


def snapshot(root, cache=True):
    """Every file of a workspace outside .git (and the cache, unless asked), with its bytes."""
    skip = {".git", "tmp"} | (set() if cache else {"cache"})
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not skip & set(p.relative_to(root).parts)
    }


@pytest.fixture
def source(tmp_path_factory, trail, monkeypatch):
    """A trail repository with a tracked directory, a stage output and a Git file, pushed to
    its remote (two versions: tag v1, then main)."""
    src = TmpDir(tmp_path_factory.mktemp("source"))
    store = tmp_path_factory.mktemp("source-store")
    monkeypatch.chdir(src)
    src.git("init", "-q", "-b", "main")
    _ok(trail("init"))
    src.gen({"data": {"a.txt": "v1", "sub": {"b.txt": "bee", "c.txt": "sea"}}, "README": "git"})
    src.gen(
        "trail.yaml", "stages:\n  make:\n    cmd: echo built > model.txt\n    outs: [model.txt]\n"
    )
    _ok(trail("add", "data"))
    _ok(trail("repro"))
    _ok(trail("remote", "add", "-d", "store", str(store)))
    src.git("add", "-A")
    src.git("commit", "-q", "-m", "v1")
    src.git("tag", "v1")
    src.gen({"data": {"a.txt": "v2"}})
    _ok(trail("add", "data"))
    src.git("commit", "-q", "-am", "v2")
    _ok(trail("push", "-T"))
    src.store = store
    return src


@pytest.fixture
def here(source, tmp_path_factory, monkeypatch, trail):
    """A trail repository to import into (the current directory)."""
    dst = TmpDir(tmp_path_factory.mktemp("here"))
    monkeypatch.chdir(dst)
    dst.git("init", "-q", "-b", "main")
    _ok(trail("init"))
    dst.git("add", "-A")
    dst.git("commit", "-q", "-m", "init")
    return dst


def _pointer(path):
    return yaml.safe_load(path.read_text())


def test_import_a_directory_records_where_it_came_from(source, here, trail):
    res = _ok(trail("import", str(source), "data"))
    assert f"Importing 'data ({source})' -> 'data'" in res.out
    assert (here / "data" / "a.txt").read_text() == "v2"
    assert (here / "data" / "sub" / "c.txt").read_text() == "sea"
    d = _pointer(here / "data.trail")
    assert list(d) == ["md5", "frozen", "deps", "outs"]
    assert d["frozen"] is True
    head = source.git("rev-parse", "HEAD").strip()
    assert d["deps"] == [{"path": "data", "repo": {"url": str(source), "rev_lock": head}}]
    assert d["outs"][0]["hash"] == "blake3" and d["outs"][0]["nfiles"] == 3
    assert "/data" in (here / ".gitignore").read_text().splitlines()
    assert _ok(trail("status")).out.strip() == "Data and pipelines are up to date."


def test_import_a_file_inside_a_directory_a_stage_output_and_a_git_file(source, here, trail):
    _ok(trail("import", str(source), "data/sub", "-o", "sub"))
    assert sorted(p.name for p in (here / "sub").iterdir()) == ["b.txt", "c.txt"]
    _ok(trail("import", str(source), "data/sub/b.txt", "--rev", "v1"))
    assert (here / "b.txt").read_text() == "bee"
    assert _pointer(here / "b.txt.trail")["deps"][0]["repo"]["rev"] == "v1"
    _ok(trail("import", str(source), "model.txt"))
    assert (here / "model.txt").read_text() == "built\n"
    _ok(trail("import", str(source), "README"))
    assert (here / "README").read_text() == "git"
    assert _ok(trail("status", "--json")).out.strip() == "{}"


def test_objects_come_from_the_remote_when_the_source_cache_lacks_them(source, here, trail):
    shutil.rmtree(source / ".trail" / "cache")
    _ok(trail("import", str(source), "data", "--rev", "v1"))
    assert (here / "data" / "a.txt").read_text() == "v1"


def test_import_into_a_directory_and_overwrite_with_force(source, here, trail):
    (here / "inputs").mkdir()
    _ok(trail("import", str(source), "data/a.txt", "-o", "inputs"))
    assert (here / "inputs" / "a.txt").read_text() == "v2"
    res = trail("import", str(source), "data/a.txt", "-o", "inputs/a.txt", "--rev", "v1")
    assert res.code == 1 and "'inputs/a.txt.trail' already exists: use -f" in res.err
    _ok(trail("import", "-f", str(source), "data/a.txt", "-o", "inputs/a.txt", "--rev", "v1"))
    assert (here / "inputs" / "a.txt").read_text() == "v1"


def test_no_exec_and_no_download(source, here, trail):
    _ok(trail("import", "--no-exec", str(source), "data"))
    d = _pointer(here / "data.trail")
    assert "md5" not in d and d["outs"] == [{"hash": "blake3", "path": "data"}]
    assert "rev_lock" not in d["deps"][0]["repo"]
    assert not (here / "data").exists()
    _ok(trail("import", "--no-download", str(source), "README"))
    d = _pointer(here / "README.trail")
    assert d["deps"][0]["repo"]["rev_lock"] == source.git("rev-parse", "HEAD").strip()
    assert d["outs"] == [{"hash": "blake3", "path": "README"}]
    status = json.loads(_ok(trail("status", "--json")).out)
    assert status["data.trail"] == [{"changed outs": {"data": "deleted"}}, "changed checksum"]
    assert status["README.trail"] == [{"changed outs": {"README": "deleted"}}]
    # update brings the data
    _ok(trail("update", "README.trail"))
    assert (here / "README").read_text() == "git"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nothing/here"], "'nothing/here' does not exist in "),
        (["data", "--rev", "no-such-rev"], "unknown revision 'no-such-rev' in "),
        (["data", "-r", "nope"], "unknown remote 'nope'"),
    ],
)
def test_bad_import_changes_nothing(source, here, trail, args, message):
    before = snapshot(here)
    res = trail("import", str(source), *args)
    assert res.code in (1, 3) and message in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert snapshot(here) == before


def test_unreachable_repository_and_existing_output(source, here, trail, tmp_path):
    before = snapshot(here)
    res = trail("import", str(tmp_path / "no-repo"), "data")
    assert res.code == 1 and "cannot read repository" in res.err
    assert len(res.err.strip().splitlines()) == 1
    here.gen("data", "mine")
    res = trail("import", str(source), "data")
    assert res.code == 1 and "'data' already exists" in res.err
    assert snapshot(here) == {**before, "data": b"mine"}


def test_a_corrupt_object_on_the_source_remote_is_refused(source, here, trail):
    shutil.rmtree(source / ".trail" / "cache")
    for p in source.store.rglob("*"):
        if p.is_file() and not p.name.endswith(".dir") and p.read_bytes() == b"bee":
            p.chmod(0o644)
            p.write_bytes(b"BAD")
    before = snapshot(here, cache=False)
    res = trail("import", str(source), "data")
    assert res.code == 1 and "is corrupt" in res.err and "cannot get 'data'" in res.err
    assert snapshot(here, cache=False) == before
    assert b"BAD" not in snapshot(here).values()  # never in the cache


def test_update_follows_the_source(source, here, trail, monkeypatch):
    _ok(trail("import", str(source), "data"))
    _ok(trail("import", str(source), "README", "--rev", "v1"))
    res = _ok(trail("update"))
    assert "'data.trail' is up to date." in res.out
    monkeypatch.chdir(source)
    source.gen({"data": {"a.txt": "v3"}})
    _ok(trail("add", "data"))
    source.git("commit", "-q", "-am", "v3")
    monkeypatch.chdir(here)
    status = json.loads(_ok(trail("status", "--json")).out)
    assert status == {
        "data.trail": [{"changed deps": {f"data ({source})": "update available"}}]
    }  # README is pinned to v1: no news for it
    assert _ok(trail("status", "--no-updates", "--json")).out.strip() == "{}"
    before = (here / "data.trail").read_text()
    res = _ok(trail("update", "data.trail"))
    assert "Updated 'data.trail'" in res.out
    assert (here / "data" / "a.txt").read_text() == "v3"
    assert (here / "data.trail").read_text() != before
    assert _ok(trail("status", "--json")).out.strip() == "{}"
    _ok(trail("update", "data.trail", "--rev", "v1"))
    assert (here / "data" / "a.txt").read_text() == "v1"
    assert _pointer(here / "data.trail")["deps"][0]["repo"]["rev"] == "v1"


def test_update_that_fails_changes_nothing(source, here, trail, monkeypatch):
    _ok(trail("import", str(source), "data"))
    monkeypatch.chdir(source)
    source.gen({"data": {"a.txt": "v3"}})
    _ok(trail("add", "data"))
    source.git("commit", "-q", "-am", "v3")
    shutil.rmtree(source / ".trail" / "cache")  # v3 was never pushed
    monkeypatch.chdir(here)
    before = snapshot(here, cache=False)
    res = trail("update", "data.trail")
    assert res.code == 1 and "not on the remote" in res.err
    assert snapshot(here, cache=False) == before
    res = trail("update", "data.trail", "--rev", "no-such-rev")
    assert res.code == 1 and "unknown revision 'no-such-rev'" in res.err
    res = trail("update", ".gitignore")
    assert res.code == 1 and "is not an import pointer file" in res.err


def test_pull_fetches_imports_from_their_source(source, here, trail, tmp_path_factory, monkeypatch):
    _ok(trail("import", str(source), "data"))
    _ok(trail("import", str(source), "data/sub", "-o", "sub", "--rev", "v1"))
    here.git("add", "-A")
    here.git("commit", "-q", "-m", "imports")
    clone = tmp_path_factory.mktemp("clone") / "c"
    subprocess.run(["git", "clone", "-q", str(here), str(clone)], check=True)
    monkeypatch.chdir(clone)
    status = json.loads(_ok(trail("status", "--json")).out)
    assert status["data.trail"] == [{"changed outs": {"data": "not in cache"}}]
    res = _ok(trail("pull"))  # no remote of our own is needed for imports
    assert (clone / "data" / "a.txt").read_text() == "v2"
    assert (clone / "sub" / "b.txt").read_text() == "bee"
    assert "files fetched" in res.out
    assert _ok(trail("status", "--json")).out.strip() == "{}"
    assert "Everything is up to date." in _ok(trail("pull")).out


def test_push_leaves_repository_imports_to_their_source_and_gc_keeps_them(
    source, here, trail, tmp_path_factory
):
    _ok(trail("import", str(source), "data"))
    store = tmp_path_factory.mktemp("here-store")
    _ok(trail("remote", "add", "-d", "s", str(store)))
    _ok(trail("push"))
    assert not [p for p in store.rglob("*") if p.is_file() and p.name != ".trail-gc"]
    assert "in sync" in _ok(trail("status", "-c")).out
    _ok(trail("gc", "-w", "-f"))
    shutil.rmtree(here / "data")
    _ok(trail("checkout"))
    assert (here / "data" / "a.txt").read_text() == "v2"


def test_pull_names_an_unreachable_source(source, here, trail, tmp_path_factory, monkeypatch):
    _ok(trail("import", str(source), "data"))
    here.git("add", "-A")
    here.git("commit", "-q", "-m", "import")
    clone = tmp_path_factory.mktemp("clone") / "c"
    subprocess.run(["git", "clone", "-q", str(here), str(clone)], check=True)
    source.rename(source.parent / "moved-away")
    monkeypatch.chdir(clone)
    res = trail("pull")
    assert res.code == 1 and "1 objects failed to fetch" in res.err
    assert f"cannot read repository {source}" in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert not (clone / "data").exists()
    res = trail("status", "--json")  # what it can say, and a warning for the source it cannot ask
    assert res.code == 0 and json.loads(res.out) == {
        "data.trail": [{"changed outs": {"data": "not in cache"}}]
    }
    assert res.err.startswith(f"WARNING: cannot check {source} for updates: ")
    assert "WARNING" not in trail("status", "--no-updates").err


def test_import_into_the_dvc_dialect_hashes_anew(source, trail, tmp_path_factory, monkeypatch):
    dst = TmpDir(tmp_path_factory.mktemp("dvc-here"))
    monkeypatch.chdir(dst)
    dst.git("init", "-q", "-b", "main")
    _ok(trail("init", "--dvc"))
    _ok(trail("import", str(source), "data"))
    _ok(trail("import", str(source), "data/sub/b.txt", "--rev", "v1"))
    out = _pointer(dst / "data.dvc")["outs"][0]
    assert out["hash"] == "md5" and out["md5"].endswith(".dir") and out["nfiles"] == 3
    assert _pointer(dst / "b.txt.dvc")["outs"][0]["md5"] == hashlib.md5(b"bee").hexdigest()
    assert (dst / "data" / "a.txt").read_text() == "v2"
    assert _ok(trail("status", "--json")).out.strip() == "{}"


def test_paths_and_links_that_leave_the_source_are_refused(source, here, trail, monkeypatch):
    monkeypatch.chdir(source)
    secret = source.parent / "secret.txt"
    secret.write_text("not yours")
    os.symlink(secret, source / "leak")
    (source / "dir").mkdir()
    os.symlink(secret, source / "dir" / "inner")
    source.git("add", "leak", "dir")
    source.git("commit", "-q", "-m", "links")
    monkeypatch.chdir(here)
    before = snapshot(here)
    for path in ("leak", "dir", "../secret.txt"):
        res = trail("import", str(source), path, "-o", "x")
        assert res.code == 1 and "it would escape the repository" in res.err, path
    assert snapshot(here) == before
