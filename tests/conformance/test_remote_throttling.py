"""A busy S3 bucket answers ``503 SlowDown``: push and pull back off (jittered) and finish, and
a bucket that keeps refusing gives one clear line. SeaweedFS behind a loopback proxy that
refuses what the test says (trail.testing.throttle)."""

from __future__ import annotations

import pytest

from trail.fs import batch
from trail.testing.plugin import run_main as trail
from trail.testing.servers import S3_KEY, S3_SECRET
from trail.testing.throttle import ThrottlingProxy


@pytest.fixture
def quick_backoff(monkeypatch):
    monkeypatch.setattr(batch, "BACKOFF", 0.02)


def _via(proxy: ThrottlingProxy, bucket: str) -> None:
    assert trail("remote", "add", "-d", "-f", "s3", f"s3://{bucket}/store").code == 0
    options = (("endpointurl", proxy.endpoint), ("access_key_id", S3_KEY))
    for k, v in (*options, ("secret_access_key", S3_SECRET)):
        assert trail("remote", "modify", "s3", k, v).code == 0


def _refuse_first(method: str, times: int):
    """Refuse each object's first ``times`` requests of ``method`` (not listings)."""
    return lambda m, path, n: m == method and "/files/" in path and n <= times


def test_push_and_pull_back_off_when_throttled(trail_repo, s3_server, quick_backoff):
    files = {f"f{i:02}.bin": bytes([i]) * (100 + i) for i in range(10)}
    trail_repo.gen({"data": files})
    assert trail("add", "data").code == 0
    s3_server.make_bucket("throttled")
    proxy = ThrottlingProxy(s3_server.endpoint, _refuse_first("PUT", 2)).start()
    try:
        _via(proxy, "throttled")
        res = trail("push")
        assert res.code == 0, res.err
        assert proxy.refused == 11 * 2  # every file and the manifest
        proxy.throttle = _refuse_first("GET", 2)
        import shutil

        shutil.rmtree(trail_repo / ".trail" / "cache")
        shutil.rmtree(trail_repo / "data")
        res = trail("pull")
        assert res.code == 0, res.err
        assert proxy.refused == 2 * 11 * 2
    finally:
        proxy.stop()
    assert {p.name: p.read_bytes() for p in (trail_repo / "data").iterdir()} == files


def test_a_bucket_that_keeps_refusing_fails_with_one_line(trail_repo, s3_server, quick_backoff):
    trail_repo.gen({"data": {"a.txt": "a", "b.txt": "b"}})
    assert trail("add", "data").code == 0
    s3_server.make_bucket("refusing")
    proxy = ThrottlingProxy(s3_server.endpoint, _refuse_first("PUT", 10**9)).start()
    try:
        _via(proxy, "refusing")
        res = trail("push")
    finally:
        proxy.stop()
    assert res.code == 1
    assert "kept asking to slow down" in res.err and "s3://refusing/store" in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert proxy.refused == 2 * batch.THROTTLED_RETRIES  # each file: all its attempts
