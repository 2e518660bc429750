"""``trail import-url`` and ``update`` from a local path, HTTP, S3 (SeaweedFS) and SSH (sshd):
what each records, when update downloads, and faults."""

from __future__ import annotations

import json
import os
import time

import pytest
import yaml
from test_import import snapshot

from trail.testing.servers import S3_KEY, S3_SECRET, free_port


def _ok(res):
    assert res.code == 0, res.err
    return res


def _pointer(path):
    return yaml.safe_load(path.read_text())


@pytest.fixture
def outside(tmp_path_factory):
    d = tmp_path_factory.mktemp("outside")
    (d / "f.txt").write_text("one")
    (d / "dir" / "sub").mkdir(parents=True)
    (d / "dir" / "a.txt").write_text("a")
    (d / "dir" / "sub" / "b.txt").write_text("b")
    return d


def test_local_file_and_directory(trail_repo, trail, outside):
    _ok(trail("import-url", str(outside / "f.txt")))
    d = _pointer(trail_repo / "f.txt.trail")
    assert list(d) == ["md5", "frozen", "deps", "outs"]
    dep, out = d["deps"][0], d["outs"][0]
    assert dep["path"] == str(outside / "f.txt") and dep["size"] == 3
    assert dep["blake3"] == out["blake3"] and dep["hash"] == "blake3"
    assert (trail_repo / "f.txt").read_text() == "one"
    _ok(trail("import-url", str(outside / "dir"), "inputs"))
    assert (trail_repo / "inputs" / "sub" / "b.txt").read_text() == "b"
    assert _pointer(trail_repo / "inputs.trail")["deps"][0]["nfiles"] == 2
    assert _ok(trail("status", "--json")).out.strip() == "{}"


def test_a_relative_path_is_kept_relative_to_the_pointer_file(trail_repo, trail):
    (trail_repo.parent / "beside.txt").write_text("x")
    (trail_repo / "sub").mkdir()
    _ok(trail("import-url", "../beside.txt", "sub/b.txt"))
    assert _pointer(trail_repo / "sub" / "b.txt.trail")["deps"][0]["path"] == "../../beside.txt"
    assert "is up to date" in _ok(trail("update", "sub/b.txt.trail")).out


def test_update_downloads_only_what_changed(trail_repo, trail, outside):
    _ok(trail("import-url", str(outside / "f.txt")))
    _ok(trail("import-url", str(outside / "dir")))
    res = _ok(trail("update"))
    assert "'f.txt.trail' is up to date." in res.out and "'dir.trail' is up to date." in res.out
    (outside / "f.txt").write_text("two")
    (outside / "dir" / "new.txt").write_text("n")
    res = _ok(trail("update"))
    assert "Updated 'f.txt.trail'" in res.out and "Updated 'dir.trail'" in res.out
    assert (trail_repo / "f.txt").read_text() == "two"
    assert (trail_repo / "dir" / "new.txt").read_text() == "n"
    assert _pointer(trail_repo / "dir.trail")["deps"][0]["nfiles"] == 3
    assert _ok(trail("status", "--json")).out.strip() == "{}"


def test_no_exec_and_no_download(trail_repo, trail, outside):
    _ok(trail("import-url", "--no-exec", str(outside / "f.txt")))
    d = _pointer(trail_repo / "f.txt.trail")
    assert "md5" not in d and d["outs"] == [{"hash": "blake3", "path": "f.txt"}]
    _ok(trail("import-url", "--no-download", str(outside / "dir")))
    d = _pointer(trail_repo / "dir.trail")
    assert d["deps"][0]["nfiles"] == 2 and "blake3" in d["deps"][0]
    assert d["outs"] == [{"hash": "blake3", "path": "dir"}] and "md5" in d
    assert not (trail_repo / "dir").exists()
    _ok(trail("update", "dir.trail"))
    assert (trail_repo / "dir" / "a.txt").read_text() == "a"


def test_local_faults_change_nothing(trail_repo, trail, outside):
    before = snapshot(trail_repo)
    res = trail("import-url", str(outside / "missing.txt"))
    assert res.code == 1 and "missing.txt' does not exist" in res.err
    res = trail("import-url", "ftp://example.invalid/x")
    assert res.code == 3 and "unsupported remote URL ftp://example.invalid/x" in res.err
    res = trail("import-url", "--fs-config", "nokey", str(outside / "f.txt"))
    assert res.code == 2 and "--fs-config takes KEY=VALUE" in res.err
    assert snapshot(trail_repo) == before
    _ok(trail("import-url", str(outside / "f.txt")))
    os.unlink(outside / "f.txt")
    before = snapshot(trail_repo)
    res = trail("update")
    assert res.code == 1 and "f.txt' does not exist" in res.err
    assert snapshot(trail_repo) == before


