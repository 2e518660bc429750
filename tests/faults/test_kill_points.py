"""SIGKILL at seeded random points of push, pull, fetch, gc, repro -j, exp run and the queue
worker. After each kill: nothing trail started lives on, the next command completes, no temp
file is left (workspace, cache, folder remote), fsck is clean and the workspace bytes exact.

Kill points are drawn from the span an uninterrupted run of the same command took here, a few
per command, so the suite stays short; ``TRAIL_FAULT_SEED`` draws other points.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from faultkit import (
    TRAIL,
    Faults,
    any_temp,
    git,
    kill_after,
    kill_when,
    other_filesystem_dir,
    run,
    temp_files,
    timed,
    tree_bytes,
    wait_for,
    wait_until_gone,
    write_files,
)

POINTS = 2  # kill points per command (one of them, for transfers, where a temp file exists)
MARK = "TRAIL_FAULT_RUN"  # in the environment of every process a killed trail started


@dataclass
class Origin:
    """A Git repository whose data (two versions) is on a folder remote."""

    repo: Path
    remote: Path
    v1: dict[str, bytes]  # the workspace at the first commit
    v2: dict[str, bytes]  # ... at the second (HEAD)
    spans: dict[str, float]  # how long each command took uninterrupted


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    repo = tmp_path_factory.mktemp("origin")
    remote = other_filesystem_dir(tmp_path_factory.getbasetemp(), "remote")
    git("init", "-q", "-b", "main", cwd=repo)
    run("init", cwd=repo)
    run("remote", "add", "-d", "store", str(remote), cwd=repo)
    write_files(repo / "data", 800, seed=1)
    run("add", "data", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "v1", cwd=repo)
    v1 = tree_bytes(repo)
    write_files(repo / "data", 200, seed=2)  # a second version of some files
    run("add", "data", cwd=repo)
    git("commit", "-qam", "v2", cwd=repo)
    spans = {"push": timed(["push", "-a"], repo)}
    clone = _clone(repo, tmp_path_factory.mktemp("probe"))
    spans["pull"] = timed(["pull"], clone)
    yield Origin(repo, remote, v1, tree_bytes(repo), spans)
    shutil.rmtree(remote, ignore_errors=True)


def _clone(origin_repo: Path, dest: Path) -> Path:
    """A clone with pointer files and config but no data and no cache."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / "clone"
    git("clone", "-q", str(origin_repo), str(target), cwd=dest)
    shutil.copy(origin_repo / ".trail" / "config", target / ".trail" / "config")
    return target


def _points(rng, span: float, count: int = POINTS - 1) -> list[float]:
    """Kill delays over an uninterrupted run's span (its first ~0.25 s is start-up)."""
    return sorted(rng.uniform(0.2, max(0.4, span)) for _ in range(count))


def _temp_left_by_kill(args, make, where, attempts: int = 8):
    """Run ``trail <args>`` in fresh copies from ``make()`` and kill it the moment a temp file
    shows under ``where(copy)``, until one is still there after the kill (the case to recover
    from); returns that copy."""
    for _ in range(attempts):
        target = make()
        if kill_when(args, target, lambda t=target: any_temp(where(t))) and temp_files(
            where(target)
        ):
            return target
    pytest.fail(f"no kill of trail {' '.join(args)} left a temp file in {attempts} tries")


@pytest.mark.parametrize(("verb", "inside"), [("pull", "data"), ("fetch", ".trail/cache")])
def test_killed_pull_or_fetch(origin, rng, tmp_path, verb, inside):
    """Killed while a temp file exists (in the workspace for pull, the cache for fetch), and
    at a random time: the next command, whatever it is, removes the temps; the next pull or
    fetch completes."""
    made = iter(range(100))

    def fresh() -> Path:
        return _clone(origin.repo, tmp_path / str(next(made)))

    clones = [_temp_left_by_kill([verb], fresh, lambda c: c / inside)]
    for delay in _points(rng, origin.spans["pull"]):
        clones.append(fresh())
        kill_after([verb], delay, clones[-1])
    for clone in clones:
        run("status", cwd=clone, check=False)
        assert temp_files(clone, origin.remote) == []
        run(verb, cwd=clone)
        if verb == "fetch":
            run("checkout", cwd=clone)
        faults = Faults(clone, origin.remote)
        faults.assert_consistent(origin.v2)
        faults.assert_up_to_date()


