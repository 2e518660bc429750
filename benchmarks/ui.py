"""The ``ui`` group of ``make bench`` (``--only ui``): ``trail ui`` on 10,000 experiments over
20 baselines (``--quick``: 1,000 over 5).

The experiments are written straight into Git with one ``git fast-import`` (params, metrics and
a lock file per experiment commit, under ``refs/exps/``), instead of running thousands of
pipelines. Rows, each checked against its target and its answer checked for the right content:

- ``trail ui`` start-up: from starting the process to its first answer (≤ 1 s);
- ``/api/experiments?all-commits=1`` (= ``exp show -A --json``), cold once, then warm (≤ 0.5 s);
- the experiments page in Chromium: from navigation to the first rows drawn (≤ 1.5 s), how
  many rows are in the DOM (only those in view), and the longest frame while scrolling.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NAME = "ui"
NEEDS = ()
ORDER = 70
PIPELINE = """stages:
  train:
    cmd: python3 train.py
    deps: [train.py, data.csv]
    params: [train.lr, train.epochs, train.depth, model.kind]
    outs: [model.bin]
    metrics:
    - metrics.json:
        cache: false
"""
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM = "/usr/bin/chromium"


@dataclass
class Result:
    name: str
    target: str
    limit: float | None  # seconds (None: for information)
    times: list[float] = field(default_factory=list)
    note: str = ""

    def line(self) -> str:
        if not self.times:
            return f"| {self.name} | — | {self.target} | not measured {self.note} |"
        med = statistics.median(self.times)
        met = "—" if self.limit is None else ("yes" if med <= self.limit else "**no**")
        return f"| {self.name} | {med:.3f} | {self.target} | {met} {self.note} |"


def gen_repo(repo: Path, env: dict[str, str], trail: str, baselines: int, per: int) -> int:
    """A trail repository with ``baselines`` commits on main, each with ``per`` experiments;
    returns how many rows ``exp show -A`` has (workspace, baselines, experiments)."""
    rng = random.Random(7)
    repo.mkdir(parents=True)
    run = _runner(repo, env)
    run(["git", "init", "-q", "-b", "main"])
    run([trail, "init", "-q"])
    (repo / "trail.yaml").write_text(PIPELINE)
    (repo / "train.py").write_text("print('train')\n")
    (repo / "params.yaml").write_text(_params(0.1, 3, 4, "tree").decode())
    (repo / "metrics.json").write_text('{"acc": 0.5, "loss": 0.5}')
    run(["git", "add", "-A"])
    run(["git", "commit", "-qm", "start"])
    now = int(time.time())
    stream = [b"reset refs/heads/main\nfrom refs/heads/main^0\n\n"]
    for b in range(baselines):
        text = f"print('train')\n# baseline {b}\n".encode()
        stream.append(
            f"commit refs/heads/main\ncommitter b <b@x> {now - (baselines - b) * 3600} +0000\n"
            f"data 11\nbaseline{b:02d}\n".encode()
            + _file("train.py", text)
            + b"\n"
        )
    run(["git", "fast-import", "--quiet", "--force"], b"".join(stream))
    shas = run(["git", "rev-list", f"-n{baselines}", "main"]).split()[::-1]
    stream = []
    for b, base in enumerate(shas):
        for i in range(per):
            stream.append(_experiment(rng, base, f"exp-{b:02d}-{i:04d}", now))
    run(["git", "fast-import", "--quiet"], b"".join(stream))
    run(["git", "reset", "-q", "--hard", "main"])
    return 1 + baselines + baselines * per


def _params(lr: float, epochs: int, depth: int, kind: str) -> bytes:
    text = f"train:\n  lr: {lr}\n  epochs: {epochs}\n  depth: {depth}\nmodel:\n  kind: {kind}\n"
    return text.encode()


def _experiment(rng: random.Random, base: str, name: str, now: int) -> bytes:
    lr, depth, epochs = round(rng.uniform(1e-4, 0.3), 5), rng.randint(1, 12), rng.randint(1, 20)
    kind = rng.choice(["tree", "forest", "boost"])
    acc = round(min(0.99, 0.5 + lr + depth / 40 + rng.random() / 10), 5)
    metrics = json.dumps({"acc": acc, "loss": round(1 - acc, 5), "time": rng.randint(1, 500)})
    lock = (
        "schema: '2.0'\nstages:\n  train:\n    cmd: python3 train.py\n    deps:\n"
        f"    - path: data.csv\n      hash: blake3\n      blake3: {7:064x}\n      size: 10\n"
        f"    - path: train.py\n      hash: blake3\n      blake3: {9:064x}\n      size: 5\n"
        "    params:\n      params.yaml:\n"
        f"        model.kind: {kind}\n        train.depth: {depth}\n"
        f"        train.epochs: {epochs}\n        train.lr: {lr}\n"
        f"    outs:\n    - path: model.bin\n      hash: blake3\n"
        f"      blake3: {rng.getrandbits(256):064x}\n      size: 3\n"
    )
    ref = f"refs/exps/{base[:2]}/{base[2:]}/{name}"
    return (
        f"commit {ref}\ncommitter e <e@x> {now - rng.randint(0, 3000)} +0000\n"
        f"data 10\nexperimen\nfrom {base}\n".encode()
        + _file("params.yaml", _params(lr, epochs, depth, kind))
        + _file("metrics.json", metrics.encode())
        + _file("trail.lock", lock.encode())
        + b"\n"
    )


def _file(path: str, data: bytes) -> bytes:
    return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"


def _runner(cwd: Path, env: dict[str, str]) -> Any:
    def run(cmd: list[str], data: bytes | None = None) -> str:
        out = subprocess.run(cmd, cwd=cwd, env=env, input=data, capture_output=True, check=True)
        return out.stdout.decode()

    return run


class Server:
    """``trail ui --port 0`` in ``repo``; ``url`` is the printed address."""

    def __init__(self, repo: Path, env: dict[str, str], trail: str) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [trail, "ui", "--no-browser", "--port", "0"],
            cwd=repo,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("trail ui: http://"):
            self.stop()
            raise RuntimeError(f"trail ui printed {line!r}")
        self.url = line.split(": ", 1)[1].strip()
        self.base, self.token = self.url.split("/?token=")

    def get(self, path: str) -> bytes:
        request = urllib.request.Request(
            self.base + path, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=600) as answer:
            return bytes(answer.read())

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def run(bench: Any) -> None:
    """trail only: a table of its own under the main one."""
    args = bench.args
    try:
        table = run_group(bench.work, bench.env, args.trail, args.quick, args.rounds)
    except (subprocess.CalledProcessError, RuntimeError, AssertionError, OSError) as exc:
        bench.failures.append(f"ui: {exc}")
        return
    bench.extra += ["", table]


def run_group(work: Path, env: dict[str, str], trail: str, quick: bool, rounds: int) -> str:
    """Generate the repository, measure, and return the group's table (markdown)."""
    baselines, per = (5, 200) if quick else (20, 500)
    repo = work / "repos" / "ui-exps"
    if repo.exists():
        import shutil

        shutil.rmtree(repo)
    print(f"generating {baselines * per} experiments over {baselines} baselines …", flush=True)
    took, rows = _timed(lambda: gen_repo(repo, env, trail, baselines, per))
    print(f"  generated in {took:.1f} s", flush=True)
    what = f"{baselines * per:,} exps / {baselines} baselines"
    startup = Result("trail ui start-up to first answer", "≤ 1 s", 1.0)
    cold = Result(f"/api/experiments?all-commits=1, cold ({what})", "—", None)
    warm = Result(f"/api/experiments?all-commits=1, warm ({what})", "≤ 0.5 s", 0.5)
    table = Result(f"/api/experiments/table, warm ({what})", "—", None)
    first = Result(f"experiments page: first rows in Chromium ({what})", "≤ 1.5 s", 1.5)
    scroll = Result("experiments page: longest frame while scrolling to the end", "—", None)
    results = [startup, cold, warm, table, first, scroll]
    for _ in range(rounds):
        _startup_round(repo, env, trail, startup)
    server = Server(repo, env, trail)
    try:
        seconds, body = _timed(lambda: server.get("/api/experiments?all-commits=1"))
        _check_rows(body, rows)
        cold.times.append(seconds)
        for _ in range(max(rounds, 3)):
            seconds, body = _timed(lambda: server.get("/api/experiments?all-commits=1"))
            _check_rows(body, rows)
            warm.times.append(seconds)
        server.get("/api/experiments/table")
        for _ in range(max(rounds, 3)):
            seconds, body = _timed(lambda: server.get("/api/experiments/table"))
            table_rows = len(json.loads(body)["rows"])
            assert table_rows >= rows, f"the table has {table_rows} rows, expected {rows}"
            table.times.append(seconds)
        _browser_rounds(server, rows, rounds, first, scroll)
    finally:
        server.stop()
    lines = ["| ui row | trail (s, median) | target | met |", "|---|---:|---|---|"]
    return "\n".join(lines + [r.line() for r in results])


