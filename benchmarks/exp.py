"""The ``exp`` group: ``exp show`` of 200 experiments over 5 baselines, both tools on the same
DVC repository (built with one ``git fast-import``), cold (neither tool's caches: trail's parse
memo, DVC's experiment cache) and warm (run again at once)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

NAME = "exp"
NEEDS = ()
ORDER = 40
BASELINES = 5
COLD = "exp show cold, 200 experiments / 5 baselines"
WARM = "exp show warm, 200 experiments / 5 baselines"
# What each tool remembers between runs of exp show (removed for a cold run).
CACHES = (".dvc/tmp/trail", ".dvc/tmp/exps/cache")

TRAIN = """import json, re
lr = float(re.search(r"lr: ([0-9.e-]+)", open("params.yaml").read()).group(1))
json.dump({"acc": lr, "loss": 1 - lr}, open("metrics.json", "w"))
json.dump({"f1": round(lr, 1)}, open("scores.json", "w"))
open("model.bin", "w").write(str(lr))
"""
PIPELINE = """stages:
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


def rows(bench: Any) -> None:
    bench.row(COLD, "dvc", "≥ 3×", bench.faster(3))
    bench.row(WARM, "dvc", "≥ 3×", bench.faster(3))


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def gen_experiments(bench: Any, repo: Path, per_baseline: int) -> None:
    """A DVC repository with ``BASELINES`` commits, each with ``per_baseline`` experiments.

    The first run is real (``dvc repro``); experiments are then written directly as commits
    (params, metrics and a lock file that records them) with one ``git fast-import``, instead
    of running hundreds of pipelines. Ten distinct cached ``scores.json`` objects are shared
    among them, as results often are. Both tools read them as ordinary experiments.
    """
    (repo / "train.py").write_text(TRAIN)
    (repo / "params.yaml").write_text("train:\n  lr: 0.5\n  epochs: 3\n")
    (repo / "dvc.yaml").write_text(PIPELINE)
    bench.sh([bench.args.dvc, "repro", "-q"], repo)
    bench.sh(["git", "add", "-A"], repo)
    bench.sh(["git", "commit", "-qm", "pipeline"], repo)
    cache = repo / ".dvc" / "cache" / "files" / "md5"
    stream: list[bytes] = []
    for b in range(BASELINES):
        (repo / "train.py").write_text(TRAIN + f"# baseline {b}\n")
        bench.sh(["git", "commit", "-qam", f"baseline {b}"], repo)
        base = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        train_md5 = _md5((repo / "train.py").read_bytes())
        for i in range(per_baseline):
            lr = round(0.001 * (b * per_baseline + i + 1), 6)
            files = _exp_files(lr, i % 10, train_md5, cache)
            stream.append(_fast_import_commit(base, f"exp-{b}-{i:03d}", files))
    subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=repo,
        env=bench.env,
        input=b"".join(stream),
        check=True,
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


def count_experiments(tool: str, out: str) -> int:
    """Experiments in ``exp show --json`` output (each tool's shape)."""
    shown = json.loads(out)
    if tool == "trail":
        return sum(1 for r in shown if r.get("type") == "experiment")
    return sum(len(b.get("experiments") or []) for b in shown)


def run(bench: Any) -> None:
    per = 40 if not bench.args.quick else 8
    dvc = bench.tools("dvc")[1]
    repo = bench.repo(dvc, "exp")
    gen_experiments(bench, repo, per)
    bench.settle()
    want = BASELINES * per

    def shows_all(tool: str) -> Any:
        def check(out: str) -> None:
            got = count_experiments(tool, out)
            bench.expect(got == want, f"{tool} exp show listed {got} experiments, not {want}")

        return check

    for rnd, warm in bench.rounds():
        for tool in bench.tools("dvc", rnd):
            cmd = [tool.exe, "exp", "show", "-n", str(BASELINES), "--json"]
            with bench.attempt(f"exp show, {tool.name}, round {rnd}"):
                for cache in CACHES:
                    shutil.rmtree(repo / cache, ignore_errors=True)
                bench.time_row(COLD, "dvc", tool, repo, cmd, warm, check=shows_all(tool.name))
                bench.time_row(WARM, "dvc", tool, repo, cmd, warm, check=shows_all(tool.name))
    shutil.rmtree(repo)
