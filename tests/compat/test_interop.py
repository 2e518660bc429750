"""trail and the real dvc on the same repository, in both directions."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat

import pytest

pytestmark = pytest.mark.compat

DATA = {
    "data": {
        "a.txt": "hello\n",
        "empty": "",
        "crlf.txt": "x\r\ny\r\n",
        "sub": {"b.csv": "1,2\n3,4\n", "données.txt": "unicode name\n"},
        "deep": {"er": {"c.bin": bytes(range(256)) * 10}},
    },
    "model.pkl": b"\x00\x01weights" * 100,
}


def _tree(root):
    """Every file under root with its bytes (manifests keep no modes, in either tool)."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def _gen(repo):
    repo.gen(DATA)
    os.chmod(repo / "model.pkl", 0o755)


def _cache_files(repo):
    cache = repo / ".dvc" / "cache"
    return {str(p.relative_to(cache)): p.read_bytes() for p in cache.rglob("*") if p.is_file()}


def test_trail_reads_what_dvc_added(dvc_repo, dvc, trail):
    _gen(dvc_repo)
    before = _tree(dvc_repo / "data")
    dvc("add", "-q", "data", "model.pkl")
    res = trail("status", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out) == {}
    assert "up to date" in trail("status").out
    shutil.rmtree(dvc_repo / "data")
    os.unlink(dvc_repo / "model.pkl")
    res = trail("checkout")
    assert res.code == 0, res.err
    assert _tree(dvc_repo / "data") == before
    assert (dvc_repo / "model.pkl").read_bytes() == DATA["model.pkl"]
    assert os.access(dvc_repo / "model.pkl", os.X_OK)
    assert dvc("status", "--json").out.strip() == "{}"


def test_dvc_reads_what_trail_added(dvc_repo, dvc, trail, tmp_path_factory):
    _gen(dvc_repo)
    before = _tree(dvc_repo / "data")
    res = trail("add", "data", "model.pkl")
    assert res.code == 0, res.err
    assert dvc("status", "--json").out.strip() == "{}"
    shutil.rmtree(dvc_repo / "data")
    os.unlink(dvc_repo / "model.pkl")
    dvc("checkout", "-q")
    assert _tree(dvc_repo / "data") == before
    assert (dvc_repo / "model.pkl").read_bytes() == DATA["model.pkl"]
    assert os.access(dvc_repo / "model.pkl", os.X_OK)


def test_pointer_files_and_cache_are_byte_identical(scm, dvc, trail, tmp_path_factory):
    """The same data added by each tool in twin repositories gives the same bytes on disk."""
    twin = tmp_path_factory.mktemp("twin")
    for repo in (scm, twin):
        os.chdir(repo)
        if repo is twin:
            from trail.testing.plugin import TmpDir

            repo = TmpDir(twin)
            repo.git("init", "-q")
        dvc("init", "-q")
        _gen(repo)
    os.chdir(scm)
    assert trail("add", "data", "model.pkl").code == 0
    os.chdir(twin)
    dvc("add", "-q", "data", "model.pkl")
    for name in ("data.dvc", "model.pkl.dvc", ".gitignore"):
        assert (scm / name).read_bytes() == (twin / name).read_bytes(), name
    assert _cache_files(scm) == _cache_files(twin)


def test_same_status_json_after_a_change(dvc_repo, dvc, trail):
    _gen(dvc_repo)
    assert trail("add", "data").code == 0
    (dvc_repo / "data" / "a.txt").write_text("changed\n")
    expected = {"data.dvc": [{"changed outs": {"data": "modified"}}]}
    assert json.loads(dvc("status", "--json").out) == expected
    assert json.loads(trail("status", "--json").out) == expected
    os.unlink(dvc_repo / "model.pkl") if (dvc_repo / "model.pkl").exists() else None
    shutil.rmtree(dvc_repo / "data")
    expected = {"data.dvc": [{"changed outs": {"data": "deleted"}}]}
    assert json.loads(dvc("status", "--json").out) == expected
    assert json.loads(trail("status", "--json").out) == expected


def test_trail_init_dvc_is_accepted_by_dvc(scm, dvc, trail):
    assert trail("init", "--dvc").code == 0
    scm.git("commit", "-q", "-m", "init")
    scm.gen({"f.txt": "x"})
    dvc("add", "-q", "f.txt")
    assert dvc("status", "--json").out.strip() == "{}"
    assert json.loads(trail("status", "--json").out) == {}


def test_trail_commit_then_dvc_checks_out_older_revision(dvc_repo, dvc, trail):
    _gen(dvc_repo)
    assert trail("add", "data").code == 0
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "v1")
    v1 = _tree(dvc_repo / "data")
    (dvc_repo / "data" / "a.txt").write_text("v2\n")
    (dvc_repo / "data" / "new.txt").write_text("new\n")
    assert trail("commit").code == 0
    assert dvc("status", "--json").out.strip() == "{}"
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "v2")
    dvc_repo.git("checkout", "-q", "HEAD~1", "--", "data.dvc")
    dvc("checkout", "-q", "--force")
    assert _tree(dvc_repo / "data") == v1
    assert json.loads(trail("status", "--json").out) == {}


