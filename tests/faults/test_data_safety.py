"""Data safety faults: directory symlinks in the workspace, files that change while `add` stores
them, corrupt objects on their way to a remote, writes through hardlinks into the cache.

Each test reads the bytes that must survive (outside files, untracked files, cached objects) and
checks the cache with `fsck`: losing data or storing an object under a wrong name fails it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from trail.testing.plugin import trail_exe


def _snapshot(path):
    """Every file below ``path`` with its bytes (what must survive untouched)."""
    return {
        str(p.relative_to(path)): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


def _objects(root):
    cache = root / ".trail" / "cache" / "files"
    return [p for p in cache.rglob("*") if p.is_file()]


def _fsck_sound(trail):
    res = trail("fsck", "--no-quarantine")
    assert res.code == 0, res.err


# ---------------------------------------------------------------- directory symlinks


@pytest.fixture
def outside(tmp_path_factory):
    """A directory outside the repository that a symlink in the workspace points to."""
    ext = tmp_path_factory.mktemp("outside") / "ext"
    ext.mkdir()
    (ext / "a").write_text("outside a, edited")
    (ext / "z").write_text("a file only the outside directory has")
    return ext


@pytest.mark.parametrize("force", [False, True])
def test_checkout_never_reaches_outside_through_a_symlinked_output(
    trail_repo, trail, outside, force
):
    trail_repo.gen({"data": {"a": "a", "b": "b"}})
    assert trail("add", "data").code == 0
    shutil.rmtree(trail_repo / "data")
    (trail_repo / "data").symlink_to(outside)
    before = _snapshot(outside)
    res = trail("checkout", *(["-f"] if force else []))
    assert res.code == 1
    assert "symlink" in res.err and "'data'" in res.err
    assert "use -f" not in res.err and "or -f" not in res.err  # -f would destroy ext/z
    assert _snapshot(outside) == before
    assert (trail_repo / "data").is_symlink()


def test_checkout_keeps_untracked_files_of_a_linked_directory_inside(trail_repo, trail):
    trail_repo.gen({"data": {"a": "a"}})
    assert trail("add", "data").code == 0
    shutil.rmtree(trail_repo / "data")
    trail_repo.gen({"real": {"a": "edited", "notes.txt": "untracked, only here"}})
    (trail_repo / "data").symlink_to("real")
    before = _snapshot(trail_repo / "real")
    assert trail("checkout", "-f").code == 1
    assert trail("checkout", "-f", "data").code == 1
    assert _snapshot(trail_repo / "real") == before


def test_checkout_refuses_a_symlinked_folder_inside_a_tracked_directory(trail_repo, trail, outside):
    trail_repo.gen({"data": {"top": "t", "sub": {"a": "tracked a", "b": "tracked b"}}})
    assert trail("add", "data").code == 0
    shutil.rmtree(trail_repo / "data" / "sub")
    (trail_repo / "data" / "sub").symlink_to(outside)
    before = _snapshot(outside)
    res = trail("checkout", "-f")
    assert res.code == 1 and "'data/sub'" in res.err and "symlink" in res.err
    assert _snapshot(outside) == before


def test_checkout_refuses_an_output_below_a_symlinked_parent(trail_repo, trail, outside):
    """A stage output whose folder became a link (to bigger storage, say)."""
    trail_repo.gen(
        "trail.yaml",
        "stages:\n  train:\n    cmd: mkdir -p models && echo v1 > models/m.pkl\n"
        "    outs: [models/m.pkl]\n",
    )
    assert trail("repro").code == 0
    shutil.rmtree(trail_repo / "models")
    (trail_repo / "models").symlink_to(outside)
    before = _snapshot(outside)
    for args in (["checkout"], ["checkout", "-f"]):
        res = trail(*args)
        assert res.code == 1 and "'models'" in res.err, res.err
    assert _snapshot(outside) == before


def test_symlinks_are_checked_before_anything_is_touched(trail_repo, trail, outside):
    trail_repo.gen({"a.txt": "a", "data": {"x": "x"}})
    assert trail("add", "a.txt", "data").code == 0
    (trail_repo / "a.txt").unlink()
    shutil.rmtree(trail_repo / "data")
    (trail_repo / "data").symlink_to(outside)
    res = trail("checkout", "-f")
    assert res.code == 1 and "'data'" in res.err
    assert not (trail_repo / "a.txt").exists()  # refused as a whole, not half done


def test_add_and_commit_refuse_symlinked_directories(trail_repo, trail, outside):
    (trail_repo / "data").symlink_to(outside)
    for target in ("data", "data/a"):
        res = trail("add", target)
        assert res.code == 1 and "symlink to a directory" in res.err, res.err
    assert not [p for p in trail_repo.glob("*.trail") if p.is_file()]
    assert not _objects(trail_repo)
    # An output that became a link later is not committed through it either.
    (trail_repo / "data").unlink()
    trail_repo.gen({"data": {"a": "a"}})
    assert trail("add", "data").code == 0
    shutil.rmtree(trail_repo / "data")
    (trail_repo / "data").symlink_to(outside)
    pointer = (trail_repo / "data.trail").read_text()
    res = trail("commit", "-f")
    assert res.code == 1 and "symlink to a directory" in res.err
    assert (trail_repo / "data.trail").read_text() == pointer


def test_a_symlinked_file_is_replaced_never_written_through(trail_repo, trail, outside):
    trail_repo.gen("f.txt", "tracked")
    assert trail("add", "f.txt").code == 0
    (trail_repo / "f.txt").unlink()
    (trail_repo / "f.txt").symlink_to(outside / "a")
    before = _snapshot(outside)
    assert trail("checkout", "-f").code == 0
    assert not (trail_repo / "f.txt").is_symlink()
    assert (trail_repo / "f.txt").read_text() == "tracked"
    assert _snapshot(outside) == before


# ---------------------------------------------------------------- files changing under add

BIG = 3 << 20  # above the size that is read into memory at once


@pytest.mark.parametrize("where", ["big.bin", "data/big.bin"])
def test_a_file_rewritten_while_it_is_stored_never_corrupts_the_cache(
    trail_repo, trail, monkeypatch, where
):
    """The writer strikes between the moment trail looks at the file and the moment its bytes
    reach the cache (once): the object is named by what was stored, and the file is read
    again, so the pointer file records the file as it is now."""
    from trail.odb import local

    path = trail_repo / where
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"a" * BIG)
    real_copy = local.copy_file
    struck = []

    def rewriting_copy(src, dst, on_bytes=None):
        if not struck:
            struck.append(src)
            time.sleep(0.01)  # a new mtime tick
            with open(src, "r+b") as f:
                f.write(b"b" * BIG)
        return real_copy(src, dst, on_bytes)

    monkeypatch.setattr(local, "copy_file", rewriting_copy)
    target = where.split("/")[0]
    res = trail("add", target)
    assert res.code == 0, res.err
    assert struck
    _fsck_sound(trail)
    assert json.loads(trail("status", "--json").out) == {}
    shutil.rmtree(trail_repo / target) if "/" in where else path.unlink()
    assert trail("checkout").code == 0
    assert path.read_bytes() == b"b" * BIG


def test_a_file_that_keeps_changing_is_refused_by_name(trail_repo, trail, monkeypatch):
    from trail.odb import local

    path = trail_repo / "big.bin"
    path.write_bytes(b"0" * BIG)
    real_copy = local.copy_file
    writes = [0]

    def rewriting_copy(src, dst, on_bytes=None):
        real_copy(src, dst, on_bytes)
        writes[0] += 1
        time.sleep(0.01)
        with open(src, "r+b") as f:
            f.write(str(writes[0] % 10).encode() * BIG)

    monkeypatch.setattr(local, "copy_file", rewriting_copy)
    res = trail("add", "big.bin")
    assert res.code == 1
    assert "'big.bin' changed while it was being added" in res.err
    assert not (trail_repo / "big.bin.trail").exists()
    assert _objects(trail_repo) == []  # nothing stored under any name
    assert not [p for p in (trail_repo / ".trail").rglob("*") if ".trail-tmp-" in p.name]


def test_a_real_concurrent_writer_never_gets_a_wrong_object_into_the_cache(trail_repo):
    """A separate process rewrites the file in place as fast as it can while `trail add`
    runs: `add` either stores the file as it was at some instant or refuses naming it."""
    path = trail_repo / "big.bin"
    path.write_bytes(b"x" * (24 << 20))
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "end = time.time() + 3\n"
            "i = 0\n"
            "while time.time() < end:\n"
            "    with open(sys.argv[1], 'r+b') as f:\n"
            "        f.write(bytes([i % 256]) * (24 << 20))\n"
            "    i += 1\n",
            str(path),
        ]
    )
    try:
        time.sleep(0.3)
        res = subprocess.run([trail_exe(), "add", "big.bin"], capture_output=True, text=True)
    finally:
        writer.wait(timeout=30)
    if res.returncode != 0:
        assert "'big.bin' changed while it was being added" in res.stderr
    fsck = subprocess.run([trail_exe(), "fsck", "--no-quarantine"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr


# ---------------------------------------------------------------- push of corrupt objects


@pytest.fixture
def with_remote(trail_repo, trail, tmp_path_factory):
    store = tmp_path_factory.mktemp("remote") / "store"
    assert trail("remote", "add", "-d", "store", str(store)).code == 0
    return store


def _corrupt(obj, data=b"not what the name says"):
    os.chmod(obj, 0o644)
    obj.write_bytes(data)
    os.chmod(obj, 0o444)


def _object_of(repo, text):
    from trail.hashing import get

    hexval = get("blake3").hash_bytes(text.encode())
    return repo / ".trail" / "cache" / "files" / "blake3" / hexval[:2] / hexval[2:]


@pytest.mark.parametrize("size", [10, BIG])
def test_push_refuses_an_object_that_fails_its_hash(trail_repo, trail, with_remote, size):
    text = "m" * size
    trail_repo.gen({"model.bin": text, "data": {"a": "a", "b": "b"}})
    assert trail("add", "model.bin", "data").code == 0
    obj = _object_of(trail_repo, text)
    _corrupt(obj)
    res = trail("push")
    assert res.code == 1
    assert "corrupt in the local cache" in res.err and obj.name in res.err.replace(":", "")
    sent = {p.name for p in with_remote.rglob("*") if p.is_file()}
    assert obj.name not in sent
    # The directory, sound, went; its file objects with it.
    assert _object_of(trail_repo, "a").name in sent


def test_push_holds_back_the_manifest_of_a_directory_with_a_corrupt_file(
    trail_repo, trail, with_remote
):
    trail_repo.gen({"data": {"a": "a", "b": "b"}})
    assert trail("add", "data").code == 0
    _corrupt(_object_of(trail_repo, "a"))
    assert trail("push").code == 1
    assert not [p for p in with_remote.rglob("*.dir")]  # a manifest there promises its files


def test_push_checks_big_objects_the_stat_cache_vouched_for(trail_repo, trail, with_remote):
    """A big object remembered as sound when it was stored is hashed again once its stat
    changed (a write through a link changes it)."""
    text = "v" * BIG
    trail_repo.gen("big.bin", text)
    assert trail("add", "big.bin").code == 0
    obj = _object_of(trail_repo, text)
    time.sleep(0.01)
    _corrupt(obj, b"w" * BIG)
    assert trail("push").code == 1
    assert not [p for p in with_remote.rglob("*") if p.name == obj.name]


# ---------------------------------------------------------------- writes through hardlinks


def _write_through(path, data):
    """What root does without thinking: write to a read-only file (others chmod it first)."""
    if os.geteuid() != 0:
        os.chmod(path, 0o644)
    with open(path, "r+b") as f:
        f.write(data)


@pytest.mark.parametrize("kind", ["hardlink", "symlink"])
def test_status_and_fsck_catch_a_write_through_a_linked_file(trail_repo, trail, kind):
    assert trail("config", "cache.type", kind).code == 0
    trail_repo.gen({"f.txt": "version 1", "data": {"a": "a1", "b": "b1"}})
    assert trail("add", "f.txt", "data").code == 0
    assert json.loads(trail("status", "--json").out) == {}
    time.sleep(0.01)
    _write_through(trail_repo / "f.txt", b"VERSION 2")
    _write_through(trail_repo / "data" / "a", b"A2")
    out = json.loads(trail("status", "--json").out)
    assert out == {
        "data.trail": [{"changed outs": {"data": "corrupt in cache"}}],
        "f.txt.trail": [{"changed outs": {"f.txt": "corrupt in cache"}}],
    }
    text = trail("status")
    assert "corrupt in cache:" in text.out and "trail fsck" in text.err
    # What the warning says to do: keep the new content, move the damaged objects aside,
    # record the new content.
    assert trail("unprotect", "f.txt", "data").code == 0
    res = trail("fsck")
    assert res.code == 1 and res.err.count("corrupt:") == 2
    assert trail("commit").code == 0
    assert (trail_repo / "f.txt").read_bytes() == b"VERSION 2"
    assert json.loads(trail("status", "--json").out) == {}
    _fsck_sound(trail)


def test_a_plain_edit_of_a_copied_file_is_only_modified(trail_repo, trail):
    trail_repo.gen("f.txt", "version 1")
    assert trail("add", "f.txt").code == 0
    (trail_repo / "f.txt").write_text("version 2")
    out = json.loads(trail("status", "--json").out)
    assert out == {"f.txt.trail": [{"changed outs": {"f.txt": "modified"}}]}


def test_doctor_warns_about_linked_cache_types(trail_repo, trail):
    res = trail("doctor", "--json")
    assert not any(c["warning"] for c in json.loads(res.out))
    assert trail("config", "cache.type", "hardlink,copy").code == 0
    checks = {c["check"]: c for c in json.loads(trail("doctor", "--json").out)}
    linked = checks["linked files"]
    assert linked["warning"] and linked["ok"]
    assert "changes the cached object" in linked["detail"] and "unprotect" in linked["detail"]
    text = trail("doctor").out
    assert "WARN linked files" in text
