"""A folder remote on the cache's file system shares objects by hard link (as ``git clone``
does for a local repository) when no workspace file shares an inode with the cache; elsewhere,
with a hardlink/symlink cache, or for a writable object, bytes are copied."""

from __future__ import annotations

import os
import pathlib
import shutil
import tempfile

import pytest


def _ok(res):
    assert res.code == 0, res.err
    return res


def _objects(root):
    return {p.name: p for p in root.rglob("*") if p.is_file() and p.name != ".trail-gc"}


@pytest.fixture
def tracked(trail_repo, trail):
    trail_repo.gen({"data": {"a.txt": "alpha", "b.txt": "beta"}})
    _ok(trail("add", "data"))
    return trail_repo


def _inodes(root):
    return {name: os.stat(p).st_ino for name, p in _objects(root).items()}


def test_same_file_system_links_both_ways(tracked, trail, tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    _ok(trail("remote", "add", "-d", "s", str(store)))
    _ok(trail("push"))
    cache = tracked / ".trail" / "cache"
    assert _inodes(store) == _inodes(cache)
    assert all(not os.stat(p).st_mode & 0o222 for p in _objects(store).values())
    shutil.rmtree(cache)
    shutil.rmtree(tracked / "data")
    _ok(trail("pull"))
    assert _inodes(store) == _inodes(cache)
    assert (tracked / "data" / "a.txt").read_text() == "alpha"
    # the workspace has its own copies (cache.type copy): editing one harms nothing
    (tracked / "data" / "a.txt").write_text("edited")
    assert sorted(p.read_bytes() for p in _objects(store).values() if p.suffix != ".dir") == [
        b"alpha",
        b"beta",
    ]


def test_another_file_system_gets_copies(tracked, trail):
    if not os.path.isdir("/dev/shm") or os.stat("/dev/shm").st_dev == os.stat(tracked).st_dev:
        pytest.skip("no tmpfs at /dev/shm apart from the repository's file system")
    store = pathlib.Path(tempfile.mkdtemp(dir="/dev/shm", prefix="trail-store-"))
    try:
        _ok(trail("remote", "add", "-d", "s", str(store)))
        assert "3 files pushed" in _ok(trail("push")).out
        cache_inodes = set(_inodes(tracked / ".trail" / "cache").values())
        assert not cache_inodes & set(_inodes(store).values())
        shutil.rmtree(tracked / ".trail" / "cache")
        _ok(trail("fetch"))
        assert len(_objects(tracked / ".trail" / "cache")) == 3
    finally:
        shutil.rmtree(store)


def test_a_writable_remote_object_is_copied_not_linked(tracked, trail, tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    _ok(trail("remote", "add", "-d", "s", str(store)))
    _ok(trail("push"))
    cache = tracked / ".trail" / "cache"
    shutil.rmtree(cache)
    for p in _objects(store).values():  # as a copy by an older tool might have left them
        data = p.read_bytes()
        p.unlink()
        p.write_bytes(data)
        p.chmod(0o644)
    _ok(trail("fetch"))
    assert not set(_inodes(cache).values()) & set(_inodes(store).values())
    assert all(not os.stat(p).st_mode & 0o222 for p in _objects(cache).values())


@pytest.mark.parametrize("kind", ["hardlink", "symlink", "reflink,hardlink,copy"])
def test_a_cache_linked_into_the_workspace_is_copied_to_the_remote(
    trail_repo, trail, kind, tmp_path_factory
):
    """With workspace files linked to the cache, an edit in place (root ignores the read-only
    bit) would reach the cache; the remote must not share that inode too."""
    _ok(trail("config", "cache.type", kind))
    trail_repo.gen({"data": {"a.txt": "alpha"}})
    _ok(trail("add", "data"))
    store = tmp_path_factory.mktemp("store")
    _ok(trail("remote", "add", "-d", "s", str(store)))
    _ok(trail("push"))
    cache = trail_repo / ".trail" / "cache"
    assert not set(_inodes(store).values()) & set(_inodes(cache).values())
    shutil.rmtree(cache)
    _ok(trail("fetch"))
    assert not set(_inodes(store).values()) & set(_inodes(cache).values())
