"""For the web UI's tests: the README's demo project, built with the real ``trail``, and a
real ``trail ui`` server on a free loopback port, started and stopped by fixtures.

The project has a tracked data directory (CSV, JSON, an image) in two versions, a three-stage
pipeline (prepare → train → evaluate) with params, a metric, a line plot and a confusion plot,
two baseline commits, an experiment of the first and two of the latest.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from trail.testing.env import GIT_ENV, trail_exe

PREPARE = """\
import csv, json, os, random, sys
rng = random.Random(int(sys.argv[1]))
rows = list(csv.DictReader(open("raw/iris.csv")))
rng.shuffle(rows)
cut = int(len(rows) * 0.8)
os.makedirs("data", exist_ok=True)
json.dump(rows[:cut], open("data/train.json", "w"))
json.dump(rows[cut:], open("data/test.json", "w"))
print(f"prepared {cut} training and {len(rows) - cut} test rows")
"""
TRAIN = """\
import json, sys
shrink, epochs = float(sys.argv[1]), int(sys.argv[2])
rows = json.load(open("data/train.json"))
model = {}
for c in sorted({r["label"] for r in rows}):
    pts = [(float(r["x"]), float(r["y"])) for r in rows if r["label"] == c]
    model[c] = [shrink * sum(p[i] for p in pts) / len(pts) for i in range(2)]
json.dump(model, open("model.json", "w"), indent=1)
losses = [f"{e},{round(1 / (e + shrink), 4)}\\n" for e in range(epochs)]
open("train_log.csv", "w").write("epoch,loss\\n" + "".join(losses))
print("trained", len(model), "centroids")
"""
EVALUATE = """\
import json
model, rows = json.load(open("model.json")), json.load(open("data/test.json"))
def predict(x): return min(model, key=lambda c: sum((a - b) ** 2 for a, b in zip(model[c], x)))
pairs = [(r["label"], predict((float(r["x"]), float(r["y"])))) for r in rows]
acc = sum(a == p for a, p in pairs) / len(pairs)
json.dump({"accuracy": round(acc, 4)}, open("metrics.json", "w"))
with open("confusion.csv", "w") as f:
    f.write("actual,predicted\\n" + "".join(f"{a},{p}\\n" for a, p in pairs))
print(f"accuracy {acc:.3f}")
"""
PARAMS = "prepare:\n  seed: 1\ntrain:\n  shrink: 1.0\n  epochs: 5\n"
PIPELINE = """\
stages:
  prepare:
    cmd: python3 src/prepare.py ${prepare.seed}
    deps: [src/prepare.py, raw]
    params: [prepare.seed]
    outs: [data]
  train:
    cmd: python3 src/train.py ${train.shrink} ${train.epochs}
    deps: [src/train.py, data]
    params: [train.shrink, train.epochs]
    outs: [model.json]
    plots:
    - train_log.csv:
        cache: false
        x: epoch
        y: loss
  evaluate:
    cmd: python3 src/evaluate.py
    deps: [src/evaluate.py, model.json, data]
    metrics:
    - metrics.json:
        cache: false
    plots:
    - confusion.csv:
        cache: false
        template: confusion
        x: actual
        y: predicted
"""


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (36, 99, 235)) -> bytes:
    """A small valid PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\0" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def iris(n: int, seed: int) -> str:
    import random

    rng = random.Random(seed)
    lines = ["x,y,label"]
    for i in range(n):
        label, mean = (("a", 4.0), ("b", 6.0), ("c", 8.0))[i % 3]
        lines.append(f"{rng.gauss(mean, 0.6):.3f},{rng.gauss(mean / 2, 0.4):.3f},{label}")
    return "\n".join(lines) + "\n"


def env() -> dict[str, str]:
    return {**os.environ, **GIT_ENV}


