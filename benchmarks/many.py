"""The ``many`` group: 20,000 small files (SPEC section 10) — add, status, checkout, gc."""

from __future__ import annotations

import shutil
from typing import Any

from checks import cache_objects, count_files, placement, sample, tree_digest

NAME = "many"
NEEDS = ("many",)
ORDER = 20

ROWS = {
    "status (empty repo)": ("≤ 0.08 s", lambda d, t, _b: t <= 0.08),
    "add many": ("≥ 5×", 5.0),
    "no-op status many": (
        "≥ 10×; ≤ 2× walk + start-up",
        lambda d, t, b: d / t >= 10 and t <= 2 * b["walk many"] + b.get("start-up", 0.0),
    ),
    "checkout many": ("≥ 5×", 5.0),
    "no-op checkout many": ("—", lambda d, t, _b: None),
    "gc -w many": ("≥ 5×", 5.0),
}


def rows(bench: Any) -> None:
    faster = bench.faster
    for dialect in ("trail", "dvc"):
        for name, (target, check) in ROWS.items():
            if dialect == "dvc":
                target, check = "≥ 2× (many files)", faster(2)
            elif isinstance(check, float):
                check = faster(check)
            bench.row(name, dialect, target, check)


def up_to_date(bench: Any, tool: Any) -> Any:
    def check(out: str) -> None:
        empty = "no data or pipelines tracked" in out and tool.name == "dvc"
        bench.expect("up to date" in out or empty, f"status reported changes: {out[:200]}")

    return check


def run(bench: Any) -> None:
    for dialect in ("trail", "dvc"):
        for rnd, warm in bench.rounds():
            for tool in bench.tools(dialect, rnd):
                with bench.attempt(f"many, {dialect} dialect, {tool.name}, round {rnd}"):
                    _round(bench, dialect, tool, warm)
    # The no-op status target allows trail's start-up: its status of an empty repository.
    empty = [r for r in bench.rows if r.name == "status (empty repo)" and r.dialect == "trail"]
    if empty and empty[0].times.get("trail"):
        bench.baselines["start-up"] = empty[0].median("trail")


def _round(bench: Any, dialect: str, tool: Any, warm: bool) -> None:
    src = bench.src / "many"
    n, digest = tree_digest(src)
    repo = bench.repo(tool, f"many-{dialect}")
    ex, data = tool.exe, repo / "data"
    timed = bench.time_row
    timed(
        "status (empty repo)",
        dialect,
        tool,
        repo,
        [ex, "status"],
        warm,
        check=up_to_date(bench, tool),
    )
    shutil.copytree(src, data)
    bench.settle()
    pointer = repo / ("data.trail" if tool.name == "trail" and dialect == "trail" else "data.dvc")

    def added(_out: str) -> None:
        bench.expect(f"nfiles: {n}" in pointer.read_text(), f"{pointer.name} lacks nfiles: {n}")
        bench.expect(
            cache_objects(repo) == n + 1, f"cache holds {cache_objects(repo)} objects, not {n + 1}"
        )
        if dialect == "dvc":
            bench.same_bytes("data.dvc of many", tool, pointer.read_bytes())

    timed("add many", dialect, tool, repo, [ex, "add", "data"], warm, check=added)
    bench.sh(["git", "add", "-A"], repo)
    bench.sh(["git", "commit", "-qm", "v1"], repo)
    timed(
        "no-op status many",
        dialect,
        tool,
        repo,
        [ex, "status"],
        warm,
        check=up_to_date(bench, tool),
    )
    shutil.rmtree(data)
    bench.settle()

    def restored(_out: str) -> None:
        bench.expect(tree_digest(data) == (n, digest), "checkout did not restore every byte")

    timed(
        "checkout many",
        dialect,
        tool,
        repo,
        [ex, "checkout"],
        warm,
        check=restored,
        placed=lambda: placement(sample(data)),
    )
    timed(
        "no-op checkout many",
        dialect,
        tool,
        repo,
        [ex, "checkout"],
        warm,
        check=lambda _o: bench.expect(count_files(data) == n, "files went missing"),
    )
    for p in sorted(data.rglob("*.bin"))[::2]:
        p.unlink()
    left = count_files(data)
    bench.sh([ex, "add", "data"], repo)
    bench.settle()

    def collected(_out: str) -> None:
        have = cache_objects(repo)
        bench.expect(have == left + 1, f"gc left {have} objects, not {left + 1}")

    timed("gc -w many", dialect, tool, repo, [ex, "gc", "-w", "-f"], warm, check=collected)
    shutil.rmtree(repo)