def test_http(trail_repo, trail, http_server):
    (http_server.root / "h.txt").write_text("served")
    url = f"{http_server.url}/h.txt"
    _ok(trail("import-url", url))
    dep = _pointer(trail_repo / "h.txt.trail")["deps"][0]
    assert set(dep) == {"checksum", "size", "hash", "path"} and dep["size"] == 6
    assert (trail_repo / "h.txt").read_text() == "served"
    assert "is up to date" in _ok(trail("update")).out
    time.sleep(1.1)  # the server's Last-Modified has one-second steps
    (http_server.root / "h.txt").write_text("served again")
    assert "Updated" in _ok(trail("update")).out
    assert (trail_repo / "h.txt").read_text() == "served again"
    before = snapshot(trail_repo)
    res = trail("import-url", f"{http_server.url}/missing.txt")
    assert res.code == 1 and "missing.txt' does not exist" in res.err
    assert snapshot(trail_repo) == before


@pytest.fixture
def bucket(s3_server):
    import s3fs

    s3_server.make_bucket("imports")
    fs = s3fs.S3FileSystem(
        key=S3_KEY, secret=S3_SECRET, endpoint_url=s3_server.endpoint, skip_instance_cache=True
    )
    fs.pipe("imports/raw/f.txt", b"hello")
    fs.pipe("imports/raw/d/a.txt", b"aaa")
    fs.pipe("imports/raw/d/sub/b.txt", b"bbb")
    return fs


def _s3_remote(trail, endpoint):
    _ok(trail("remote", "add", "raw", "s3://imports/raw"))
    for k, v in (("endpointurl", endpoint), ("access_key_id", S3_KEY)):
        _ok(trail("remote", "modify", "raw", k, v))
    _ok(trail("remote", "modify", "raw", "secret_access_key", S3_SECRET))


def test_s3_uses_the_remote_that_holds_the_url(trail_repo, trail, bucket, s3_server):
    _s3_remote(trail, s3_server.endpoint)
    _ok(trail("import-url", "s3://imports/raw/f.txt"))
    dep = _pointer(trail_repo / "f.txt.trail")["deps"][0]
    assert dep["etag"] == "5d41402abc4b2a76b9719d911017c592" and dep["size"] == 5
    _ok(trail("import-url", "remote://raw/d", "d"))
    dep = _pointer(trail_repo / "d.trail")["deps"][0]
    assert dep["path"] == "remote://raw/d" and dep["nfiles"] == 2
    assert dep["blake3"].endswith(".dir")
    assert (trail_repo / "d" / "sub" / "b.txt").read_text() == "bbb"
    res = _ok(trail("update"))
    assert res.out.count("is up to date") == 2
    bucket.pipe("imports/raw/d/a.txt", b"AAA")
    res = _ok(trail("update"))
    assert "Updated 'd.trail'" in res.out and "'f.txt.trail' is up to date" in res.out
    assert (trail_repo / "d" / "a.txt").read_text() == "AAA"


def test_s3_with_fs_config_and_faults(trail_repo, trail, bucket, s3_server, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", S3_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", S3_SECRET)
    url = "s3://imports/raw/f.txt"
    _ok(trail("import-url", url, "--fs-config", f"endpointurl={s3_server.endpoint}"))
    dep = _pointer(trail_repo / "f.txt.trail")["deps"][0]
    assert dep["fs_config"] == {"endpointurl": s3_server.endpoint}
    before = snapshot(trail_repo)
    res = trail(
        "import-url",
        "s3://imports/raw/nope.txt",
        "--fs-config",
        f"endpointurl={s3_server.endpoint}",
    )
    assert res.code == 1 and "nope.txt' does not exist" in res.err
    dead = f"http://127.0.0.1:{free_port()}"
    res = trail("import-url", url, "g.txt", "--fs-config", f"endpointurl={dead}")
    assert res.code == 1 and "cannot reach remote s3://imports/raw/f.txt" in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert snapshot(trail_repo) == before


def test_ssh_hashes_what_it_downloads(trail_repo, trail, ssh_server, outside):
    url = f"ssh://{ssh_server.user}@127.0.0.1:{ssh_server.port}{outside}/dir"
    _ok(trail("import-url", url, "d", "--fs-config", f"keyfile={ssh_server.keyfile}"))
    assert (trail_repo / "d" / "sub" / "b.txt").read_text() == "b"
    d = _pointer(trail_repo / "d.trail")
    assert d["deps"][0]["blake3"] == d["outs"][0]["blake3"]
    assert "is up to date" in _ok(trail("update")).out
    (outside / "dir" / "a.txt").write_text("changed")
    assert "Updated" in _ok(trail("update")).out
    assert (trail_repo / "d" / "a.txt").read_text() == "changed"


def test_import_url_outputs_are_pushed_and_pulled(trail_repo, trail, outside, tmp_path_factory):
    _ok(trail("import-url", str(outside / "dir")))
    store = tmp_path_factory.mktemp("store")
    _ok(trail("remote", "add", "-d", "s", str(store)))
    assert "files pushed" in _ok(trail("push")).out
    import shutil

    shutil.rmtree(trail_repo / ".trail" / "cache")
    shutil.rmtree(trail_repo / "dir")
    _ok(trail("pull"))
    assert (trail_repo / "dir" / "sub" / "b.txt").read_text() == "b"
    assert json.loads(_ok(trail("status", "--json")).out) == {}