def _check_rows(body: bytes, rows: int) -> None:
    found = json.loads(body)  # DVC's shape: baselines (the workspace first), each with its exps
    assert isinstance(found, list), "not a list of baselines"
    count = len(found) + sum(len(b["experiments"] or []) for b in found)
    assert count == rows, f"{count} rows, expected {rows}"


def _startup_round(repo: Path, env: dict[str, str], trail: str, result: Result) -> None:
    start = time.perf_counter()
    server = Server(repo, env, trail)
    try:
        answer = json.loads(server.get("/api/version"))
        assert "version" in answer
        result.times.append(time.perf_counter() - start)
    finally:
        server.stop()


def _browser_rounds(server: Server, rows: int, rounds: int, first: Result, scroll: Result) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        first.note = scroll.note = "(Playwright is not installed)"
        return
    if not os.path.exists(CHROMIUM):
        first.note = scroll.note = f"({CHROMIUM} is not installed)"
        return
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1360, "height": 860},
        )  # fmt: skip
        page = context.new_page()
        page.goto(server.url)  # the token becomes a cookie; the table is computed meanwhile
        page.wait_for_selector(".grid .row[data-name]", timeout=600_000)
        for _ in range(max(rounds, 3)):
            page.goto("about:blank")
            start = time.perf_counter()
            page.goto(server.base + "/experiments", wait_until="commit")
            page.wait_for_selector(".grid .row[data-name]", timeout=60_000)
            first.times.append(time.perf_counter() - start)
            in_dom = page.locator(".grid .row[data-name]").count()
            assert 0 < in_dom < 200, f"{in_dom} rows in the DOM: not only those in view"
            shown = page.inner_text(".count")
            assert shown.startswith(f"{rows} of {rows}"), shown
            scroll.times.append(_longest_frame(page) / 1000)
        first.note = f"({in_dom} of {rows} rows in the DOM)"
        context.close()


def _longest_frame(page: Any) -> float:
    """Scroll the table to its end in 40 steps, one per frame; the longest frame in ms."""
    return float(
        page.evaluate(
            """() => new Promise((done) => {
              const grid = document.querySelector(".grid");
              const steps = 40, gaps = [];
              let i = 0, last = performance.now();
              const step = () => {
                const now = performance.now();
                gaps.push(now - last); last = now;
                if (i++ === steps) { done(Math.max(...gaps.slice(1))); return; }
                grid.scrollTop = (grid.scrollHeight - grid.clientHeight) * i / steps;
                requestAnimationFrame(step);
              };
              requestAnimationFrame(step);
            })"""
        )
    )
