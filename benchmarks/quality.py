"""The ``quality`` group of ``make bench`` (``--only quality``): ``trail data profile`` and
``trail data drift`` on a generated table of 10 M rows × 20 mixed columns (~1.1 GB CSV;
``--quick``: 200,000 rows), against

- the engine's own summary query (DuckDB ``SUMMARIZE``): a profile within 1.5× of it;
- ydata-profiling in minimal mode on the same file (pandas read + ``ProfileReport(minimal=True)``),
  installed with pandas in a venv of its own that this bench makes (``.bench/ydata-venv``):
  trail ≥ 10× faster;
- one profile: drift of two 10 M-row versions ≤ 2× one profile.

It also times the engine choice (README, BENCHMARKS.md): the same profile on DuckDB (trail's
queries) and on polars (installed in the same side venv), with each one's own summary. Every
timed command's output is checked (row counts, columns) before its time counts. The profile
store is emptied before every profile so each one really computes.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

NAME = "quality"
NEEDS = ()  # its own table, generated here
ORDER = 80
FULL_ROWS, QUICK_ROWS = 10_000_000, 200_000


def _u(k: int) -> str:
    return f"((hash(i, {k}) % 1000000007)::DOUBLE / 1000000007.0)"


def _norm(k: int) -> str:  # Box–Muller on two hashed uniforms: deterministic, no RNG state
    return f"(sqrt(-2 * ln({_u(k)} + 1e-12)) * cos(2 * pi() * {_u(k + 100)}))"


def table_sql(rows: int, shift: int = 0) -> str:
    """20 mixed columns; ``shift`` moves some distributions (the second version for drift)."""
    s = shift
    return f"""
SELECT
 i AS id,
 CASE WHEN {_u(1)} < 0.02 THEN NULL ELSE 18 + {s * 3} + (hash(i, 2) % 73) END AS age,
 CASE WHEN {_u(3)} < 0.05 THEN NULL ELSE round(exp(10 + 0.8 * {_norm(4)}), 0)::BIGINT END AS income,
 round({_norm(5)} + {s * 0.1}, 3) AS score,
 round({_u(6)}, 3) AS ratio,
 (hash(i, 7) % 10) AS visits,
 round(-ln({_u(8)} + 1e-12) * 100, 2) AS amount,
 round(20 + 5 * {_norm(9)}, 1) AS temp,
 round({_u(10)} * 180 - 90, 2) AS lat,
 round({_u(11)} * 360 - 180, 2) AS lon,
 (hash(i, 12) % 100000) AS code,
 'C' || (hash(i, 13) % 50) AS country,
 'city' || (hash(i, 14) % 1000) AS city,
 CASE WHEN {_u(15)} < 0.01 THEN NULL ELSE chr(65 + (hash(i, 16) % 5)::INT) END AS segment,
 'p' || (hash(i, 17) % {200 + s * 20}) AS product,
 'w' || (hash(i, 18) % 50000) AS comment,
 'u' || (hash(i, 19 + {s}) % 200000) AS email,
 {_u(21)} < {0.3 + s * 0.05} AS active,
 DATE '2020-01-01' + (hash(i, 22) % 1500)::INT AS signup,
 ['new', 'open', 'done'][1 + (hash(i, 23) % 3)::INT] AS status
FROM range({rows}) t(i)
"""


def generate(dest: Path, rows: int, shift: int = 0) -> None:
    import duckdb

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part")
    duckdb.execute(f"COPY ({table_sql(rows, shift)}) TO '{tmp}' (HEADER, DELIMITER ',')")
    tmp.replace(dest)


SUMMARIZE = """import sys, duckdb
rows = duckdb.execute(f"SUMMARIZE SELECT * FROM read_csv('{sys.argv[1]}')").fetchall()
assert len(rows) == 20, rows
print(rows[0][-2])
"""

YDATA = """import sys, json, pandas as pd
from ydata_profiling import ProfileReport
df = pd.read_csv(sys.argv[1])
report = json.loads(ProfileReport(df, minimal=True, progress_bar=False).to_json())
print(report["table"]["n"])
"""

POLARS_SUMMARY = """import sys, polars as pl
d = pl.read_csv(sys.argv[1]).describe()
print(d.shape[1] - 1)
"""

# The same figures as trail's profile (exact distinct counts, seven quantiles, 20-bin
# histograms, top 10 values), the polars way.
POLARS_PROFILE = """import sys, polars as pl
df = pl.read_csv(sys.argv[1], try_parse_dates=True)
num = [c for c, t in df.schema.items() if t.is_numeric()]
txt = [c for c, t in df.schema.items() if t in (pl.Utf8, pl.Boolean)]
ex = [pl.len().alias("__n")]
for c in df.columns:
    col = pl.col(c)
    ex += [col.count().alias(c + "#c"), col.n_unique().alias(c + "#u"),
           col.min().alias(c + "#mi"), col.max().alias(c + "#ma")]
