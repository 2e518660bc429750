"""Every backend: push/pull/fetch, partial targets, verified downloads, no partial objects,
idempotent re-push, the remote index, status -c and gc -c."""

from __future__ import annotations

import os

import pytest
from conftest import clone

from trail.testing.plugin import run_main as trail


def _cache_files(repo):
    return sorted(p.name for p in (repo / ".trail" / "cache").rglob("*") if p.is_file())


@pytest.fixture
def other(shared, backend, tmp_path_factory, monkeypatch):
    """A fresh clone of ``shared`` after its data was pushed, as the current directory."""
    res = backend.push()
    assert res.code == 0, res.err
    dst = clone(shared, tmp_path_factory.mktemp("clone") / "b", backend)
    monkeypatch.chdir(dst)
    backend.configure()
    return dst


def test_push_then_pull_in_a_fresh_clone(other, backend):
    res = trail("pull")
    assert res.code == 0, res.err
    assert (other / "data" / "sub" / "c.txt").read_text() == "gamma"
    assert (other / "model.bin").read_bytes() == b"\x00weights" * 1000
    assert trail("status").out.strip() == "Data and pipelines are up to date."
    assert "in sync" in trail("status", "-c").out


def test_objects_sit_where_the_cache_has_them(shared, backend):
    assert backend.push().code == 0
    remote = [f for f in backend.files() if f.startswith("files/")]
    local = sorted(
        str(p.relative_to(shared / ".trail" / "cache")).replace(os.sep, "/")
        for p in (shared / ".trail" / "cache" / "files").rglob("*")
        if p.is_file()
    )
    assert sorted(remote) == local
    assert not [f for f in backend.files() if "tmp" in f.rsplit("/", 1)[-1]]


def test_repush_is_a_no_op(shared, backend):
    first = backend.push()
    assert first.code == 0 and "5 files pushed" in first.out
    again = backend.push()
    assert again.code == 0 and "Everything is up to date." in again.out


def test_fetch_fills_only_the_cache(other):
    res = trail("fetch")
    assert res.code == 0, res.err
    assert not (other / "data").exists()
    assert len(_cache_files(other)) == 5
    assert trail("checkout").code == 0
    assert (other / "data" / "a.txt").read_text() == "alpha"


def test_a_path_inside_a_directory_moves_only_that_part(other):
    res = trail("pull", "data/sub/b.txt")
    assert res.code == 0, res.err
    assert "2 files fetched" in res.out  # the manifest and the one file
    assert (other / "data" / "sub" / "b.txt").read_text() == "beta"
    assert not (other / "data" / "a.txt").exists()
    assert not (other / "model.bin").exists()


def test_a_corrupt_remote_object_never_enters_the_cache(other, backend):
    import blake3

    good = blake3.blake3(b"alpha").hexdigest()
    rel = f"files/blake3/{good[:2]}/{good[2:]}"
    backend.write(rel, b"alphx")
    res = trail("pull")
    assert res.code == 1
    assert "is corrupt" in res.err and good in res.err
    assert good[2:] not in _cache_files(other)
    assert (other / "data" / "sub" / "c.txt").read_text() == "gamma"  # the rest arrived
    backend.write(rel, b"alpha")
    assert trail("pull").code == 0
    assert (other / "data" / "a.txt").read_text() == "alpha"


def test_an_object_missing_on_the_remote_is_named(other, backend):
    import blake3

    h = blake3.blake3(b"beta").hexdigest()
    backend.delete(f"files/blake3/{h[:2]}/{h[2:]}")
    res = trail("fetch")
    assert res.code == 1
    assert f"{h}: not on the remote" in res.err
    assert "run the command again to retry" in res.err


def test_status_cloud_words(shared, backend):
    res = trail("status", "-c", "--json")
    assert res.code == 0, res.err
    import json

    before = json.loads(res.out)
    assert before["data/a.txt"] == "new" and before["model.bin"] == "new"
    assert backend.push().code == 0
    assert json.loads(trail("status", "-c", "--json").out) == {}
    import blake3

    h = blake3.blake3(b"alpha").hexdigest()
    os.chmod(shared / ".trail" / "cache" / "files" / "blake3" / h[:2], 0o755)
    os.unlink(shared / ".trail" / "cache" / "files" / "blake3" / h[:2] / h[2:])
    assert json.loads(trail("status", "-c", "--json").out) == {"data/a.txt": "deleted"}
    text = trail("status", "-c").out
    assert "deleted:" in text and "data/a.txt" in text


def test_push_to_a_read_only_remote_fails_clearly(shared, backend):
    if backend.writable:
        pytest.skip("only the HTTP remote is read-only")
    res = trail("push")
    assert res.code == 1
    assert "is read-only" in res.err


def test_index_skips_known_objects_until_no_index(shared, backend):
    if not backend.writable:
        pytest.skip("read-only remote")
    assert backend.push().code == 0
    import blake3

    h = blake3.blake3(b"gamma").hexdigest()
    backend.delete(f"files/blake3/{h[:2]}/{h[2:]}")
    # The index trusts what it saw (SPEC 11)…
    assert "Everything is up to date." in trail("push").out
    # …status -c always asks the remote…
    assert '"data/sub/c.txt": "new"' in trail("status", "-c", "--json").out
    # …and --no-index forgets it.
    res = trail("push", "--no-index")
    assert res.code == 0 and "1 files pushed" in res.out
    assert f"files/blake3/{h[:2]}/{h[2:]}" in backend.files()


def test_gc_cloud_removes_only_what_no_kept_revision_needs(shared, backend):
    if not backend.writable:
        pytest.skip("read-only remote")
    assert backend.push().code == 0
    shared.gen({"data": {"a.txt": "ALPHA v2"}})
    assert trail("add", "data").code == 0
    shared.git("commit", "-q", "-am", "v2")
    assert backend.push().code == 0
    before = set(backend.files())
    dry = trail("gc", "-w", "-c", "--dry")
    assert dry.code == 0
    assert "Would remove 2 objects from remote r." in dry.out  # old a.txt and old manifest
    assert set(backend.files()) == before
    res = trail("gc", "-w", "-c", "-f")
    assert res.code == 0, res.err
    assert "Removed 2 objects from remote r." in res.out
    after = set(backend.files())
    assert len(before - after) == 2 and ".trail-gc" in after
    assert "in sync" in trail("status", "-c").out
    # -a keeps every branch's data: nothing more goes.
    assert "Would remove 0 objects from remote" in trail("gc", "-a", "-c", "--dry").out


def test_gc_cloud_drops_every_index(shared, backend):
    if not backend.writable:
        pytest.skip("read-only remote")
    assert backend.push().code == 0
    import blake3

    h = blake3.blake3(b"beta").hexdigest()
    backend.delete(f"files/blake3/{h[:2]}/{h[2:]}")
    assert trail("gc", "-w", "-c", "-f").code == 0  # nothing to remove, marker rewritten
    res = trail("push")
    assert res.code == 0 and "1 files pushed" in res.out