def test_killed_push(origin, rng, tmp_path):
    """Killed while a temp file is on the folder remote, and at a random time."""
    made = iter(range(100))
    remotes: dict[Path, Path] = {}

    def fresh() -> Path:
        i = next(made)
        repo = tmp_path / str(i)
        shutil.copytree(origin.repo, repo, symlinks=True)
        remotes[repo] = other_filesystem_dir(tmp_path, f"remote{i}")
        run("remote", "add", "-f", "-d", "store", str(remotes[repo]), cwd=repo)
        return repo

    try:
        repos = [_temp_left_by_kill(["push", "-a"], fresh, lambda r: remotes[r])]
        for delay in _points(rng, origin.spans["push"]):
            repos.append(fresh())
            kill_after(["push", "-a"], delay, repos[-1])
        for i, repo in enumerate(repos):
            run("push", "-a", cwd=repo)
            assert temp_files(repo, remotes[repo]) == []
            assert json.loads(run("status", "-c", "-a", "--json", cwd=repo).stdout) == {}
            clone = _clone(repo, tmp_path / f"c{i}")  # what the remote holds checks out
            run("pull", cwd=clone)
            Faults(clone, remotes[repo]).assert_consistent(origin.v2)
    finally:
        for remote in remotes.values():
            shutil.rmtree(remote, ignore_errors=True)


def test_killed_gc(origin, rng, tmp_path):
    for i, delay in enumerate(_points(rng, 1.5, POINTS)):
        repo = tmp_path / str(i)
        shutil.copytree(origin.repo, repo, symlinks=True)
        remote = tmp_path / f"remote{i}"
        shutil.copytree(origin.remote, remote)
        run("remote", "add", "-f", "-d", "store", str(remote), cwd=repo)
        kill_after(["gc", "-w", "-c", "-f"], delay, repo)
        run("gc", "-w", "-c", "-f", cwd=repo)
        assert temp_files(repo, remote) == []
        assert json.loads(run("status", "-c", "--json", cwd=repo).stdout) == {}
        shutil.rmtree(repo / "data")
        shutil.rmtree(repo / ".trail" / "cache")
        run("pull", cwd=repo)  # what gc kept on the remote is whole
        Faults(repo, remote).assert_consistent(origin.v2)


# A stage that writes its output file by file. TRAIL_FAULT_SLOW (seconds, in the environment of
# the run to be killed only) stretches it, so a stage that outlived its trail would be seen.
WORK = """\
import os, sys, time
name, n = sys.argv[1], int(sys.argv[2])
pause = 0.005 + float(os.environ.get("TRAIL_FAULT_SLOW", "0")) / n
os.makedirs(f"out/{name}", exist_ok=True)
seed = open("params.yaml").read()
for i in range(n):
    with open(f"out/{name}/{i}.txt", "w") as f:
        f.write(f"{name} {i} {seed}")
    time.sleep(pause)
"""
SLOW = {"TRAIL_FAULT_SLOW": "60"}
PIPELINE = """\
stages:
  a:
    cmd: python3 work.py a 60
    deps: [work.py]
    params: [p]
    outs: [out/a]
  b:
    cmd: python3 work.py b 60
    deps: [work.py]
    outs: [out/b]
  c:
    cmd: python3 work.py c 40 && cat out/a/0.txt out/b/0.txt > out/c/sum.txt
    deps: [out/a, out/b]
    outs: [out/c]
"""


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """A pipeline of three stages that write their outputs file by file, and what an
    uninterrupted `repro -j 2` leaves."""
    repo = tmp_path_factory.mktemp("pipeline")
    git("init", "-q", "-b", "main", cwd=repo)
    run("init", cwd=repo)
    (repo / "work.py").write_text(WORK)
    (repo / "trail.yaml").write_text(PIPELINE)
    (repo / "params.yaml").write_text("p: 1\n")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "pipeline", cwd=repo)
    done = tmp_path_factory.mktemp("done") / "repo"
    shutil.copytree(repo, done, symlinks=True)
    span = timed(["repro", "-j", "2"], done)
    return repo, tree_bytes(done), span


def _no_process_left(marker: str) -> None:
    """Every process the killed run started stops within seconds (a stretched stage would
    otherwise run on for a minute)."""
    left = wait_until_gone(marker, timeout=15)
    assert left == [], f"processes of the killed run still alive: {left}"


def _slow_run_env(marker: str) -> dict[str, str]:
    key, value = marker.split("=", 1)
    return {**SLOW, key: value}


