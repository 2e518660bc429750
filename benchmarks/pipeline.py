"""The ``pipeline`` group (SPEC section 10): ``repro`` of 20 small independent stages — first,
no-op, one changed — and trail's ``repro -j 2`` against ``-j 1`` on stages that sleep."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

NAME = "pipeline"
NEEDS = ()
ORDER = 10
STAGES = 20

ROWS = {
    "repro 20 stages, first": 3.0,
    "repro 20 stages, no-op": 8.0,
    "repro 20 stages, 1 changed": 5.0,
}


def rows(bench: Any) -> None:
    for dialect in ("trail", "dvc"):
        for name, k in ROWS.items():
            if dialect == "trail":
                bench.row(name, dialect, f"≥ {k:g}×", bench.faster(k))
            else:
                bench.row(name, dialect, "never slower", bench.faster(1))


def gen_pipeline(repo: Path, pipeline_file: str, n: int = STAGES) -> None:
    """``n`` small independent stages, each copying its input."""
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


def run(bench: Any) -> None:
    for dialect in ("trail", "dvc"):
        for rnd, warm in bench.rounds():
            for tool in bench.tools(dialect, rnd):
                with bench.attempt(f"pipeline, {dialect} dialect, {tool.name}, round {rnd}"):
                    _round(bench, dialect, tool, warm)
    with bench.attempt("repro -j"):
        _jobs(bench)


def _mtimes(repo: Path) -> dict[str, int]:
    return {f"out_{i}.txt": os.stat(repo / f"out_{i}.txt").st_mtime_ns for i in range(STAGES)}


def _round(bench: Any, dialect: str, tool: Any, warm: bool) -> None:
    repo = bench.repo(tool, f"pipeline-{dialect}")
    ex = tool.exe
    pfile = "trail.yaml" if dialect == "trail" and tool.name == "trail" else "dvc.yaml"
    lock = repo / pfile.replace(".yaml", ".lock")
    gen_pipeline(repo, pfile)
    bench.settle()

    def all_ran(_out: str) -> None:
        for i in range(STAGES):
            out = repo / f"out_{i}.txt"
            bench.expect(
                out.exists() and out.read_text() == f"input {i}\n" * 100, f"{out.name} is wrong"
            )
        bench.expect(
            lock.exists() and lock.read_text().count("cmd: cp") == STAGES,
            f"{lock.name} lacks stages",
        )

    bench.time_row(
        "repro 20 stages, first", dialect, tool, repo, [ex, "repro"], warm, check=all_ran
    )
    before = _mtimes(repo)

    def none_ran(_out: str) -> None:
        bench.expect(_mtimes(repo) == before, "a no-op repro ran a stage")

    bench.time_row(
        "repro 20 stages, no-op", dialect, tool, repo, [ex, "repro"], warm, check=none_ran
    )
    (repo / "in_7.txt").write_text("changed\n")

    def one_ran(_out: str) -> None:
        after = _mtimes(repo)
        changed = {k for k in after if after[k] != before[k]}
        bench.expect(changed == {"out_7.txt"}, f"repro ran {sorted(changed)}, not just s7")
        bench.expect((repo / "out_7.txt").read_text() == "changed\n", "out_7.txt is stale")

    bench.time_row(
        "repro 20 stages, 1 changed", dialect, tool, repo, [ex, "repro"], warm, check=one_ran
    )
    shutil.rmtree(repo)


def _jobs(bench: Any) -> None:
    """``repro -j 1`` vs ``-j 2`` (trail only: dvc runs stages one at a time)."""
    only = bench.args.only
    if only and only != NAME and only not in "repro -j":
        return
    n, seconds = (20, 1.0) if not bench.args.quick else (6, 0.3)
    tool = bench.tools("trail")[0]
    took = {}
    for jobs in ("1", "2"):
        repo = bench.repo(tool, f"jobs-{jobs}")
        gen_sleepers(repo, "trail.yaml", n, seconds)
        bench.settle()
        took[jobs] = bench.sh([tool.exe, "repro", "-j", jobs], repo)
        missing = [i for i in range(n) if not (repo / f"z_{i}.txt").exists()]
        bench.expect(not missing, f"repro -j {jobs} did not run stages {missing}")
        shutil.rmtree(repo)
    j1, j2 = took["1"], took["2"]
    met = "yes" if j2 <= 0.55 * j1 else "**no**"
    bench.extra.append(
        f"| repro -j 2 vs -j 1 ({n} stages of {seconds:g} s) | trail | -j 1: {j1:.3f} | "
        f"-j 2: {j2:.3f} | {j2 / j1:.2f}× of -j 1 | ≤ 0.55× | {met} | — | — |"
    )
