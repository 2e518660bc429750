"""trail vs DVC, side by side on SPEC section 10's workloads (``make bench``).

Every row runs both tools in fresh repositories, interleaved (trail, dvc, trail, dvc …) after one
warm-up round, and reports medians and the speed-up (DVC time / trail time) against its target.
Workloads are generated from a fixed seed: ``many`` is 20,000 files of 1–16 KiB in nested
directories, ``big`` one 2 GiB file and one 500 MB CSV. ``--quick`` scales both down for a smoke
run. Machine baselines (a bare scandir+stat walk, ``cp -r``, ``cat`` + ``cp``) are measured in the
same run, because targets are stated against them too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import quality
import registry
import remotes
import ui

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Tool:
    name: str  # "trail" or "dvc"
    exe: str
    init: list[str]  # how a repository for this tool and dialect is made


@dataclass
class Row:
    name: str
    dialect: str
    target: str
    check: Callable[[float, float, dict[str, float]], bool | None]
    times: dict[str, list[float]] = field(default_factory=dict)

    def median(self, tool: str) -> float:
        return statistics.median(self.times[tool])


@dataclass
class Scale:
    many_files: int
    big_bytes: int
    csv_bytes: int


FULL = Scale(20_000, 2 << 30, 500_000_000)
QUICK = Scale(2_000, 64 << 20, 20_000_000)


class CommandFailed(Exception):
    """A command of the bench failed: the round it belongs to is abandoned, the bench goes on
    (an 80-minute run must not be lost to one server hiccup), and the table says so."""


def sh(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Run ``cmd`` and return its wall time; a failure raises ``CommandFailed``."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise CommandFailed(f"{' '.join(cmd)} failed in {cwd}: {' / '.join(tail)}")
    return elapsed


def settle() -> None:
    """Write back what setup wrote, so it does not land on the next timed command."""
    os.sync()
    time.sleep(0.5)


# -- workloads ---------------------------------------------------------------------------


def gen_many(dest: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    for i in range(n):
        sub = dest / f"d{i % 20:02d}" / f"e{(i // 20) % 10}" / f"f{(i // 200) % 5}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"file{i:05d}.bin").write_bytes(rng.randbytes(rng.randint(1024, 16384)))


def gen_big(dest: Path, scale: Scale, seed: int = 2) -> None:
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    block = rng.randbytes(64 << 20)
    with open(dest / "big.bin", "wb") as f:
        written = 0
        while written < scale.big_bytes:
            chunk = block[: min(len(block), scale.big_bytes - written)]
            # vary each block so nothing deduplicates
            f.write(written.to_bytes(8, "little") + chunk[8:])
            written += len(chunk)
    with open(dest / "table.csv", "w") as f:
        f.write("id,x,y,label\n")
        i = 0
        while f.tell() < scale.csv_bytes:
            lines = [
                f"{i + k},{rng.random():.6f},{rng.random():.6f},{rng.choice('abc')}\n"
                for k in range(1000)
            ]
            f.write("".join(lines))
            i += 1000


def gen_pipeline(repo: Path, pipeline_file: str, n: int = 20) -> None:
    """SPEC's ``pipeline`` workload: ``n`` small independent stages, each copying its input."""
    lines = ["stages:"]
    for i in range(n):
        (repo / f"in_{i}.txt").write_text(f"input {i}\n" * 100)
        lines += [
            f"  s{i}:",
            f"    cmd: cp in_{i}.txt out_{i}.txt",
            f"    deps: [in_{i}.txt]",
            f"    outs: [out_{i}.txt]",
        ]
    (repo / pipeline_file).write_text("\n".join(lines) + "\n")


def gen_sleepers(repo: Path, pipeline_file: str, n: int, seconds: float) -> None:
    """``n`` independent stages that each sleep, for ``repro -j``."""
    lines = ["stages:"]
    for i in range(n):
        lines += [f"  z{i}:", f"    cmd: sleep {seconds} && echo {i} > z_{i}.txt"]
        lines += [f"    outs: [z_{i}.txt]"]
    (repo / pipeline_file).write_text("\n".join(lines) + "\n")