def test_legacy_dvc2_entries(dvc_repo, dvc, trail):
    """DVC 2 pointers (no ``hash:``, md5 of dos2unix'ed text, objects at the cache root)."""
    text = b"line one\r\nline two\r\n"
    (dvc_repo / "legacy.txt").write_bytes(text)
    md5 = hashlib.md5(text.replace(b"\r\n", b"\n")).hexdigest()
    obj = dvc_repo / ".dvc" / "cache" / md5[:2] / md5[2:]
    obj.parent.mkdir(parents=True)
    obj.write_bytes(text)
    os.chmod(obj, 0o444)
    (dvc_repo / "legacy.txt.dvc").write_text(
        f"outs:\n- md5: {md5}\n  size: {len(text)}\n  path: legacy.txt\n"
    )
    assert dvc("status", "--json").out.strip() == "{}"
    assert json.loads(trail("status", "--json").out) == {}
    os.unlink(dvc_repo / "legacy.txt")
    assert trail("checkout").code == 0
    assert (dvc_repo / "legacy.txt").read_bytes() == text
    # re-adding writes a DVC 3 entry, which dvc accepts
    (dvc_repo / "legacy.txt").write_bytes(b"new\r\n")
    assert trail("add", "legacy.txt").code == 0
    assert "hash: md5" in (dvc_repo / "legacy.txt.dvc").read_text()
    assert dvc("status", "--json").out.strip() == "{}"


def test_dvcignore_gives_the_same_directory_hash(dvc_repo, dvc, trail):
    dvc_repo.gen({"data": {"keep.csv": "1", "skip.tmp": "2", "logs": {"x.log": "3"}}})
    (dvc_repo / ".dvcignore").write_text("*.tmp\nlogs/\n")
    assert trail("add", "data").code == 0
    ours = (dvc_repo / "data.dvc").read_text()
    os.unlink(dvc_repo / "data.dvc")
    dvc("add", "-q", "data")
    assert (dvc_repo / "data.dvc").read_text() == ours
    assert "nfiles: 1" in ours


def test_gc_in_a_dvc_repository(dvc_repo, dvc, trail):
    _gen(dvc_repo)
    assert trail("add", "data").code == 0
    (dvc_repo / "data" / "a.txt").write_text("v2\n")
    assert trail("add", "data").code == 0
    res = trail("gc", "-w", "-f")
    assert res.code == 0 and "Removed 2 objects" in res.out
    shutil.rmtree(dvc_repo / "data")
    dvc("checkout", "-q")
    assert (dvc_repo / "data" / "a.txt").read_text() == "v2\n"
    assert dvc("status", "--json").out.strip() == "{}"


def test_trail_waits_for_the_lock_dvc_holds(dvc_repo, trail, dvc_holding_lock):
    """While the real dvc holds its repository lock, trail does not write."""
    dvc_repo.gen({"f": "x"})
    with dvc_holding_lock():
        # Set once dvc has read its config: dvc 3.67 refuses options it does not know.
        trail("config", "core.lock_timeout", "0.2")
        res = trail("add", "f")
        trail("config", "--unset", "core.lock_timeout")
    assert res.code == 1 and "locked" in res.err
    assert not (dvc_repo / "f.dvc").exists()
    assert trail("add", "f").code == 0  # free again once dvc lets go


def test_dvc_waits_for_the_lock_trail_holds(dvc_repo, dvc):
    """The reverse: trail's repository lock in a DVC repository stops the real dvc."""
    from trail.lock import repo_lock

    dvc_repo.gen({"f": "x"})
    with repo_lock(str(dvc_repo / ".dvc" / "tmp" / "lock"), 1):
        res = dvc("add", "f", check=False)
    assert res.code != 0 and "lock" in (res.err + res.out).lower()
    assert not (dvc_repo / "f.dvc").exists()


def test_trail_keeps_its_state_under_dvc_tmp(dvc_repo, dvc, trail):
    _gen(dvc_repo)
    assert trail("add", "data").code == 0
    assert (dvc_repo / ".dvc" / "tmp" / "trail" / "state.db").exists()
    assert dvc_repo.git("status", "--porcelain", "--", ".dvc") == ""


def test_symlink_cache_type_is_read_by_dvc(dvc_repo, dvc, trail):
    assert trail("config", "cache.type", "symlink").code == 0
    _gen(dvc_repo)
    assert trail("add", "data").code == 0
    link = dvc_repo / "data" / "a.txt"
    assert link.is_symlink()
    assert not stat.S_IMODE(link.stat().st_mode) & 0o222
    assert dvc("status", "--json").out.strip() == "{}"
