"""Faults against real servers: wrong credentials, an unreachable endpoint, a missing bucket, a
server killed during a push, a backend whose package is missing. Each: one clear line, a
non-zero exit, nothing corrupt, and a rerun finishes the job."""

from __future__ import annotations

import subprocess
import time

import pytest

from trail.testing.plugin import run_main as trail
from trail.testing.plugin import trail_exe
from trail.testing.servers import S3_KEY, S3_SECRET, free_port


def _s3_remote(endpoint: str, bucket: str, key: str = S3_KEY, secret: str = S3_SECRET) -> None:
    assert trail("remote", "add", "-d", "-f", "s3", f"s3://{bucket}/store").code == 0
    for k, v in (("endpointurl", endpoint), ("access_key_id", key), ("secret_access_key", secret)):
        assert trail("remote", "modify", "s3", k, v).code == 0


@pytest.fixture
def tracked(trail_repo):
    trail_repo.gen({"data": {f"f{i}.txt": f"content {i}" for i in range(20)}})
    assert trail("add", "data").code == 0
    return trail_repo


def test_wrong_credentials(tracked, s3_server):
    s3_server.make_bucket("faults")
    _s3_remote(s3_server.endpoint, "faults", secret="not-the-secret")
    res = trail("push")
    assert res.code == 1
    assert "access denied by remote s3://faults/store" in res.err
    assert "check its credentials" in res.err
    assert len(res.err.strip().splitlines()) == 1


def test_unreachable_endpoint(tracked):
    _s3_remote(f"http://127.0.0.1:{free_port()}", "faults")
    res = trail("push")
    assert res.code == 1
    assert "cannot reach remote s3://faults/store" in res.err


def test_missing_bucket(tracked, s3_server):
    _s3_remote(s3_server.endpoint, "no-such-bucket")
    res = trail("pull")
    assert res.code == 1
    assert "remote location s3://no-such-bucket/store does not exist" in res.err
    assert "no bucket 'no-such-bucket'" in res.err


def test_unreachable_ssh(tracked):
    trail("remote", "add", "-d", "s", f"ssh://127.0.0.1:{free_port()}/tmp/x")
    res = trail("push")
    assert res.code == 1
    assert "cannot reach remote ssh://127.0.0.1" in res.err


@pytest.mark.parametrize(("url", "package", "extra"), [
    ("gs://bucket/x", "gcsfs", "gs"),
    ("azure://container/x", "adlfs", "azure"),
    ("webdav://host/x", "webdav4", "webdav"),
])  # fmt: skip
def test_a_missing_backend_names_its_extra(tracked, url, package, extra):
    import importlib.util

    if importlib.util.find_spec(package.split(".")[0]) is not None:
        pytest.skip(f"{package} is installed here")
    trail("remote", "add", "-d", "x", url)
    res = trail("push")
    assert res.code == 1
    assert f"need the '{package}' package: pip install 'trail[{extra}]'" in res.err


def test_unknown_scheme(tracked):
    res = trail("remote", "add", "-d", "x", "ftp://host/x")  # refused when added …
    assert res.code == 3 and "unsupported URL type ftp://" in res.err
    config = tracked / ".trail" / "config"  # … or written by hand
    config.write_text(
        config.read_text() + "[core]\nremote = x\n['remote \"x\"']\nurl = ftp://host/x\n"
    )
    res = trail("push")
    assert res.code == 3
    assert "unsupported remote URL ftp://host/x" in res.err


def test_server_killed_during_push_then_push_again(trail_repo, s3_server, tmp_path):
    trail_repo.gen({"data": {f"f{i:04}.bin": bytes([i % 251]) * (i + 1) * 97 for i in range(400)}})
    assert trail("add", "data").code == 0
    s3_server.make_bucket("killed")
    _s3_remote(s3_server.endpoint, "killed")
    import s3fs

    fs = s3fs.S3FileSystem(
        key=S3_KEY, secret=S3_SECRET, endpoint_url=s3_server.endpoint, skip_instance_cache=True
    )
    proc = subprocess.Popen(
        [trail_exe(), "push", "-j", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        for _ in range(600):  # until some objects arrived, at most ~60 s
            if proc.poll() is not None or len(fs.find("killed")) >= 20:
                break
            time.sleep(0.1)
        s3_server.kill()
        _out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        s3_server.restart()
    if proc.returncode == 0:
        pytest.skip("the push finished before the server could be killed")
    assert "failed to push" in err.decode() or "cannot reach remote" in err.decode()
    res = trail("push")
    assert res.code == 0, res.err
    listed = fs.find("killed/store")
    assert len([p for p in listed if "/files/" in p]) == 401  # every file and the manifest
    assert trail("status", "-c", "--json").out.strip() == "{}"
    # What the remote holds is sound: a fresh cache pulls and verifies all of it.
    import shutil

    shutil.rmtree(trail_repo / ".trail" / "cache")
    shutil.rmtree(trail_repo / "data")
    assert trail("pull").code == 0
    assert (trail_repo / "data" / "f0399.bin").read_bytes() == bytes([399 % 251]) * 400 * 97