for c in num:
    ex += [pl.col(c).mean().alias(c + "#m"), pl.col(c).std().alias(c + "#s")]
    ex += [pl.col(c).quantile(q, "linear").alias(f"{c}#q{q}")
           for q in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)]
r = df.select(ex).row(0, named=True)
for c in num:
    lo, hi = r[c + "#mi"], r[c + "#ma"]
    w = (hi - lo) / 20 or 1
    ((df[c].drop_nulls() - lo) / w).floor().clip(0, 19).value_counts()
for c in txt:
    df[c].value_counts(sort=True).head(10)
print(r["__n"])
"""


class QualityBench:
    """Runs the group for one bench (``bench`` is run.py's ``Bench``)."""

    def __init__(self, bench: Any, settle: Callable[[], None]) -> None:
        self.bench, self.settle = bench, settle
        self.rows = QUICK_ROWS if bench.args.quick else FULL_ROWS
        self.work = bench.work / "quality"
        self.times: dict[str, list[float]] = {}
        self.notes: list[str] = []

    # -- plumbing ------------------------------------------------------------------------

    def run(self, cmd: list[str], cwd: Path, check: Callable[[str], bool]) -> float:
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=self.bench.env, capture_output=True, text=True)
        took = time.perf_counter() - start
        if proc.returncode not in (0, 1) or not check(proc.stdout):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"{' '.join(cmd[:4])} … gave a wrong result: {' / '.join(tail)}")
        return took

    def timed(self, name: str, cmd: list[str], cwd: Path, check: Callable[[str], bool]) -> None:
        try:
            took = self.run(cmd, cwd, check)
        except RuntimeError as exc:
            self.notes.append(f"{name}: {exc}")
            print(f"FAILED {name}: {exc}", flush=True)
            return
        self.times.setdefault(name, []).append(took)
        print(f"  {name}: {took:.2f} s", flush=True)

    def median(self, name: str) -> float | None:
        t = self.times.get(name)
        return statistics.median(t) if t else None

    # -- the group ------------------------------------------------------------------------

    def prepare(self) -> Path:
        repo = self.work / "repo"
        shutil.rmtree(repo, ignore_errors=True)
        repo.mkdir(parents=True)
        subprocess.run(["git", "init", "-q"], cwd=repo, env=self.bench.env, check=True)
        subprocess.run([self.bench.args.trail, "init", "-q"], cwd=repo, env=self.bench.env,
                       check=True)  # fmt: skip
        print(f"generating two versions of a {self.rows}-row table …", flush=True)
        generate(repo / "v1.csv", self.rows)
        generate(repo / "v2.csv", self.rows, shift=1)
        self.settle()
        return repo

    def side_venv(self) -> Path | None:
        """ydata-profiling, pandas and polars in a venv of their own (made once)."""
        venv = self.bench.work / "ydata-venv"
        py = venv / "bin" / "python"
        if not (venv / ".ready").exists():
            print("installing ydata-profiling and polars in their own venv …", flush=True)
            try:
                subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
                subprocess.run(
                    [str(py), "-m", "pip", "install", "-q", "ydata-profiling", "pandas",
                     "polars", "setuptools"],
                    check=True,
                )  # fmt: skip
            except subprocess.CalledProcessError as exc:
                self.notes.append(f"side venv not installed ({exc}): ydata/polars rows skipped")
                return None
            (venv / ".ready").touch()
        return py

    def go(self) -> None:
        repo = self.prepare()
        trail = self.bench.args.trail
        store = repo / ".trail" / "cache" / "profiles"
        n = str(self.rows)

        def rows_ok(out: str) -> bool:
            return json.loads(out)["rows"] == self.rows

        def drift_ok(out: str) -> bool:
            report = json.loads(out)
            return report["rows"] == [self.rows, self.rows] and len(report["columns"]) == 20

        side = self.side_venv()
        rounds = self.bench.args.rounds
        for rnd in range(rounds + 1):
            warm = rnd == 0
            print(f"quality round {rnd}{' (warm-up)' if warm else ''} …", flush=True)
            names = {}
            for label, cmd, check in (
                ("DuckDB SUMMARIZE", [sys.executable, "-c", SUMMARIZE, "v1.csv"],
                 lambda out: out.strip() != ""),
                ("trail data profile", [trail, "data", "profile", "v1.csv", "--json"], rows_ok),
                ("trail data drift", [trail, "data", "drift", "v1.csv", "v2.csv", "--json"],
                 drift_ok),
            ):  # fmt: skip
                shutil.rmtree(store, ignore_errors=True)
                self.settle()
                names[label] = label if not warm else f"warm: {label}"
                self.timed(names[label], cmd, repo, check)
            if side is not None:
                for label, code in (("polars describe", POLARS_SUMMARY),
                                    ("polars profile (same figures)", POLARS_PROFILE)):  # fmt: skip
                    self.settle()
                    name = label if not warm else f"warm: {label}"
                    self.timed(name, [str(side), "-c", code, "v1.csv"], repo,
                               lambda out: out.strip() in (n, "20"))  # fmt: skip
        if side is not None:  # minutes per run: one round, after the others
            self.settle()
            self.timed("ydata-profiling minimal", [str(side), "-c", YDATA, "v1.csv"], repo,
                       lambda out: out.strip() == n)  # fmt: skip

    def table(self) -> str:
        prof = self.median("trail data profile")
        summ = self.median("DuckDB SUMMARIZE")
        drift = self.median("trail data drift")
        ydata = self.median("ydata-profiling minimal")
        pol = self.median("polars profile (same figures)")
        pol_sum = self.median("polars describe")
        lines = [
            f"Data quality ({self.rows:,} rows × 20 columns, "
            f"{(self.work / 'repo' / 'v1.csv').stat().st_size / 1e9:.2f} GB CSV; median s)",
            "",
            "| operation | trail (s) | reference (s) | ratio | target | met |",
            "|---|---:|---:|---:|---|---|",
        ]

        def row(name: str, mine: float | None, ref: float | None, ratio: float | None,
                target: str, ok: bool | None) -> None:  # fmt: skip
            if mine is None or ref is None or ratio is None:
                lines.append(f"| {name} | — | — | — | {target} | not measured |")
                return
            met = "yes" if ok else "**no**"
            lines.append(f"| {name} | {mine:.2f} | {ref:.2f} | {ratio:.2f}× | {target} | {met} |")

        r = prof / summ if prof and summ else None
        row("profile vs DuckDB SUMMARIZE", prof, summ, r, "≤ 1.5×", r is not None and r <= 1.5)
        r = ydata / prof if prof and ydata else None
        row("profile vs ydata-profiling minimal", prof, ydata, r, "≥ 10× faster",
            r is not None and r >= 10)  # fmt: skip
        r = drift / prof if prof and drift else None
        row("drift of two versions vs one profile", drift, prof, r, "≤ 2×",
            r is not None and r <= 2)  # fmt: skip
        if pol is not None and pol_sum is not None and prof is not None and summ is not None:
            lines += [
                "",
                "Engine choice, same figures: "
                f"DuckDB profile {prof:.2f} s "
                f"(its SUMMARIZE {summ:.2f} s, ratio {prof / summ:.2f}×); "
                f"polars profile {pol:.2f} s (its describe {pol_sum:.2f} s, ratio "
                f"{pol / pol_sum:.2f}×).",
            ]
        if self.notes:
            lines += ["", *[f"- {n}" for n in self.notes]]
        return "\n".join(lines)


def run_group(bench: Any, settle: Callable[[], None]) -> str:
    group = QualityBench(bench, settle)
    group.go()
    return group.table()


def run(bench: Any) -> None:
    """A table of its own under the main one."""
    try:
        table = run_group(bench, bench.settle)
    except (subprocess.CalledProcessError, RuntimeError, AssertionError, OSError) as exc:
        bench.failures.append(f"quality: {exc}")
        return
    finally:
        if not bench.args.keep:
            shutil.rmtree(bench.work / "quality", ignore_errors=True)
    bench.extra += ["", table]
