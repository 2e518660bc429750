"""A real Dask cluster on loopback for the cluster tests: one ``dask scheduler`` and two
``dask worker`` processes (each under a nanny, which restarts it when killed), started once per
session.

Each worker lives in a directory of its own outside the tests' temp tree, and where the
platform allows it (root, ``unshare``) in a mount namespace where the tests' temp tree — every
repository the tests make — is an empty tmpfs: a worker cannot see any repository. The worker
processes also carry an audit hook (``trail.testing.dask_audit``, preloaded) that writes down
every path they open or list under that tree or under their sandboxes, which is how a test
proves no worker ever opened a repository path.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from trail.testing.servers import _stop, _tool, free_port, wait_for_port

WORKERS = 2


@dataclass
class Worker:
    name: str
    dir: Path  # its own directory: cwd, HOME, TMPDIR, TRAIL_WORKER_DIR
    proc: subprocess.Popen[bytes] | None = None

    @property
    def audit_log(self) -> Path:
        return self.dir / "audit.log"

    def sandbox_pids(self) -> set[int]:
        """Worker processes with a stage running now (a sandbox is named after its pid)."""
        folder = self.dir / "trail" / "sandboxes"
        pids = set()
        with contextlib.suppress(FileNotFoundError):
            for name in os.listdir(folder):
                parts = name.split("-")
                if len(parts) >= 3 and parts[1].isdigit():
                    pids.add(int(parts[1]))
        return pids


@dataclass
class DaskCluster:
    address: str
    hidden: Path  # the tree the workers cannot see (the tests' temp directories)
    isolated: bool  # whether they really cannot (a mount namespace) or only promise not to
    base: Path
    scheduler: subprocess.Popen[bytes] | None = None
    workers: list[Worker] = field(default_factory=list)

    def wait_for_workers(self, n: int = WORKERS, timeout: float = 60.0) -> None:
        """Until ``n`` workers are connected (a killed one is restarted by its nanny)."""
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(n, timeout=timeout)

    def opened_under(self, prefix: Path) -> list[str]:
        """Paths under ``prefix`` that any worker process opened or listed so far."""
        found = []
        for w in self.workers:
            with contextlib.suppress(FileNotFoundError):
                for line in w.audit_log.read_text().splitlines():
                    if line == str(prefix) or line.startswith(str(prefix) + os.sep):
                        found.append(line)
        return found

    def audited(self) -> int:
        """How many paths the audit hooks recorded in all (proof that they listen)."""
        total = 0
        for w in self.workers:
            with contextlib.suppress(FileNotFoundError):
                total += len(w.audit_log.read_text().splitlines())
        return total


def _can_hide() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(
        [unshare, "-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt"], capture_output=True, check=False
    )
    return probe.returncode == 0


def _worker_argv(dask: str, address: str, w: Worker, hidden: Path, hide: bool) -> list[str]:
    argv = [
        dask, "worker", address, "--nthreads", "1", "--name", w.name, "--host", "127.0.0.1",
        "--no-dashboard", "--local-directory", str(w.dir / "dask"),
        "--preload", "trail.testing.dask_audit", "--death-timeout", "60",
    ]  # fmt: skip
    if not hide:
        return argv
    # The tests' temp tree becomes an empty tmpfs for this process and all it starts.
    script = f'mount -t tmpfs tmpfs "{hidden}" && exec "$@"'
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", *argv]


def start(hidden: Path) -> DaskCluster:
    dask = _tool("dask")
    if dask is None:
        pytest.skip("Dask distributed is not installed (pip install 'trail[dask]')")
    base = Path(tempfile.mkdtemp(prefix="trail-dask-"))  # outside ``hidden``
    port = free_port()
    hide = _can_hide()
    cluster = DaskCluster(f"tcp://127.0.0.1:{port}", hidden, hide, base)
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    with open(base / "scheduler.log", "ab") as log:
        cluster.scheduler = subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            cwd=base, stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True,
        )  # fmt: skip
    wait_for_port(port, 60, cluster.scheduler)
    for i in range(WORKERS):
        w = Worker(f"w{i}", base / f"w{i}")
        for sub in ("tmp", "trail", "dask"):
            (w.dir / sub).mkdir(parents=True)
        wenv = {
            **env,
            "HOME": str(w.dir),
            "TMPDIR": str(w.dir / "tmp"),
            "TRAIL_WORKER_DIR": str(w.dir / "trail"),
            "TRAIL_AUDIT_LOG": str(w.audit_log),
            "TRAIL_AUDIT_PREFIXES": os.pathsep.join([str(hidden), str(w.dir / "trail")]),
        }
        with open(w.dir / "worker.log", "ab") as log:
            w.proc = subprocess.Popen(
                _worker_argv(dask, cluster.address, w, hidden, hide),
                cwd=w.dir, stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=wenv,
                start_new_session=True,
            )  # fmt: skip
        cluster.workers.append(w)
    try:
        cluster.wait_for_workers(WORKERS, timeout=90)
    except BaseException:
        stop(cluster)
        raise
    return cluster


def stop(cluster: DaskCluster) -> None:
    for w in cluster.workers:
        _stop(w.proc)
    _stop(cluster.scheduler)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            shutil.rmtree(cluster.base)
            return
        except OSError:
            time.sleep(0.2)


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    cluster = start(tmp_path_factory.getbasetemp())
    try:
        yield cluster
    finally:
        stop(cluster)


@pytest.fixture(scope="session")
def shared_folder() -> Iterator[Path]:
    """A folder the workers can reach (outside the hidden tree): a folder remote's home."""
    path = Path(tempfile.mkdtemp(prefix="trail-remote-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