def _kill_stretched(args, repo: Path, marker: str, delay: float | None) -> None:
    """Kill ``trail <args>`` (its stages stretched) after ``delay`` seconds, or (None) as soon
    as a stage has written its first file; then wait for all it started to be gone."""
    env = _slow_run_env(marker)
    if delay is None:
        writing = lambda: any(any(d.iterdir()) for d in (repo / "out").glob("*"))  # noqa: E731
        assert kill_when(args, repo, lambda: (repo / "out").is_dir() and writing(), env=env)
    else:
        kill_after(args, delay, repo, env=env)
    _no_process_left(marker)


def test_killed_repro_leaves_no_stage_running(pipeline, rng, tmp_path):
    src, expected, _span = pipeline
    for i, delay in enumerate([None, *_points(rng, 2.0)]):
        repo = tmp_path / str(i)
        shutil.copytree(src, repo, symlinks=True)
        _kill_stretched(["repro", "-j", "2"], repo, f"{MARK}=repro{i}-{os.getpid()}", delay)
        run("repro", "-j", "2", cwd=repo)
        faults = Faults(repo)
        faults.assert_consistent(expected)
        faults.assert_up_to_date()


def test_killed_exp_run(pipeline, rng, tmp_path):
    src, _expected, _span = pipeline
    for i, delay in enumerate([None, *_points(rng, 2.0)]):
        repo = tmp_path / str(i)
        shutil.copytree(src, repo, symlinks=True)
        args = ["exp", "run", "-n", "first", "-S", "p=2"]
        _kill_stretched(args, repo, f"{MARK}=exp{i}-{os.getpid()}", delay)
        run("exp", "run", "-f", "-n", "second", "-S", "p=3", cwd=repo)
        faults = Faults(repo)
        faults.assert_consistent()
        faults.assert_up_to_date()
        rows = json.loads(run("exp", "show", "--json", cwd=repo).stdout)
        names = {g["name"] for b in rows for g in b["experiments"] or [] if not g["executor"]}
        assert "second" in names and names <= {"first", "second"}
        assert (repo / "out" / "a" / "0.txt").read_text() == "a 0 p: 3\n"
        assert "p: 3" in git("show", "refs/exps/" + _exp_ref(repo, "second"), cwd=repo)


def _exp_ref(repo: Path, name: str) -> str:
    refs = git("for-each-ref", "--format=%(refname)", "refs/exps/", cwd=repo).split()
    return next(r for r in refs if r.endswith("/" + name))[len("refs/exps/") :]


def test_killed_queue_worker(pipeline, rng, tmp_path):
    src, _expected, _span = pipeline
    for i, delay in enumerate(_points(rng, 4.0)):
        repo = tmp_path / str(i)
        shutil.copytree(src, repo, symlinks=True)
        marker = f"{MARK}=queue{i}-{os.getpid()}"
        env = {**os.environ, **_slow_run_env(marker)}
        for p in (2, 3):
            run("exp", "run", "--queue", "-n", f"q{p}", "-S", f"p={p}", cwd=repo)
        subprocess.run([TRAIL, "queue", "start", "-j", "2"], cwd=repo, env=env, check=True)
        info = repo / ".trail" / "tmp" / "exps" / "queue" / "worker.json"
        pid = json.loads(str(wait_for("the worker to start", info.read_text)))["pid"]
        time.sleep(delay)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it finished first: the runs must simply be there
        status = json.loads(run("queue", "status", "--json", cwd=repo).stdout)  # notices
        assert not status["worker"], status
        _no_process_left(marker)
        states = {e["name"]: e["status"] for e in status["entries"]}
        assert set(states.values()) <= {"success", "failed", "queued"}, states
        clones = repo / ".trail" / "tmp" / "exps" / "run"
        assert not clones.exists() or not any(clones.iterdir())  # the killed runs' clones went
        run("queue", "remove", "--failed", cwd=repo)
        for name, state in states.items():
            if state == "failed":
                run("exp", "run", "--queue", "-n", name, "-S", f"p={name[1:]}", cwd=repo)
        run("exp", "run", "--run-all", "-j", "2", cwd=repo)
        faults = Faults(repo)
        faults.assert_consistent()
        shown = json.loads(run("exp", "show", "--json", cwd=repo).stdout)
        names = {g["name"] for b in shown for g in b["experiments"] or []}
        assert {"q2", "q3"} <= names
