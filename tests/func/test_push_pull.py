"""push/pull/fetch options on local folder remotes: per-output remote and push, revisions,
bad input."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def repo(trail_repo, trail, tmp_path_factory):
    trail_repo.gen({"data": {"a": "1", "b": "2"}, "model": "m"})
    assert trail("add", "data", "model").code == 0
    store = tmp_path_factory.mktemp("store")
    assert trail("remote", "add", "-d", "main", str(store)).code == 0
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "v1")
    trail_repo.store = store
    return trail_repo


def _objects(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file() and p.name != ".trail-gc")


def test_push_false_and_a_per_output_remote(repo, trail, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    assert trail("remote", "add", "other", str(other)).code == 0
    text = (repo / "model.trail").read_text()
    (repo / "model.trail").write_text(text.rstrip("\n") + "\n  remote: other\n")
    text = (repo / "data.trail").read_text()
    (repo / "data.trail").write_text(text.rstrip("\n") + "\n  push: false\n")
    res = trail("push")
    assert res.code == 0, res.err
    assert _objects(repo.store) == []
    assert len(_objects(other)) == 1
    assert "1 files pushed" in res.out
    # -r sends everything that may be pushed to the one remote named
    assert trail("push", "-r", "main").code == 0
    assert len(_objects(repo.store)) == 1


def test_pull_says_what_it_checked_out(repo, trail):
    assert trail("push").code == 0
    import shutil

    shutil.rmtree(repo / ".trail" / "cache")
    shutil.rmtree(repo / "data")
    res = trail("pull")
    assert res.code == 0, res.err
    assert res.out.splitlines() == ["A       data/", "4 files fetched"]  # model unchanged
    (repo / "model").unlink()
    res = trail("pull")  # its object is in the cache: nothing to fetch, but it comes back
    assert res.out.splitlines() == ["A       model", "Nothing fetched: checked out from the cache."]
    assert (repo / "model").read_text() == "m"
    assert trail("pull").out.splitlines() == ["Everything is up to date."]


def test_all_branches_pushes_old_data_too(repo, trail):
    repo.git("checkout", "-q", "-b", "old")
    repo.git("checkout", "-q", "main")
    repo.gen({"data": {"a": "changed"}})
    assert trail("add", "data").code == 0
    repo.git("commit", "-q", "-am", "v2")
    assert trail("push").code == 0
    only_ws = len(_objects(repo.store))
    res = trail("push", "-a")
    assert res.code == 0, res.err
    assert len(_objects(repo.store)) == only_ws + 2  # v1's a and v1's manifest


def test_status_cloud_says_missing_when_nobody_has_it(repo, trail):
    import shutil

    shutil.rmtree(repo / ".trail" / "cache")
    out = json.loads(trail("status", "-c", "--json").out)
    assert out == {"data": "missing", "model": "missing"}


def test_no_remote_configured(trail_repo, trail):
    trail_repo.gen("f", "x")
    trail("add", "f")
    for verb in ("push", "pull", "fetch"):
        res = trail(verb)
        assert res.code == 3
        assert "no default remote" in res.err
    res = trail("push", "-r", "nope")
    assert res.code == 3 and "unknown remote 'nope'" in res.err


def test_bad_jobs_and_untracked_target(repo, trail):
    res = trail("push", "-j", "0")
    assert res.code == 2 and "-j/--jobs must be at least 1" in res.err
    res = trail("push", "nothing-here")
    assert res.code == 1 and "'nothing-here' is not tracked" in res.err
    assert _objects(repo.store) == []


def test_missing_local_objects_are_listed_after_the_rest_went(repo, trail):
    import os

    cache = repo / ".trail" / "cache" / "files" / "blake3"
    victim = next(p for p in cache.rglob("*") if p.is_file() and not p.name.endswith(".dir"))
    os.chmod(victim.parent, 0o755)
    victim.unlink()
    res = trail("push")
    assert res.code == 1
    assert "missing from the local cache" in res.err
    assert len(_objects(repo.store)) >= 2


def test_pull_names_what_did_not_arrive_and_checks_out_the_rest(repo, trail, tmp_path_factory):
    import shutil

    assert trail("push").code == 0
    target = next(p for p in repo.store.rglob("*") if p.is_file() and p.read_bytes() == b"m")
    target.unlink()
    shutil.rmtree(repo / ".trail" / "cache")
    shutil.rmtree(repo / "data")
    (repo / "model").unlink()
    res = trail("pull")
    assert res.code == 1
    assert "not on the remote" in res.err
    assert (repo / "data" / "a").read_text() == "1"


def test_data_status_not_in_remote(repo, trail):
    out = json.loads(trail("data", "status", "--not-in-remote", "--json").out)
    assert out["not_in_remote"] == ["data/", "model"]
    granular = trail("data", "status", "--not-in-remote", "--granular", "--json").out
    assert json.loads(granular)["not_in_remote"] == ["data/a", "data/b", "model"]
    assert trail("push", "model").code == 0
    text = trail("data", "status", "--not-in-remote").out
    assert "Not in remote:" in text and "data/" in text and "model" not in text


@pytest.fixture
def small_disk(tmp_path_factory):
    """A 256 KiB tmpfs (SPEC 11: root in CI may mount one to test a full disk)."""
    import subprocess

    where = tmp_path_factory.mktemp("full")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    yield where
    subprocess.run(["umount", str(where)], check=True)


def test_full_disk_during_pull(trail_repo, trail, tmp_path_factory, small_disk):
    import os
    import shutil

    from trail import hashing

    trail_repo.gen({"data": {f"f{i}": os.urandom(60_000) for i in range(8)}})
    assert trail("add", "data").code == 0
    store = tmp_path_factory.mktemp("store")
    assert trail("remote", "add", "-d", "s", str(store)).code == 0
    assert trail("push").code == 0
    shutil.rmtree(trail_repo / ".trail" / "cache")
    shutil.rmtree(trail_repo / "data")
    assert trail("config", "cache.dir", str(small_disk)).code == 0
    res = trail("fetch")
    assert res.code == 1
    assert "no space left on device" in res.err
    assert "free some space and run the command again" in res.err  # retrying alone will not do
    # Whatever did land is whole and sound; no temp file is left behind.
    for path in small_disk.rglob("*"):
        if path.is_file():
            assert not path.name.startswith(".trail-tmp")
            oid = path.parent.name + path.name.removesuffix(".dir")
            assert hashing.get("blake3").hash_file(path) == oid
    assert trail("config", "-u", "cache.dir").code == 0
    assert trail("pull").code == 0
    assert len(list((trail_repo / "data").iterdir())) == 8


def test_gc_cloud_keeps_files_of_a_manifest_missing_from_the_cache(repo, trail):
    import shutil

    repo.git("tag", "v1")
    assert trail("push").code == 0
    repo.gen({"data": {"a": "new a"}})
    assert trail("add", "data").code == 0
    repo.git("commit", "-q", "-am", "v2")
    assert trail("push").code == 0
    shutil.rmtree(repo / ".trail" / "cache")  # v1's manifest is now only on the remote
    assert trail("fetch").code == 0
    before = _objects(repo.store)
    res = trail("gc", "-T", "-c", "-f")
    assert res.code == 0, res.err
    assert _objects(repo.store) == before  # v1's files stay: the tag keeps them
    out = trail("gc", "-w", "-c", "-f")
    assert out.code == 0 and "Removed 2 objects from remote main." in out.out


def test_gc_cloud_stops_when_a_kept_manifest_is_lost(repo, trail):
    assert trail("push").code == 0
    for p in repo.store.rglob("*.dir"):
        p.unlink()
    import shutil

    shutil.rmtree(repo / ".trail" / "cache")
    before = _objects(repo.store)
    res = trail("gc", "-w", "-c", "-f")
    assert res.code == 1
    assert "are in neither the cache nor the remote" in res.err
    assert _objects(repo.store) == before


def test_a_wiped_remote_is_noticed(repo, trail):
    import shutil

    assert trail("push").code == 0
    shutil.rmtree(repo.store)
    res = trail("push")
    assert res.code == 0 and "4 files pushed" in res.out