def bare_walk(top: Path) -> float:
    code = (
        "import os,sys,time\n"
        "t=time.perf_counter(); st=[sys.argv[1]]\n"
        "while st:\n"
        "    p=st.pop()\n"
        "    for e in os.scandir(p):\n"
        "        st.append(e.path) if e.is_dir(follow_symlinks=False) else e.stat()\n"
        "print(time.perf_counter()-t)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(top)], capture_output=True, text=True)
    return float(out.stdout)


# -- the bench ---------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.scale = QUICK if args.quick else FULL
        self.work = Path(args.workdir).resolve()
        self.src = self.work / "src"
        self.home = Path(tempfile.mkdtemp(prefix="bench-home-"))
        self.env = {
            **os.environ,
            "HOME": str(self.home),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.invalid",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.invalid",
            "DVC_NO_ANALYTICS": "1",
            "DVC_NO_UPDATER": "1",
        }
        self.rows: list[Row] = []
        self.baselines: dict[str, float] = {}
        self.jobs: dict[str, float] = {}
        self.jobs_desc = ""
        self.failures: list[str] = []
        self.extra: list[str] = []  # table lines of groups with rows of their own (dask)

    def tools(self, dialect: str) -> list[Tool]:
        dvc = Tool("dvc", self.args.dvc, [self.args.dvc, "init", "-q"])
        init = [self.args.trail, "init", "-q"] if dialect == "trail" else dvc.init
        return [Tool("trail", self.args.trail, init), dvc]

    def repo(self, tool: Tool, tag: str) -> Path:
        path = self.work / "repos" / f"{tag}-{tool.name}"
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        sh(["git", "init", "-q"], path, self.env)
        sh(tool.init, path, self.env)
        return path

    def prepare(self) -> None:
        if not (self.src / "many").exists():
            print(f"generating many ({self.scale.many_files} files) …", flush=True)
            gen_many(self.src / "many", self.scale.many_files)
        if not (self.src / "big" / "table.csv").exists():
            print("generating big …", flush=True)
            gen_big(self.src / "big", self.scale)
        settle()

    def measure_baselines(self) -> None:
        walks, copies, big, reads = [], [], [], []
        for _ in range(self.args.rounds + 1):
            walks.append(bare_walk(self.src / "many"))
            dst = self.work / "cp-many"
            shutil.rmtree(dst, ignore_errors=True)
            settle()
            copies.append(sh(["cp", "-r", str(self.src / "many"), str(dst)], self.work, self.env))
            shutil.rmtree(dst)
            dst = self.work / "cp-big"
            shutil.rmtree(dst, ignore_errors=True)
            settle()
            files = [str(self.src / "big" / n) for n in ("big.bin", "table.csv")]
            reads.append(_cat(files))
            dst.mkdir()
            big.append(sh(["cp", *files, str(dst)], self.work, self.env))
            shutil.rmtree(dst)
        self.baselines = {
            "walk many": statistics.median(walks[1:]),
            "cp -r many": statistics.median(copies[1:]),
            "cp big": statistics.median(big[1:]),
            "read + cp big": statistics.median(big[1:]) + statistics.median(reads[1:]),
        }

    def record(self, name: str, dialect: str, tool: str, seconds: float, warm: bool) -> None:
        row = next(r for r in self.rows if r.name == name and r.dialect == dialect)
        if not warm:
            row.times.setdefault(tool, []).append(seconds)
            self.save()

    @contextlib.contextmanager
    def attempt(self, what: str) -> Iterator[None]:
        """A round of one tool: a failed command ends it (noted), the bench goes on."""
        try:
            yield
        except CommandFailed as exc:
            self.failed(what, exc)

    def failed(self, what: str, exc: CommandFailed) -> None:
        """Note a failed command; the rest of its round is skipped."""
        message = f"{what}: {exc}"
        print(f"FAILED {message}", flush=True)
        self.failures.append(message)
        self.save()

    def save(self) -> None:
        """Times so far (``raw.json``), so an interrupted bench keeps what it measured."""
        raw = {f"{r.name} [{r.dialect}]": r.times for r in self.rows if r.times}
        data = {"rows": raw, "base": self.baselines, "failures": self.failures}
        (self.work / "raw.json").write_text(json.dumps(data, indent=1))

    def run_many(self, dialect: str) -> None:
        many = self.src / "many"
        for rnd in range(self.args.rounds + 1):
            warm = rnd == 0
            for tool in self.tools(dialect):
                with self.attempt(f"many, {dialect} dialect, {tool.name}, round {rnd}"):
                    repo = self.repo(tool, f"many-{dialect}")
                    ex = tool.exe
                    self.time_row("status (empty repo)", dialect, tool, repo, [ex, "status"], warm)
                    shutil.copytree(many, repo / "data")
                    settle()
                    self.time_row("add many", dialect, tool, repo, [ex, "add", "data"], warm)
                    sh(["git", "add", "-A"], repo, self.env)
                    sh(["git", "commit", "-qm", "v1"], repo, self.env)
                    self.time_row("no-op status many", dialect, tool, repo, [ex, "status"], warm)
                    shutil.rmtree(repo / "data")
                    settle()
                    self.time_row("checkout many", dialect, tool, repo, [ex, "checkout"], warm)
                    self.time_row(
                        "no-op checkout many", dialect, tool, repo, [ex, "checkout"], warm
                    )
                    for p in sorted((repo / "data").rglob("*.bin"))[::2]:
                        p.unlink()
                    sh([ex, "add", "data"], repo, self.env)
                    settle()
                    self.time_row("gc -w many", dialect, tool, repo, [ex, "gc", "-w", "-f"], warm)
                    shutil.rmtree(repo)

    def run_big(self, dialect: str) -> None:
        big = self.src / "big"
        for rnd in range(self.args.rounds + 1):
            warm = rnd == 0
            for tool in self.tools(dialect):
                with self.attempt(f"big, {dialect} dialect, {tool.name}, round {rnd}"):
                    repo = self.repo(tool, f"big-{dialect}")
                    ex = tool.exe
                    (repo / "data").mkdir()
                    for name in ("big.bin", "table.csv"):
                        shutil.copyfile(big / name, repo / "data" / name)
                    settle()
                    files = ["data/big.bin", "data/table.csv"]
                    self.time_row("add big", dialect, tool, repo, [ex, "add", *files], warm)
                    with open(repo / "data" / "table.csv", "a") as f:
                        f.write("999999999,0.5,0.5,a\n")
                    self.time_row(
                        "status, 1 changed big", dialect, tool, repo, [ex, "status"], warm
                    )
                    commit = [ex, "commit", "-f"] if tool.name == "dvc" else [ex, "commit"]
                    self.time_row("commit big", dialect, tool, repo, commit, warm)
                    for name in files:
                        (repo / name).unlink()
                    settle()
                    self.time_row("checkout big", dialect, tool, repo, [ex, "checkout"], warm)
                    shutil.rmtree(repo)

    def run_pipeline(self, dialect: str) -> None:
        pfile = "trail.yaml" if dialect == "trail" else "dvc.yaml"
        for rnd in range(self.args.rounds + 1):
            warm = rnd == 0
            for tool in self.tools(dialect):
                with self.attempt(f"pipeline, {dialect} dialect, {tool.name}, round {rnd}"):
                    repo = self.repo(tool, f"pipeline-{dialect}")
                    ex = tool.exe
                    gen_pipeline(repo, pfile if tool.name == "trail" else "dvc.yaml")
                    settle()
                    self.time_row(
                        "repro 20 stages, first", dialect, tool, repo, [ex, "repro"], warm
                    )
                    self.time_row(
                        "repro 20 stages, no-op", dialect, tool, repo, [ex, "repro"], warm
                    )
                    (repo / "in_7.txt").write_text("changed\n")
                    row = "repro 20 stages, 1 changed"
                    self.time_row(row, dialect, tool, repo, [ex, "repro"], warm)
                    shutil.rmtree(repo)

    def run_jobs(self) -> None:
        """``repro -j 1`` vs ``-j 2`` on 20 one-second stages (trail only: dvc runs serially)."""
        if self.args.only and self.args.only not in "repro -j":
            return
        n, seconds = (20, 1.0) if not self.args.quick else (6, 0.3)
        tool = self.tools("trail")[0]
        for jobs in ("1", "2"):
            repo = self.repo(tool, f"jobs-{jobs}")
            gen_sleepers(repo, "trail.yaml", n, seconds)
            settle()
            took = sh([tool.exe, "repro", "-j", jobs], repo, self.env)
            self.jobs[jobs] = took
            shutil.rmtree(repo)
        self.jobs_desc = f"{n} stages of {seconds:g} s"

    def time_row(
        self, name: str, dialect: str, tool: Tool, repo: Path, cmd: list[str], warm: bool
    ) -> None:
        if self.args.only and self.args.only not in name:
            sh(cmd, repo, self.env)  # still run it: later rows depend on its effect
            return
        self.record(name, dialect, tool.name, sh(cmd, repo, self.env), warm)


def _cat(files: list[str]) -> float:
    start = time.perf_counter()
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(16 << 20):
                pass
    return time.perf_counter() - start


def define_rows(bench: Bench) -> None:
    b = bench.baselines

    def faster(k: float) -> Callable[[float, float, dict[str, float]], bool]:
        return lambda dvc, trail, _b: dvc / trail >= k

    rows = {
        "status (empty repo)": ("≤ 0.08 s", lambda d, t, _b: t <= 0.08),
        "add many": ("≥ 5×", faster(5)),
        "no-op status many": (
            "≥ 10×; ≤ 2× walk + start-up",
            lambda d, t, _b: d / t >= 10 and t <= 2 * b["walk many"] + _startup(bench),
        ),
        "checkout many": ("≥ 5×", faster(5)),
        "no-op checkout many": ("—", lambda d, t, _b: None),
        "gc -w many": ("≥ 5×", faster(5)),
        "add big": (
            "≥ 5×; ≤ 1.5× read + cp",
            lambda d, t, _b: d / t >= 5 and t <= 1.5 * b["read + cp big"],
        ),
        "status, 1 changed big": ("≥ 8×", faster(8)),
        "commit big": ("—", lambda d, t, _b: None),
        "checkout big": ("≤ 1.5× cp", lambda d, t, _b: t <= 1.5 * b["cp big"]),
        "repro 20 stages, first": ("≥ 3×", faster(3)),
        "repro 20 stages, no-op": ("≥ 8×", faster(8)),
        "repro 20 stages, 1 changed": ("≥ 5×", faster(5)),
    }
    for dialect in ("trail", "dvc"):
        for name, (target, check) in rows.items():
            if dialect == "dvc":
                many = "many" in name
                target = "≥ 2× (many files)" if many else "never slower"
                check = faster(2) if many else faster(1)
            bench.rows.append(Row(name, dialect, target, check))


def _startup(bench: Bench) -> float:
    row = next(r for r in bench.rows if r.name == "status (empty repo)" and r.dialect == "trail")
    return row.median("trail") if row.times.get("trail") else 0.0


def table(bench: Bench) -> str:
    lines = [
        "| operation | dialect | dvc (s) | trail (s) | speed-up | target | met |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for row in bench.rows:
        if "trail" not in row.times or "dvc" not in row.times:
            continue
        d, t = row.median("dvc"), row.median("trail")
        met = row.check(d, t, bench.baselines)
        mark = "—" if met is None else ("yes" if met else "**no**")
        lines.append(
            f"| {row.name} | {row.dialect} | {d:.3f} | {t:.3f} | {d / t:.1f}× | "
            f"{row.target} | {mark} |"
        )
    if bench.jobs:
        j1, j2 = bench.jobs["1"], bench.jobs["2"]
        met = "yes" if j2 <= 0.55 * j1 else "**no**"
        lines.append(
            f"| repro -j 2 vs -j 1 ({bench.jobs_desc}) | trail | -j 1: {j1:.3f} | -j 2: "
            f"{j2:.3f} | {j2 / j1:.2f}× of -j 1 | ≤ 0.55× | {met} |"
        )
    lines.extend(bench.extra)
    lines.append("")
    lines.append(
        "Machine baselines (median s): "
        + ", ".join(f"{k} {v:.3f}" for k, v in bench.baselines.items())
    )
    return "\n".join(lines)


def machine(bench: Bench) -> str:
    def out(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    fs = out(["stat", "-f", "-c", "%T", str(bench.work)])
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return "\n".join(
        [
            f"- machine: {os.cpu_count()} cores, {mem:.0f} GiB, {platform.platform()}, "
            f"filesystem {fs}",
            f"- Python {platform.python_version()}; {out([bench.args.trail, '--version'])}; "
            f"dvc {out([bench.args.dvc, '--version'])}",
            f"- workloads: many = {bench.scale.many_files} files of 1–16 KiB; big = "
            f"{bench.scale.big_bytes / 2**30:.2f} GiB + {bench.scale.csv_bytes / 1e6:.0f} MB CSV; "
            f"{bench.args.rounds} rounds after a warm-up, medians",
        ]
    )


# -- experiments ---------------------------------------------------------------------------

EXP_ROW = "exp show, 200 experiments / 5 baselines"
EXP_TRAIN = """import json, re
lr = float(re.search(r"lr: ([0-9.e-]+)", open("params.yaml").read()).group(1))
json.dump({"acc": lr, "loss": 1 - lr}, open("metrics.json", "w"))
json.dump({"f1": round(lr, 1)}, open("scores.json", "w"))
open("model.bin", "w").write(str(lr))
"""
EXP_PIPELINE = """stages:
  train:
    cmd: python3 train.py
    deps: [train.py]
    params: [train.lr, train.epochs]
    outs: [model.bin]
    metrics:
    - metrics.json:
        cache: false
    - scores.json
"""


def _md5(data: bytes) -> str:
    import hashlib

    return hashlib.md5(data).hexdigest()


def gen_experiments(
    repo: Path, env: dict[str, str], dvc: str, baselines: int, per_baseline: int
) -> None:
    """A DVC repository with ``baselines`` commits, each with ``per_baseline`` experiments.

    The first run is real (``dvc repro``); experiments are then written directly as commits
    (params, metrics and a lock file that records them) with one ``git fast-import``, instead
    of running hundreds of pipelines. Ten distinct cached ``scores.json`` objects are shared
    among them, as results often are. Both tools read them as ordinary experiments.
    """
    (repo / "train.py").write_text(EXP_TRAIN)
    (repo / "params.yaml").write_text("train:\n  lr: 0.5\n  epochs: 3\n")
    (repo / "dvc.yaml").write_text(EXP_PIPELINE)
    sh([dvc, "repro", "-q"], repo, env)
    sh(["git", "add", "-A"], repo, env)
    sh(["git", "commit", "-qm", "pipeline"], repo, env)
    cache = repo / ".dvc" / "cache" / "files" / "md5"
    stream: list[bytes] = []
    for b in range(baselines):
        (repo / "train.py").write_text(EXP_TRAIN + f"# baseline {b}\n")
        sh(["git", "commit", "-qam", f"baseline {b}"], repo, env)
        base = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        train_md5 = _md5((repo / "train.py").read_bytes())
        for i in range(per_baseline):
            lr = round(0.001 * (b * per_baseline + i + 1), 6)
            files = _exp_files(lr, i % 10, train_md5, cache)
            stream.append(_fast_import_commit(base, f"exp-{b}-{i:03d}", files))
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo, env=env, input=b"".join(stream), check=True
    )


def _exp_files(lr: float, variant: int, train_md5: str, cache: Path) -> dict[str, bytes]:
    params = f"train:\n  lr: {lr}\n  epochs: 3\n".encode()
    metrics = json.dumps({"acc": lr, "loss": round(1 - lr, 6)}).encode()
    scores = json.dumps({"f1": variant / 10}).encode()
    obj = cache / _md5(scores)[:2] / _md5(scores)[2:]
    if not obj.exists():
        obj.parent.mkdir(parents=True, exist_ok=True)
        obj.write_bytes(scores)
    lock = (
        "schema: '2.0'\nstages:\n  train:\n    cmd: python3 train.py\n    deps:\n"
        f"    - path: train.py\n      hash: md5\n      md5: {train_md5}\n      size: 1\n"
        f"    params:\n      params.yaml:\n        train.epochs: 3\n        train.lr: {lr}\n"
        f"    outs:\n    - path: metrics.json\n      hash: md5\n      md5: {_md5(metrics)}\n"
        f"      size: {len(metrics)}\n    - path: model.bin\n      hash: md5\n"
        f"      md5: {_md5(str(lr).encode())}\n      size: 3\n    - path: scores.json\n"
        f"      hash: md5\n      md5: {_md5(scores)}\n      size: {len(scores)}\n"
    )
    return {"params.yaml": params, "metrics.json": metrics, "dvc.lock": lock.encode()}


def _fast_import_commit(base: str, name: str, files: dict[str, bytes]) -> bytes:
    ref = f"refs/exps/{base[:2]}/{base[2:]}/{name}"
    when = int(time.time())
    out = [
        f"commit {ref}\ncommitter bench <bench@example.invalid> {when} +0000\n".encode(),
        f"data 11\nexperiment\nfrom {base}\n".encode(),
    ]
    for path, data in files.items():
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
    out.append(b"\n")
    return b"".join(out)


def define_exp_rows(bench: Bench) -> None:
    bench.rows.append(Row(EXP_ROW, "dvc", "≥ 3×", lambda d, t, _b: d / t >= 3))


def run_exp(bench: Bench) -> None:
    """``exp show`` (all experiments of HEAD's and 4 earlier baselines) by both tools on the
    same DVC repository."""
    if bench.args.only and bench.args.only not in EXP_ROW:
        return
    baselines, per = (5, 40) if not bench.args.quick else (5, 8)
    dvc = bench.tools("dvc")[1]
    repo = bench.repo(dvc, "exp")
    gen_experiments(repo, bench.env, bench.args.dvc, baselines, per)
    settle()
    cmds = {
        "trail": [bench.args.trail, "exp", "show", "-n", str(baselines), "--json"],
        "dvc": [bench.args.dvc, "exp", "show", "-n", str(baselines), "--json"],
    }
    for rnd in range(bench.args.rounds + 1):
        for tool, cmd in cmds.items():
            bench.record(EXP_ROW, "dvc", tool, sh(cmd, repo, bench.env), warm=rnd == 0)
    shutil.rmtree(repo)


def run_remote_group(bench: Bench) -> None:
    """Push, no-op push and pull of many and big to a folder and to SeaweedFS (remotes.py)."""
    group = remotes.RemoteBench(bench, lambda cmd, cwd: sh(cmd, cwd, bench.env), settle)
    for dialect in ("trail", "dvc"):
        print(f"running remotes, {dialect} dialect …", flush=True)
        group.run(dialect)


def run_dask_group(bench: Bench) -> None:
    """Stages on a real Dask cluster against the same stages run locally (dask.py)."""
    import importlib.util

    # Loaded by path under another name: imported as ``dask`` it would shadow the package.
    spec = importlib.util.spec_from_file_location("bench_dask", Path(__file__).parent / "dask.py")
    assert spec is not None and spec.loader is not None
    group = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(group)
    print("running dask …", flush=True)
    try:
        bench.extra += group.DaskBench(bench, lambda cmd, cwd: sh(cmd, cwd, bench.env)).run()
    except CommandFailed as exc:
        bench.failed("dask", exc)


def run_ui_group(bench: Bench) -> str:
    """``trail ui`` on 10,000 experiments (ui.py): its own table, trail only."""
    print("running ui …", flush=True)
    try:
        return ui.run_group(
            bench.work, bench.env, bench.args.trail, bench.args.quick, bench.args.rounds
        )
    except (subprocess.CalledProcessError, RuntimeError, AssertionError, OSError) as exc:
        bench.failures.append(f"ui: {exc}")
        return f"ui group failed: {exc}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dvc", required=True, help="the dvc executable to compare against")
    parser.add_argument("--trail", default=str(Path(sys.executable).parent / "trail"))
    parser.add_argument("--workdir", default=str(ROOT / ".bench"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small workloads, for a smoke run")
    parser.add_argument("--only", help="time only rows whose name contains this")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--out", help="also write the table and machine info to this file")
    parser.add_argument("--keep", action="store_true", help="keep generated workloads")
    args = parser.parse_args()
    # A bench stopped by `timeout` or `kill` still stops the servers it started (S3 below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=False)
    bench = Bench(args)
    if args.only and args.only.startswith("registry"):  # trail's own rows: registry.py
        _run_registry_only(bench)
        return
    only_repro = bool(args.only) and args.only.startswith("repro")
    only_exp = bool(args.only) and args.only.startswith("exp")
    only_remote = bool(args.only) and args.only.startswith("remote")
    if bool(args.only) and args.only.startswith("dask"):
        run_dask_group(bench)
        print(table(bench))
        return
    if bool(args.only) and args.only.startswith("ui"):  # the web UI group alone (ui.py)
        report = run_ui_group(bench) + "\n\n" + machine(bench) + "\n"
        print(report)
        if args.out:
            Path(args.out).write_text(report)
        shutil.rmtree(bench.home, ignore_errors=True)
        shutil.rmtree(bench.work / "repos", ignore_errors=True)
        return
    if bool(args.only) and args.only.startswith("quality"):  # its own workloads and table
        report = quality.run_group(bench, settle) + "\n\n" + machine(bench) + "\n"
        print(report)
        if args.out:
            Path(args.out).write_text(report)
        shutil.rmtree(bench.home, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(bench.work / "quality", ignore_errors=True)
        return
    if not only_repro and not only_exp:  # these rows need no data workloads nor baselines
        bench.prepare()
        if not only_remote:
            bench.measure_baselines()
    define_rows(bench)
    define_exp_rows(bench)
    remotes.define_rows(bench, Row)
    if only_remote:
        run_remote_group(bench)
    for dialect in ("trail", "dvc") if not (only_exp or only_remote) else ():
        print(f"running pipeline, {dialect} dialect …", flush=True)
        bench.run_pipeline(dialect)
        if only_repro:
            continue
        print(f"running many, {dialect} dialect …", flush=True)
        bench.run_many(dialect)
        if not args.skip_big:
            print(f"running big, {dialect} dialect …", flush=True)
            bench.run_big(dialect)
    if not only_remote:
        print("running repro -j …", flush=True)
        bench.run_jobs()
        print("running exp show …", flush=True)
        run_exp(bench)
        if not only_repro and not only_exp and not args.only:
            run_remote_group(bench)
            run_dask_group(bench)
    report = table(bench) + "\n\n" + machine(bench) + "\n"
    if not args.only:
        report += "\n" + run_ui_group(bench) + "\n"
        report += "\n" + quality.run_group(bench, settle) + "\n"
        print("running registry …", flush=True)
        report += "\n" + "\n".join(registry.run(bench)) + "\n"
    if bench.failures:
        report += "\nFailed (their rounds were skipped):\n" + "".join(
            f"- {f}\n" for f in bench.failures
        )
    print(report)
    bench.save()
    if args.out:
        Path(args.out).write_text(report)
    shutil.rmtree(bench.home, ignore_errors=True)
    shutil.rmtree(bench.work / "repos", ignore_errors=True)
    if not args.keep:
        shutil.rmtree(bench.src, ignore_errors=True)


def _run_registry_only(bench: Bench) -> None:
    report = "\n".join(registry.run(bench)) + "\n\n" + machine(bench) + "\n"
    print(report)
    if bench.args.out:
        Path(bench.args.out).write_text(report)
    shutil.rmtree(bench.home, ignore_errors=True)


if __name__ == "__main__":
    main()
