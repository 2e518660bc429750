"""Interrupted commands, concurrent writers, the repository lock, full disks, permissions."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from trail.testing.plugin import trail_exe

TRAIL = trail_exe()


def _gen_many(root, n, size=4096):
    data = root / "data"
    for i in range(n):
        sub = data / f"d{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i}").write_bytes(os.urandom(size))


def _run(*args, **kwargs):
    return subprocess.run([TRAIL, *args], capture_output=True, text=True, **kwargs)


def _object_files(root):
    cache = root / ".trail" / "cache"
    return [p for p in cache.rglob("*") if p.is_file()]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_add_recovers(trail_repo, sig):
    _gen_many(trail_repo, 3000)
    proc = subprocess.Popen([TRAIL, "add", "data"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.6)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("add finished before the signal arrived (machine too fast for this test)")
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert b"interrupted" in err and b"Traceback" not in err
    # Nothing half-written under a final name: every object there matches its hash.
    assert _run("fsck").returncode == 0
    # The next add completes the work.
    res = _run("add", "data")
    assert res.returncode == 0, res.stderr
    assert json.loads(_run("status", "--json").stdout) == {}
    shutil.rmtree(trail_repo / "data")
    assert _run("checkout").returncode == 0
    assert len(list((trail_repo / "data").rglob("f*"))) == 3000
    assert not [p for p in _object_files(trail_repo) if ".trail-tmp-" in p.name]


def test_killed_checkout_recovers(trail_repo):
    _gen_many(trail_repo, 3000)
    assert _run("add", "data").returncode == 0
    shutil.rmtree(trail_repo / "data")
    proc = subprocess.Popen([TRAIL, "checkout"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.4)
    proc.kill()
    proc.communicate(timeout=60)
    res = _run("checkout")
    assert res.returncode == 0, res.stderr
    assert json.loads(_run("status", "--json").stdout) == {}
    leftovers = [p for p in (trail_repo / "data").rglob("*") if ".trail-tmp-" in p.name]
    assert leftovers == [] or all(p.exists() for p in leftovers) is False


def test_two_concurrent_adds_wait_for_each_other(trail_repo):
    _gen_many(trail_repo, 1500)
    (trail_repo / "other").mkdir()
    for i in range(200):
        (trail_repo / "other" / f"o{i}").write_text(str(i))
    p1 = subprocess.Popen([TRAIL, "add", "data"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p2 = subprocess.Popen([TRAIL, "add", "other"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for proc in (p1, p2):
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert json.loads(_run("status", "--json").stdout) == {}
    assert (trail_repo / ".gitignore").read_text().splitlines() in (
        ["/data", "/other"],
        ["/other", "/data"],
    )
    assert _run("fsck").returncode == 0


def test_lock_timeout_names_the_holder(trail_repo, trail):
    from trail.lock import repo_lock

    trail("config", "core.lock_timeout", "0.3")
    trail_repo.gen("f", "x")
    with repo_lock(str(trail_repo / ".trail" / "tmp" / "lock"), 1):
        res = trail("add", "f")
    assert res.code == 1
    assert f"pid {os.getpid()}" in res.err and "core.lock_timeout" in res.err
    assert "waiting for the repository lock" in res.err
    assert not (trail_repo / "f.trail").exists()


def _mount_tmpfs(path, size):
    path.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        print(f"SKIP reason: cannot mount tmpfs: {proc.stderr.strip()}")
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")


def test_full_disk_during_add(scm, trail, tmp_path_factory):
    """The cache on a tiny filesystem: add fails cleanly, and succeeds once there is room."""
    small = tmp_path_factory.mktemp("fs") / "small"
    _mount_tmpfs(small, "256k")
    try:
        assert trail("init").code == 0
        assert trail("config", "cache.dir", str(small / "cache")).code == 0
        scm.gen("big.bin", os.urandom(400 * 1024).hex()[: 400 * 1024])
        res = trail("add", "big.bin")
        assert res.code == 1
        assert "no space left" in res.err and "Traceback" not in res.err
        assert not (scm / "big.bin.trail").exists()
        leftovers = [p for p in small.rglob("*") if p.is_file()]
        assert leftovers == []
        subprocess.run(["mount", "-o", "remount,size=2m", str(small)], check=True)
        assert trail("add", "big.bin").code == 0
        assert json.loads(trail("status", "--json").out) == {}
    finally:
        subprocess.run(["umount", str(small)], check=False)


def _unprivileged_user():
    if os.geteuid() != 0:
        return None
    name = "trailtest"
    if subprocess.run(["id", name], capture_output=True).returncode != 0:
        proc = subprocess.run(["useradd", "--no-create-home", name], capture_output=True)
        if proc.returncode != 0:
            return None
    return name


def test_permission_error_is_one_clear_line(tmp_path_factory):
    user = _unprivileged_user()
    if user is None:
        print("SKIP reason: no unprivileged user can be created here")
        pytest.skip("needs root to create an unprivileged user")
    repo = tmp_path_factory.mktemp("perm")
    os.chmod(repo, 0o777)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([TRAIL, "init"], cwd=repo, check=True, capture_output=True)
    (repo / "f").write_text("data")
    # The repository belongs to root; the user may read but not write its control dir.
    os.chmod(repo / ".trail", 0o755)
    base = os.path.dirname(TRAIL)
    env = {"PATH": f"{base}:/usr/bin:/bin", "HOME": str(repo), "GIT_CONFIG_NOSYSTEM": "1"}
    proc = subprocess.run(
        [shutil.which("runuser") or "/usr/sbin/runuser", "-u", user, "--", TRAIL, "add", "f"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "permission denied" in lines[0].lower(), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (repo / "f.trail").exists()


def test_a_reader_that_stops_early_is_not_an_error(trail_repo):
    """`trail ls -R . | head -1`: the closed pipe ends trail quietly (exit 141, no message)."""
    trail_repo.gen({"data": {f"{i:04d}-{'x' * 60}.txt": str(i) for i in range(1500)}})
    subprocess.run([trail_exe(), "-q", "add", "data"], cwd=trail_repo, check=True)
    proc = subprocess.Popen(
        [trail_exe(), "ls", "-R", "."],
        cwd=trail_repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # ~100 KB of listing cannot all fit in the pipe: trail's write fails
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait() == 141
    assert err == b""