def run(args: list[str], cwd: Path, environ: Mapping[str, str] | None = None) -> str:
    proc = subprocess.run(
        args, cwd=cwd, env=dict(environ or env()), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed in {cwd}: {proc.stderr or proc.stdout}")
    return proc.stdout


def build_project(root: Path, *, dvc: bool = False) -> Path:
    """The demo project at ``root`` (made): two baselines, one experiment of the first and
    two of the second."""
    trail = trail_exe()
    root.mkdir(parents=True, exist_ok=True)
    run(["git", "init", "-q", "-b", "main"], root)
    run([trail, "init", "-q", *(["--dvc"] if dvc else [])], root)
    (root / "src").mkdir()
    for name, text in (("prepare.py", PREPARE), ("train.py", TRAIN), ("evaluate.py", EVALUATE)):
        (root / "src" / name).write_text(text)
    (root / "params.yaml").write_text(PARAMS)
    (root / ("dvc.yaml" if dvc else "trail.yaml")).write_text(PIPELINE)
    raw = root / "raw"
    (raw / "images").mkdir(parents=True)
    (raw / "iris.csv").write_text(iris(60, 1))
    (raw / "meta.json").write_text('{"source": "synthetic", "classes": ["a", "b", "c"]}\n')
    (raw / "images" / "sample.png").write_bytes(png())
    run([trail, "add", "-q", "raw"], root)
    run([trail, "repro", "-q"], root)
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-q", "-m", "data v1, first run"], root)
    run([trail, "exp", "run", "-q", "-n", "first-try", "-S", "train.shrink=0.9"], root)
    run(["git", "checkout", "-q", "--", "."], root)
    (raw / "iris.csv").write_text(iris(90, 2))
    run([trail, "add", "-q", "raw"], root)
    run([trail, "repro", "-q"], root)
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-q", "-m", "data v2"], root)
    for name, shrink in (("shrunk", "0.8"), ("grown", "1.2")):
        run([trail, "exp", "run", "-q", "-n", name, "-S", f"train.shrink={shrink}"], root)
    run(["git", "checkout", "-q", "--", "."], root)
    run([trail, "checkout", "-q", "-f"], root)
    return root


@dataclass
class UiServer:
    """``trail ui`` serving ``root`` on a free port of 127.0.0.1, in its own process."""

    root: Path
    read_only: bool = False
    proc: subprocess.Popen[str] | None = None
    url: str = ""  # the printed address, with its token
    log: Any = None  # the server's stderr (a temporary file: a pipe could fill up and block it)

    @property
    def base(self) -> str:
        return self.url.split("/?", 1)[0]

    @property
    def token(self) -> str:
        return self.url.rsplit("token=", 1)[1]

    def start(self) -> UiServer:
        args = [trail_exe(), "ui", "--no-browser", "--port", "0"]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by stop()
        self.proc = subprocess.Popen(
            args + (["--read-only"] if self.read_only else []),
            cwd=self.root,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("trail ui: http://127.0.0.1:"):
            self.stop()
            raise AssertionError(f"trail ui printed {line!r}; stderr: {self._stderr()}")
        self.url = line.split(": ", 1)[1].strip()
        return self

    def _stderr(self) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        return str(self.log.read().decode(errors="replace"))

    def stop(self) -> int | None:
        """Ctrl-C, as a user stops it; its exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if self.log is not None:
            self.log.close()
            self.log = None
        return self.proc.returncode


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project, built once per session: copy it (``project_copy``) to change it."""
    return build_project(tmp_path_factory.mktemp("ui") / "demo")


@pytest.fixture
def project_copy(demo_project: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "demo"
    shutil.copytree(demo_project, dest, symlinks=True)
    return dest


@pytest.fixture(scope="session")
def ui_server(demo_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """``trail ui`` on a copy of the demo project, for the session (pages only look)."""
    root = tmp_path_factory.mktemp("ui-served") / "demo"
    shutil.copytree(demo_project, root, symlinks=True)
    server = UiServer(root).start()
    yield server
    server.stop()
