"""trail vs DVC, side by side on SPEC section 10's workloads (``make bench``).

How a row is measured
    Both tools run the same commands in fresh repositories, one round after the other, after a
    warm-up round that is not counted; which tool goes first alternates from round to round.
    The report gives each tool's median with its fastest and slowest round (min–max), and the
    speed-up of the medians (DVC / trail) against the row's target, and the ratio of the CPU
    time the two tools used (user + system, medians; steadier than wall time on a busy machine,
    though it leaves out what a server on the same machine spent). After the clock stops, the
    result of every timed command is checked (files restored byte for byte, the same pointer
    file bytes from both tools in the dvc dialect, status saw the change, every object on the
    remote…): a command that did the wrong thing fails its round, which the report lists, and
    its time is not counted. Rows that place files say how each tool placed them (hard link,
    copy…): a folder remote on the same disk lets trail hard-link where DVC copies, so the remote
    rows also use a folder on another file system (a tmpfs the bench mounts when it runs as root;
    otherwise the report says those rows were skipped).

Workloads are generated from a fixed seed: ``many`` is 20,000 files of 1–16 KiB in nested
directories, ``big`` one 2 GiB file and one 500 MB CSV; ``--quick`` scales both down for a smoke
run. Machine baselines (a bare scandir+stat walk, ``cp -r``, ``cat`` + ``cp``) are measured in the
same run, because targets are stated against them too.

Groups: adding rows touches no shared file
    Rows come in groups, each in its own file ``benchmarks/<file>.py``, which run.py finds by
    itself (any module there defining ``NAME`` and ``run``)::

        NAME = "remote"          # `--only remote` runs this group alone
        NEEDS = ("many",)        # generated workloads it reads from bench.src: "many", "big"
        ORDER = 50               # optional: where it runs among the groups (default 100)

        def rows(bench):         # declare rows: bench.row(name, dialect, target, check)
            ...

        def run(bench):          # time them, round by round:
            for rnd, warm in bench.rounds():
                for tool in bench.tools("dvc", rnd):      # the order alternates per round
                    with bench.attempt(f"my group, {tool.name}, round {rnd}"):
                        repo = bench.repo(tool, "mine")   # a fresh Git + trail/DVC repository
                        bench.sh([tool.exe, "add", "data"], repo)           # set-up, untimed
                        bench.time_row("my row", "dvc", tool, repo, [tool.exe, "status"],
                                       warm, check=lambda out: bench.expect(
                                           "up to date" in out, "status saw a change"))

    ``check`` runs after the clock stops with the command's stdout and raises (through
    ``bench.expect``) when the result is wrong; ``placed`` may name how files were placed.
    Helpers for checks (tree digests, link kinds, object counts) are in ``checks.py``.
    ``--only X`` runs the group named X, or else every group with a row whose name contains X,
    timing only those rows.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
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
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

Check = Callable[[float, float, dict[str, float]], bool | None]


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
    check: Check
    group: str = ""
    times: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)  # user + system seconds
    placed: dict[str, set[str]] = field(default_factory=dict)  # tool → how files were placed

    def median(self, tool: str) -> float:
        return statistics.median(self.times[tool])

    def cell(self, tool: str) -> str:
        t = self.times[tool]
        return f"{statistics.median(t):.3f} ({min(t):.3f}–{max(t):.3f})"


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


class WrongResult(CommandFailed):
    """A timed command exited 0 but did not do its job: its time is not counted."""


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


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cat(files: list[str]) -> float:
    start = time.perf_counter()
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(16 << 20):
                pass
    return time.perf_counter() - start


# -- groups ------------------------------------------------------------------------------


def discover() -> list[ModuleType]:
    """Every group module beside this file (one defining ``NAME`` and ``run``), in order."""
    sys.path.insert(0, str(HERE))  # groups import their helpers (checks.py) by plain name
    found = []
    for path in sorted(HERE.glob("*.py")):
        if path.stem == "run":
            continue
        # Loaded by path under another name: ``dask.py`` imported as ``dask`` would shadow
        # the package its own group drives.
        spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found.append(module)
    return sorted(found, key=lambda m: (getattr(m, "ORDER", 100), m.NAME))


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
        self.failures: list[str] = []
        self.notes: list[str] = []  # said once under the table (e.g. rows skipped, and why)
        self.extra: list[str] = []  # lines a group adds under the table
        self.group = ""  # the group defining or running rows now
        self._bytes: dict[str, tuple[str, bytes]] = {}

    # set-up
    def tools(self, dialect: str, rnd: int = 0) -> list[Tool]:
        """Both tools, in the order they run in round ``rnd``: it alternates, so neither
        always runs on a cache the other has just warmed (or a disk it has just filled)."""
        dvc = Tool("dvc", self.args.dvc, [self.args.dvc, "init", "-q"])
        init = [self.args.trail, "init", "-q"] if dialect == "trail" else dvc.init
        pair = [Tool("trail", self.args.trail, init), dvc]
        return pair if rnd % 2 == 0 else pair[::-1]

    def rounds(self) -> Iterator[tuple[int, bool]]:
        """(round, warm-up?) for the uncounted warm-up round 0 and ``--rounds`` more."""
        for rnd in range(self.args.rounds + 1):
            yield rnd, rnd == 0

    def repo(self, tool: Tool, tag: str) -> Path:
        path = self.work / "repos" / f"{tag}-{tool.name}"
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        self.sh(["git", "init", "-q"], path)
        self.sh(tool.init, path)
        return path

    def run_cmd(self, cmd: list[str], cwd: Path) -> tuple[float, float, str]:
        """Run ``cmd``; its wall time, its CPU time (user + system, its children's too) and
        stdout. A failure raises ``CommandFailed``."""
        cpu = _children_cpu()
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=self.env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise CommandFailed(f"{' '.join(cmd)} failed in {cwd}: {' / '.join(tail)}")
        return elapsed, _children_cpu() - cpu, proc.stdout

    def sh(self, cmd: list[str], cwd: Path) -> float:
        return self.run_cmd(cmd, cwd)[0]

    settle = staticmethod(settle)

    @staticmethod
    def faster(k: float) -> Check:
        """The target ``≥ k×``: DVC's median over trail's."""
        return lambda dvc, trail, _b: dvc / trail >= k

    # rows
    def row(self, name: str, dialect: str, target: str, check: Check) -> None:
        self.rows.append(Row(name, dialect, target, check, self.group))

    def wanted(self, name: str) -> bool:
        only = self.args.only
        return not only or only == self.group or only in name

    def time_row(
        self,
        name: str,
        dialect: str,
        tool: Tool,
        cwd: Path,
        cmd: list[str],
        warm: bool,
        *,
        check: Callable[[str], object] | None = None,
        placed: Callable[[], str] | None = None,
    ) -> str:
        """Time ``cmd`` for ``name``, then ``check(stdout)`` its result (raising through
        ``expect``) and note ``placed()``: how it placed files. Returns stdout. A row not
        wanted (``--only``) still runs, untimed: later rows depend on its effect."""
        seconds, cpu, out = self.run_cmd(cmd, cwd)
        if check is not None:
            check(out)
        if not self.wanted(name):
            return out
        row = next(r for r in self.rows if r.name == name and r.dialect == dialect)
        if placed is not None:
            row.placed.setdefault(tool.name, set()).add(placed())
        if not warm:
            row.times.setdefault(tool.name, []).append(seconds)
            row.cpu.setdefault(tool.name, []).append(cpu)
            self.save()
        return out

    # checks
    def expect(self, ok: object, what: str) -> None:
        """Fail the round (its time not counted) unless ``ok``: ``what`` says what was wrong."""
        if not ok:
            raise WrongResult(what)

    def same_bytes(self, key: str, tool: Tool, data: bytes) -> None:
        """Both tools must write these very bytes (pointer files in the dvc dialect)."""
        first = self._bytes.setdefault(key, (tool.name, data))
        self.expect(
            first[1] == data,
            f"{key}: {tool.name} wrote different bytes than {first[0]} did:\n"
            f"{first[1].decode(errors='replace')}\n---\n{data.decode(errors='replace')}",
        )

    # bookkeeping
    @contextlib.contextmanager
    def attempt(self, what: str) -> Iterator[None]:
        """A round of one tool: a failed command or a wrong result ends it (noted), the bench
        goes on."""
        try:
            yield
        except CommandFailed as exc:
            kind = "WRONG RESULT" if isinstance(exc, WrongResult) else "FAILED"
            message = f"{what}: {kind.lower()}: {exc}"
            print(f"{kind} {what}: {exc}", flush=True)
            self.failures.append(message)
            self.save()

    def note(self, text: str) -> None:
        if text not in self.notes:
            print(f"note: {text}", flush=True)
            self.notes.append(text)

    def save(self) -> None:
        """Times so far (``raw.json``), so an interrupted bench keeps what it measured."""
        raw = {
            f"{r.name} [{r.dialect}]": {"wall": r.times, "cpu": r.cpu} for r in self.rows if r.times
        }
        data = {"rows": raw, "base": self.baselines, "failures": self.failures}
        (self.work / "raw.json").write_text(json.dumps(data, indent=1))

    # workloads and baselines
    def prepare(self, needs: set[str]) -> None:
        if "many" in needs and not (self.src / "many").exists():
            print(f"generating many ({self.scale.many_files} files) …", flush=True)
            gen_many(self.src / "many", self.scale.many_files)
        if "big" in needs and not (self.src / "big" / "table.csv").exists():
            print("generating big …", flush=True)
            gen_big(self.src / "big", self.scale)
        settle()

    def measure_baselines(self, needs: set[str]) -> None:
        walks, copies, big, reads = [], [], [], []
        for _ in range(self.args.rounds + 1):
            if "many" in needs:
                walks.append(bare_walk(self.src / "many"))
                dst = self.work / "cp-many"
                shutil.rmtree(dst, ignore_errors=True)
                settle()
                copies.append(self.sh(["cp", "-r", str(self.src / "many"), str(dst)], self.work))
                shutil.rmtree(dst)
            if "big" in needs:
                dst = self.work / "cp-big"
                shutil.rmtree(dst, ignore_errors=True)
                settle()
                files = [str(self.src / "big" / n) for n in ("big.bin", "table.csv")]
                reads.append(_cat(files))
                dst.mkdir()
                big.append(self.sh(["cp", *files, str(dst)], self.work))
                shutil.rmtree(dst)
        if walks:
            self.baselines["walk many"] = statistics.median(walks[1:])
            self.baselines["cp -r many"] = statistics.median(copies[1:])
        if big:
            self.baselines["cp big"] = statistics.median(big[1:])
            self.baselines["read + cp big"] = statistics.median(big[1:]) + statistics.median(
                reads[1:]
            )


def table(bench: Bench) -> str:
    lines = [
        "| operation | dialect | dvc (s) median (min–max) | trail (s) median (min–max) "
        "| speed-up | target | met | CPU ratio | placed (trail / dvc) |",
        "|---|---|---:|---:|---:|---|---|---:|---|",
    ]
    for row in bench.rows:
        if "trail" not in row.times or "dvc" not in row.times:
            continue
        d, t = row.median("dvc"), row.median("trail")
        met = row.check(d, t, bench.baselines)
        mark = "—" if met is None else ("yes" if met else "**no**")
        how = " / ".join(", ".join(sorted(row.placed.get(k, {"—"}))) for k in ("trail", "dvc"))
        cpu = statistics.median(row.cpu["dvc"]) / max(statistics.median(row.cpu["trail"]), 1e-3)
        lines.append(
            f"| {row.name} | {row.dialect} | {row.cell('dvc')} | {row.cell('trail')} | "
            f"{d / t:.1f}× | {row.target} | {mark} | {cpu:.1f}× | {how} |"
        )
    if len(lines) == 2:  # only groups with tables of their own ran (ui, quality, registry…)
        lines = []
    lines += bench.extra[1:] if not lines and bench.extra[:1] == [""] else bench.extra
    if bench.baselines:
        lines.append("")
        lines.append(
            "Machine baselines (median s): "
            + ", ".join(f"{k} {v:.3f}" for k, v in bench.baselines.items())
        )
    return "\n".join(lines)


def machine(bench: Bench, load: tuple[float, float]) -> str:
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
            f"filesystem {fs}; load average {load[0]:.1f} before the run, {load[1]:.1f} after "
            "(other work on the machine slows both tools, not always alike)",
            f"- Python {platform.python_version()}; {out([bench.args.trail, '--version'])}; "
            f"dvc {out([bench.args.dvc, '--version'])}",
            f"- workloads: many = {bench.scale.many_files} files of 1–16 KiB; big = "
            f"{bench.scale.big_bytes / 2**30:.2f} GiB + {bench.scale.csv_bytes / 1e6:.0f} MB CSV; "
            f"{bench.args.rounds} rounds after a warm-up, the first tool alternating; "
            "median (min–max)",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dvc", required=True, help="the dvc executable to compare against")
    parser.add_argument("--trail", default=str(Path(sys.executable).parent / "trail"))
    parser.add_argument("--workdir", default=str(ROOT / ".bench"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small workloads, for a smoke run")
    parser.add_argument("--only", help="run only this group, or the rows whose name has this")
    parser.add_argument("--skip-big", action="store_true", help="leave out the big workload")
    parser.add_argument("--out", help="also write the table and machine info to this file")
    parser.add_argument("--keep", action="store_true", help="keep generated workloads")
    args = parser.parse_args()
    for tool in ("dvc", "trail"):  # repositories live elsewhere: a relative path must hold
        path = getattr(args, tool)
        setattr(args, tool, os.path.abspath(path) if os.sep in path else shutil.which(path))
    # A bench stopped by `timeout` or `kill` still stops the servers it started, unmounts.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=False)
    bench = Bench(args)
    bench.work.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    groups = discover()
    for g in groups:
        bench.group = g.NAME
        if hasattr(g, "rows"):
            g.rows(bench)
    chosen = [g for g in groups if args.only == g.NAME] or [
        g for g in groups if any(r.group == g.NAME and bench.wanted(r.name) for r in bench.rows)
    ]
    if args.skip_big:  # groups that also use other workloads leave big out themselves
        chosen = [g for g in chosen if tuple(getattr(g, "NEEDS", ())) != ("big",)]
    if not chosen:
        sys.exit(f"--only {args.only}: no group or row of that name")
    needs = {n for g in chosen for n in getattr(g, "NEEDS", ())} - (
        {"big"} if args.skip_big else set()
    )
    bench.prepare(needs)
    bench.measure_baselines(needs)
    try:
        for g in chosen:
            bench.group = g.NAME
            print(f"running {g.NAME} …", flush=True)
            g.run(bench)
    finally:
        report = table(bench) + "\n\n" + machine(bench, (load_before, os.getloadavg()[0])) + "\n"
        if bench.notes:
            report += "".join(f"- note: {n}\n" for n in bench.notes)
        if bench.failures:
            report += "\nFailed rounds (skipped, not timed):\n" + "".join(
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


if __name__ == "__main__":
    main()
