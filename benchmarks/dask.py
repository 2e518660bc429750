"""The ``dask`` group of ``make bench`` (``BENCH_ARGS="--only dask"``): stages on a real Dask
cluster (``dask scheduler`` and two ``dask worker`` processes on loopback, each in a directory
of its own) against the same stages run locally, with a folder remote between them.

Rows (SPEC/issue 15 targets):
- 8 independent stages of 1 s of CPU: ``repro --executor dask`` on 2 workers ≤ 1.3× local
  ``repro -j 2``;
- per-stage overhead (ship, sandbox, push back): trivial stages sent one at a time, (cluster
  time − local time) / stages ≤ 0.3 s;
- a big dep (1 GB; 64 MB with ``--quick``) used by 4 stages crosses the network once per worker:
  each stage's log records what its worker downloaded (``trail logs STAGE --json`` →
  ``env.fetched.bytes``); their sum must be ≤ workers × the dep's size, never 4 × it.

This file is loaded by path (``run.py``), never imported as ``dask``: its name would shadow
the real package. The bench process itself never imports dask; the cluster is separate
processes, and waiting for its workers is a small child process too.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

NAME = "dask"
NEEDS = ()
ORDER = 60
WORKERS = 2
CPU_STAGE = "python3 cpu.py {s} && cp in_{i}.txt out_{i}.txt"
CPU_PY = (
    "import sys, time\nend = time.process_time() + float(sys.argv[1])\n"
    "while time.process_time() < end:\n    pass\n"
)
_WAIT = (
    "import sys; from distributed import Client\n"
    "with Client(sys.argv[1], timeout=60) as c: c.wait_for_workers(int(sys.argv[2]), timeout=90)"
)


class Cluster:
    """``dask scheduler`` + ``WORKERS`` × ``dask worker`` (one thread each), stopped after."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="bench-dask-"))
        self.procs: list[subprocess.Popen[bytes]] = []
        self.address = ""

    def __enter__(self) -> Cluster:
        dask = str(Path(sys.executable).parent / "dask")
        from trail.testing.servers import free_port, wait_for_port

        port = free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        self._spawn([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                     "--no-dashboard"], self.base, {})  # fmt: skip
        wait_for_port(port, 60, self.procs[0])
        for i in range(WORKERS):
            d = self.base / f"w{i}"
            (d / "trail").mkdir(parents=True)
            env = {"TRAIL_WORKER_DIR": str(d / "trail"), "TMPDIR": str(d)}
            self._spawn([dask, "worker", self.address, "--nthreads", "1", "--no-dashboard",
                         "--host", "127.0.0.1", "--local-directory", str(d)], d, env)  # fmt: skip
        subprocess.run(
            [sys.executable, "-c", _WAIT, self.address, str(WORKERS)], cwd=self.base, check=True
        )
        return self

    def _spawn(self, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
        full = {**os.environ, **env}
        with open(cwd / "log", "ab") as log:
            proc = subprocess.Popen(
                argv, cwd=cwd, env=full, stdout=log, stderr=log,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        self.procs.append(proc)

    def forget(self) -> None:
        """Empty the workers' caches (between rounds: each round starts cold)."""
        for i in range(WORKERS):
            shutil.rmtree(self.base / f"w{i}" / "trail" / "cache", ignore_errors=True)

    def __exit__(self, *exc: object) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        shutil.rmtree(self.base, ignore_errors=True)


class DaskBench:
    def __init__(self, bench: Any, sh: Callable[[list[str], Path], float]) -> None:
        self.bench, self.sh = bench, sh
        self.trail = bench.args.trail
        self.quick = bench.args.quick
        self.rounds = bench.args.rounds

    def repo(self, tag: str, remote: Path) -> Path:
        path = self.bench.work / "repos" / f"dask-{tag}"
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        self.sh(["git", "init", "-q"], path)
        self.sh([self.trail, "init", "-q"], path)
        shutil.rmtree(remote, ignore_errors=True)
        self.sh([self.trail, "remote", "add", "-d", "store", str(remote)], path)
        return path

    def stages(self, repo: Path, n: int, cmd: str, seconds: float) -> None:
        (repo / "cpu.py").write_text(CPU_PY)
        lines = ["stages:"]
        for i in range(n):
            (repo / f"in_{i}.txt").write_text(f"input {i} {time.time()}\n")
            lines += [f"  s{i}:", f"    cmd: {json.dumps(cmd.format(s=seconds, i=i))}"]
            lines += [f"    deps: [in_{i}.txt, cpu.py]", f"    outs: [out_{i}.txt]"]
        (repo / "trail.yaml").write_text("\n".join(lines) + "\n")

    def compare(self, cluster: Cluster, n: int, cmd: str, seconds: float, jobs: str) -> tuple:
        local, remote = [], []
        for rnd in range(self.rounds + 1):
            cluster.forget()
            rl = self.repo("local", self.bench.work / "dask-remote-l")
            self.stages(rl, n, cmd, seconds)
            t_local = self.sh([self.trail, "repro", "-j", jobs], rl)
            rd = self.repo("cluster", self.bench.work / "dask-remote-c")
            self.stages(rd, n, cmd, seconds)
            argv = [self.trail, "repro", "--executor", "dask", "--scheduler", cluster.address]
            t_dask = self.sh([*argv, "-j", jobs], rd)
            _same_outputs(rl, rd, n)
            if rnd:  # the first round warms up
                local.append(t_local)
                remote.append(t_dask)
        return statistics.median(local), statistics.median(remote)

    def big_dep(self, cluster: Cluster) -> tuple[int, int, float]:
        size = (64 << 20) if self.quick else (1 << 30)
        cluster.forget()
        repo = self.repo("big", self.bench.work / "dask-remote-big")
        with open(repo / "big.bin", "wb") as f:
            block = os.urandom(16 << 20)
            for k in range(size // len(block)):
                f.write(k.to_bytes(8, "little") + block[8:])
        lines = ["stages:"]
        for i in range(4):
            cmd = f"wc -c < big.bin > count_{i}.txt && echo {i} >> count_{i}.txt"
            lines += [f"  c{i}:", f"    cmd: {cmd}"]
            lines += ["    deps: [big.bin]", f"    outs: [count_{i}.txt]"]
        (repo / "trail.yaml").write_text("\n".join(lines) + "\n")
        took = self.sh([self.trail, "repro", "--executor", "dask", "--scheduler",
                        cluster.address], repo)  # fmt: skip
        fetched = 0
        for i in range(4):
            out = subprocess.run([self.trail, "logs", f"c{i}", "--json"], cwd=repo,
                                 capture_output=True, text=True, check=True)  # fmt: skip
            fetched += json.loads(out.stdout)[0]["env"]["fetched"]["bytes"]
            assert (repo / f"count_{i}.txt").read_text().split()[0] == str(size)
        return size, fetched, took

    def run(self) -> list[str]:
        with Cluster() as cluster:
            n, secs = (8, 1.0) if not self.quick else (4, 0.5)
            local, remote = self.compare(cluster, n, CPU_STAGE, secs, "2")
            ok = "yes" if remote <= 1.3 * local else "**no**"
            lines = [
                f"| dask: {n} × {secs:g}-s CPU stages, {WORKERS} workers | trail | local -j 2: "
                f"{local:.3f} | dask: {remote:.3f} | {remote / local:.2f}× of local | ≤ 1.3× "
                f"| {ok} |"
            ]
            m = 10 if not self.quick else 4
            local, remote = self.compare(cluster, m, "cp in_{i}.txt out_{i}.txt", 0, "1")
            per = (remote - local) / m
            ok = "yes" if per <= 0.3 else "**no**"
            lines.append(
                f"| dask: per-stage overhead ({m} small stages, one at a time) | trail | local: "
                f"{local:.3f} | dask: {remote:.3f} | {per:.3f} s/stage | ≤ 0.3 s | {ok} |"
            )
            size, fetched, took = self.big_dep(cluster)
            ok = "yes" if fetched <= WORKERS * size else "**no**"
            lines.append(
                f"| dask: {size >> 20} MB dep, 4 stages, {WORKERS} workers | trail | — | "
                f"dask: {took:.3f} | fetched {fetched / size:.1f}× its size | ≤ {WORKERS}× "
                f"(once per worker) | {ok} |"
            )
        return lines


def run(bench: Any) -> None:
    """The group's rows, a table of their own under the main one."""
    try:
        lines = DaskBench(bench, bench.sh).run()
    except (subprocess.CalledProcessError, RuntimeError, AssertionError, OSError) as exc:
        bench.failures.append(f"dask: {exc}")
        return
    header = "| dask | dialect | local | dask | result | target | met |"
    bench.extra += ["", header, "|---|---|---:|---:|---|---|---|", *lines]


def _same_outputs(a: Path, b: Path, n: int) -> None:
    """The cluster's run left what the local one did (lock files aside: inputs differ)."""
    for i in range(n):
        if (a / f"out_{i}.txt").read_bytes() != (a / f"in_{i}.txt").read_bytes():
            raise AssertionError(f"local out_{i}.txt is wrong")
        if (b / f"out_{i}.txt").read_bytes() != (b / f"in_{i}.txt").read_bytes():
            raise AssertionError(f"cluster out_{i}.txt is wrong")
    if "s0:" not in (b / "trail.lock").read_text():
        raise AssertionError("the cluster run wrote no lock entries")
