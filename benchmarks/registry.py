"""The ``registry`` group of ``make bench`` (``--only registry``): trail's own targets, with no
DVC counterpart — ``trail serve`` adds ≤ 2 ms (p50) per request over calling ``predict``
directly, and ``trail artifacts show`` reads a registry of 1,000 tags in ≤ 0.2 s.

Every timed command's result is checked: each served prediction equals the direct call's, and
``show`` names the latest version and the stage holders the tags say.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

NAME = "registry"
NEEDS = ()
ORDER = 90
SERVE_ROW = "registry: serve p50 overhead per request (ms)"
SHOW_ROW = "registry: artifacts show --json, 1,000 tags (s)"
TARGETS = {SERVE_ROW: 2.0, SHOW_ROW: 0.2}

MODEL = """\
import json


class Model:
    def __init__(self, weights):
        self.w = weights

    def predict(self, records):
        return [sum(self.w[k] * r.get(k, 0.0) for k in self.w) for r in records]


def load(path):
    with open(path) as f:
        return Model(json.load(f))
"""


def _git(repo: Path, env: dict[str, str], *args: str, data: bytes | None = None) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=repo, env=env, input=data, capture_output=True, check=True
    )
    return proc.stdout.decode()


def _project(work: Path, trail: str, env: dict[str, str]) -> Path:
    """A trail repository with one artifact, ``model``, and a loader for it."""
    repo = work / "registry-project"
    shutil.rmtree(repo, ignore_errors=True)
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "serve.py").write_text(MODEL)
    (repo / "model.json").write_text(json.dumps({"a": 0.5, "b": -1.25, "c": 2.0}))
    _git(repo, env, "init", "-q", "-b", "main")
    run = [trail, "-q"]
    subprocess.run([*run, "init"], cwd=repo, env=env, check=True)
    subprocess.run([*run, "add", "model.json"], cwd=repo, env=env, check=True)
    add = [*run, "artifacts", "add", "model", "model.json", "--meta", "serve=src/serve.py:load"]
    subprocess.run(add, cwd=repo, env=env, check=True)
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "model")
    subprocess.run([*run, "artifacts", "register", "model"], cwd=repo, env=env, check=True)
    return repo


def _records(n: int) -> list[dict[str, float]]:
    return [{"a": i * 0.1, "b": i * 0.2, "c": 1.0} for i in range(n)]


def serve_overhead(work: Path, trail: str, env: dict[str, str], requests: int) -> float:
    """Median ms per request through ``trail serve`` minus the median of calling ``predict``."""
    repo = _project(work, trail, env)
    spec = importlib.util.spec_from_file_location("bench_serve_model", repo / "src" / "serve.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load(str(repo / "model.json"))
    batch = _records(8)
    body = json.dumps(batch).encode()
    expected = model.predict(batch)
    direct = []
    for _ in range(requests):
        start = time.perf_counter()
        model.predict(json.loads(body))  # the server parses the body too: count it as predict's
        direct.append(time.perf_counter() - start)
    proc = subprocess.Popen(
        [trail, "serve", "model", "--port", "0"],
        cwd=repo,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = _port(proc)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        served = []
        for i in range(requests + 50):
            start = time.perf_counter()
            conn.request("POST", "/predict", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            answer = response.read()
            elapsed = time.perf_counter() - start
            if response.status != 200 or json.loads(answer) != expected:
                raise RuntimeError(f"serve answered {response.status}: {answer[:200]!r}")
            if i >= 50:  # warm-up requests are not counted
                served.append(elapsed)
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return (statistics.median(served) - statistics.median(direct)) * 1000


def _port(proc: subprocess.Popen[str]) -> int:
    assert proc.stderr is not None
    line = proc.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not found:
        raise RuntimeError(f"trail serve did not start: {line}{proc.stderr.read()}")
    return int(found.group(1))


def registry_of(work: Path, env: dict[str, str], trail: str, tags: int) -> tuple[Path, str, str]:
    """A repository whose registry has ``tags`` tags (half registrations, half stage
    assignments across three stages), made in one ``git fast-import``; returns the repository
    and the latest version and the version ``prod`` holds, as the tags say."""
    repo = _project(work, trail, env)
    versions = tags // 2
    head = _git(repo, env, "rev-parse", "HEAD").strip()
    stream = []
    base = 1_700_000_000
    stages = ("dev", "staging", "prod")
    for i in range(1, versions + 1):
        # a commit per version (empty changes on top of the project), then its tags
        stream.append(
            f"commit refs/heads/versions\nmark :{i}\n"
            f"committer bench <bench@example.invalid> {base + 10 * i} +0000\n"
            f"data {len(str(i))}\n{i}\n" + (f"from {head}\n" if i == 1 else "") + "\n"
        )
        stream.append(
            _tag(
                f"model@v1.{i}.0",
                i,
                base + 10 * i + 1,
                f"Registering artifact model version v1.{i}.0",
            )
        )
    for i in range(1, tags - versions + 1):  # GTO numbers an artifact's stage tags from 1
        version = 1 + (i * 7) % versions
        stage = stages[i % 3]
        stream.append(
            _tag(
                f"model#{stage}#{i}",
                version,
                base + 10 * versions + 10 + i,
                f"Assigning stage {stage} to artifact model version v1.{version}.0",
            )
        )
    _git(repo, env, "fast-import", "--quiet", data="".join(stream).encode())
    last_prod = max(i for i in range(1, tags - versions + 1) if i % 3 == 2)
    prod = f"v1.{1 + (last_prod * 7) % versions}.0"
    return repo, f"v1.{versions}.0", prod


def _tag(name: str, mark: int, when: int, message: str) -> str:
    data = message.encode()
    return (
        f"tag {name}\nfrom :{mark}\ntagger bench <bench@example.invalid> {when} +0000\n"
        f"data {len(data)}\n{message}\n"
    )


def show_time(work: Path, trail: str, env: dict[str, str], rounds: int) -> float:
    repo, latest, prod = registry_of(work, env, trail, 1000)
    times = []
    for _ in range(rounds + 1):
        start = time.perf_counter()
        proc = subprocess.run(
            [trail, "artifacts", "show", "--json"], cwd=repo, env=env, capture_output=True
        )
        times.append(time.perf_counter() - start)
        shown = json.loads(proc.stdout)["model"]
        if proc.returncode != 0 or shown["version"] != latest or shown["stage"]["prod"] != prod:
            raise RuntimeError(f"artifacts show said {proc.stdout[:300]!r} {proc.stderr[-300:]!r}")
    return statistics.median(times[1:])


def run(bench: Any) -> None:
    """trail only: a table of its own under the main one."""
    try:
        lines = measure(bench)
    except (subprocess.CalledProcessError, RuntimeError, AssertionError, OSError) as exc:
        bench.failures.append(f"registry: {exc}")
        return
    bench.extra += ["", *lines]


def measure(bench: Any) -> list[str]:
    """Measure both rows; returns the lines of their table."""
    Path(bench.work).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-registry-", dir=bench.work))
    env = dict(bench.env)
    trail = bench.args.trail
    try:
        requests = 400 if bench.args.quick else 3000
        results = {
            SERVE_ROW: serve_overhead(work, trail, env, requests),
            SHOW_ROW: show_time(work, trail, env, bench.args.rounds),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = ["| operation | trail | target | met |", "|---|---:|---|---|"]
    for name, value in results.items():
        met = "yes" if value <= TARGETS[name] else "**no**"
        lines.append(f"| {name} | {value:.3f} | ≤ {TARGETS[name]} | {met} |")
    return lines


if __name__ == "__main__":  # a quick look without the whole bench: python benchmarks/registry.py
    from types import SimpleNamespace

    args = SimpleNamespace(
        trail=os.path.join(os.path.dirname(sys.executable), "trail"), quick=True, rounds=3
    )
    here = Path(tempfile.mkdtemp(prefix="bench-"))
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    print("\n".join(measure(SimpleNamespace(work=here, env=env, args=args))))
    shutil.rmtree(here, ignore_errors=True)
