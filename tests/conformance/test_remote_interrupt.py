"""Ctrl-C in the middle of a transfer, against the real servers: the request in flight is
cancelled, no temp file stays on the remote or in the cache, no object appears in part under its
name, and running the command again finishes the job. The command runs as its own process and
gets a real SIGINT once its temp file is seen."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from conftest import Backend

from trail import hashing
from trail.remote.store import object_path
from trail.testing.plugin import run_main as trail
from trail.testing.plugin import trail_exe
from trail.testing.servers import S3_KEY, S3_SECRET
from trail.types import Oid

BIG = 64 << 20  # long enough over loopback for the temp file to be seen in flight


def _temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and "tmp" in p.name]


def _interrupt_once(args: list[str], seen: Callable[[], bool]) -> subprocess.CompletedProcess[str]:
    """Run ``trail *args``, send it SIGINT as soon as ``seen()``, and wait for it to end."""
    proc = subprocess.Popen(
        [trail_exe(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not seen():
            if proc.poll() is not None or time.monotonic() > deadline:
                out, err = proc.communicate()
                raise AssertionError(f"no transfer in flight was seen to interrupt: {err}")
            time.sleep(0.002)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _big_file(repo: Path) -> tuple[bytes, Oid]:
    data = os.urandom(BIG)
    (repo / "big.bin").write_bytes(data)
    assert trail("add", "big.bin").code == 0
    return data, Oid("blake3", hashing.get("blake3").hash_bytes(data))


def _ssh(server, root: Path) -> Backend:
    url = f"ssh://{server.user}@127.0.0.1:{server.port}{root}"
    return Backend("ssh", url, {"keyfile": server.keyfile}, root=root)


def test_ctrl_c_during_an_sftp_upload_leaves_no_temp_file_on_the_remote(
    trail_repo, ssh_server, tmp_path
):
    data, oid = _big_file(trail_repo)
    backend = _ssh(ssh_server, tmp_path / "sftp")
    backend.configure()
    # (a temp file among the objects: the gc marker, written first, goes through one too)
    res = _interrupt_once(["push"], lambda: bool(_temps(tmp_path / "sftp" / "files")))
    assert res.returncode == 130 and "interrupted" in res.stderr
    # the upload went to a temp name; cancelled, it was removed, and nothing took its place
    assert not _temps(tmp_path / "sftp")
    assert not (tmp_path / "sftp" / object_path(oid)).exists()
    assert trail("push").code == 0
    assert (tmp_path / "sftp" / object_path(oid)).read_bytes() == data
    assert not _temps(tmp_path / "sftp")


def test_ctrl_c_during_an_s3_download_leaves_no_partial_object_in_the_cache(trail_repo, s3_server):
    data, oid = _big_file(trail_repo)
    s3_server.make_bucket("interrupted")
    assert trail("remote", "add", "-d", "s3", "s3://interrupted/store").code == 0
    for k, v in (
        ("endpointurl", s3_server.endpoint),
        ("access_key_id", S3_KEY),
        ("secret_access_key", S3_SECRET),
    ):
        assert trail("remote", "modify", "s3", k, v).code == 0
    assert trail("push").code == 0
    cache = trail_repo / ".trail" / "cache"
    shutil.rmtree(cache)
    (trail_repo / "big.bin").unlink()
    res = _interrupt_once(["pull"], lambda: cache.exists() and bool(_temps(cache)))
    assert res.returncode == 130 and "interrupted" in res.stderr
    assert not _temps(cache)
    assert not (cache / object_path(oid)).exists()
    assert not (trail_repo / "big.bin").exists()
    res2 = trail("pull")
    assert res2.code == 0, res2.err
    assert (trail_repo / "big.bin").read_bytes() == data
    assert not _temps(cache)
