"""The ``big`` group: a 2 GiB file and a 500 MB CSV (SPEC section 10) — add, status with one
changed, commit, checkout."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from checks import cache_objects, placement

NAME = "big"
NEEDS = ("big",)
ORDER = 30
FILES = ("big.bin", "table.csv")

ROWS = {
    "add big": (
        "≥ 5×; ≤ 1.5× read + cp",
        lambda d, t, b: d / t >= 5 and t <= 1.5 * b["read + cp big"],
    ),
    "status, 1 changed big": ("≥ 8×", 8.0),
    "commit big": ("—", lambda d, t, _b: None),
    "checkout big": ("≤ 1.5× cp", lambda d, t, b: t <= 1.5 * b["cp big"]),
}


def rows(bench: Any) -> None:
    for dialect in ("trail", "dvc"):
        for name, (target, check) in ROWS.items():
            if dialect == "dvc":
                target, check = "never slower", bench.faster(1)
            elif isinstance(check, float):
                check = bench.faster(check)
            bench.row(name, dialect, target, check)


def _digest(path: Path) -> str:
    h = hashlib.blake2b()
    with open(path, "rb") as f:
        while chunk := f.read(16 << 20):
            h.update(chunk)
    return h.hexdigest()


def run(bench: Any) -> None:
    expected = {n: _digest(bench.src / "big" / n) for n in FILES}
    for dialect in ("trail", "dvc"):
        for rnd, warm in bench.rounds():
            for tool in bench.tools(dialect, rnd):
                with bench.attempt(f"big, {dialect} dialect, {tool.name}, round {rnd}"):
                    _round(bench, dialect, tool, warm, expected)


def _round(bench: Any, dialect: str, tool: Any, warm: bool, expected: dict[str, str]) -> None:
    repo = bench.repo(tool, f"big-{dialect}")
    ex, data = tool.exe, repo / "data"
    data.mkdir()
    for name in FILES:
        shutil.copyfile(bench.src / "big" / name, data / name)
    bench.settle()
    files = [f"data/{n}" for n in FILES]
    ext = ".trail" if tool.name == "trail" and dialect == "trail" else ".dvc"
    pointers = [repo / f"{f}{ext}" for f in files]

    def added(_out: str) -> None:
        bench.expect(all(p.exists() for p in pointers), "a pointer file is missing")
        bench.expect(cache_objects(repo) == 2, f"cache holds {cache_objects(repo)} objects, not 2")
        if dialect == "dvc":
            for p in pointers:
                bench.same_bytes(f"{p.name} of big", tool, p.read_bytes())

    bench.time_row("add big", dialect, tool, repo, [ex, "add", *files], warm, check=added)
    with open(data / "table.csv", "a") as f:
        f.write("999999999,0.5,0.5,a\n")

    def saw_change(out: str) -> None:
        bench.expect(
            "modified" in out and "table.csv" in out, f"status missed the change: {out[:200]}"
        )
        bench.expect("big.bin" not in out, f"status saw a change in big.bin: {out[:200]}")

    bench.time_row(
        "status, 1 changed big", dialect, tool, repo, [ex, "status"], warm, check=saw_change
    )
    before = pointers[1].read_bytes()
    commit = [ex, "commit", "-f"] if tool.name == "dvc" else [ex, "commit"]

    def committed(_out: str) -> None:
        after = pointers[1].read_bytes()
        bench.expect(after != before, "commit left table.csv's pointer as it was")
        if dialect == "dvc":
            bench.same_bytes("table.csv.dvc after commit", tool, after)

    bench.time_row("commit big", dialect, tool, repo, commit, warm, check=committed)
    expected = {**expected, "table.csv": _digest(data / "table.csv")}
    for name in files:
        (repo / name).unlink()
    bench.settle()

    def restored(_out: str) -> None:
        got = {n: _digest(data / n) for n in FILES}
        bench.expect(got == expected, "checkout did not restore the files' bytes")

    bench.time_row(
        "checkout big",
        dialect,
        tool,
        repo,
        [ex, "checkout"],
        warm,
        check=restored,
        placed=lambda: placement([data / n for n in FILES]),
    )
    shutil.rmtree(repo)
