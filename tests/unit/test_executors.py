"""The remote-stage machinery without a cluster: the wire format, the worker's sandbox and the
client's side, run through the in-process ``ThreadExecutor`` (the ``Executor`` seam's memory
implementation)."""

from __future__ import annotations

import os

import pytest

from trail.executors.inline import ThreadExecutor
from trail.executors.remote_stage import RemoteStages, remote_spec
from trail.executors.sandbox import run_task
from trail.executors.task import BuiltOut, RemoteSpec, SandboxFile, StageOutcome, StageTask
from trail.executors.undeclared import missing_paths
from trail.ops.repro import ReproOptions, repro
from trail.repo import Repo
from trail.testing.plugin import run_main
from trail.types import Kind, Oid


def test_tasks_and_outcomes_survive_the_wire():
    task = StageTask(
        "sub/dvc.yaml:train", "train", ("a", "b"), "sub", "md5",
        (SandboxFile("sub/x", Oid("md5", "ab" * 16, Kind.TREE), False),),
        ("sub/out",), RemoteSpec("r", "/tmp/r", {"k": "v"}),
        ("DVC_ROOT",), ("DVC_STAGE",),
    )  # fmt: skip
    assert StageTask.from_wire(task.to_wire()) == task
    out = StageOutcome(
        0, 1.0, 2.0, (BuiltOut("o", Oid("md5", "cd" * 16), 3, None, True),),
        log=Oid("md5", "ef" * 16), tail=("x",), undeclared=("y",), host="h", fetched=2,
    )  # fmt: skip
    assert StageOutcome.from_wire(out.to_wire()) == out


def test_a_broken_task_is_reported_not_raised():
    outcome = StageOutcome.from_wire(run_task({"stage": "s"}))
    assert not outcome.ok and "KeyError" in (outcome.error or "")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("cat: notes.txt: No such file or directory\n", ["notes.txt"]),
        ("FileNotFoundError: [Errno 2] No such file or directory: 'data/x.csv'\n", ["data/x.csv"]),
        ("python3: can't open file '{box}/src/t.py': [Errno 2] No such file", ["src/t.py"]),
        ("/bin/sh: 1: cannot open cfg.ini: No such file\n", ["cfg.ini"]),
        ("cat: /etc/nope: No such file or directory\n", []),  # outside the sandbox
        ("cat: in.txt: No such file or directory\n", []),  # it is there: not the reason
    ],
)
def test_missing_paths_are_read_from_what_the_command_printed(tmp_path, text, expected):
    (tmp_path / "in.txt").write_text("x")
    found = missing_paths(text.format(box=tmp_path), str(tmp_path), str(tmp_path))
    assert found == expected


@pytest.fixture
def pipeline(trail_repo, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TRAIL_WORKER_DIR", str(tmp_path_factory.mktemp("worker")))
    trail_repo.scm_gen({"in.txt": "in\n", "params.yaml": "n: 2\n"}, commit="inputs")
    trail_repo.gen(
        "trail.yaml",
        "stages:\n"
        "  where:\n"
        "    cmd: pwd > where.txt && echo $TRAIL_ROOT >> where.txt && cat in.txt > a.txt\n"
        "    deps: [in.txt]\n    params: [n]\n    outs: [a.txt, where.txt]\n"
        "  next:\n    cmd: cat a.txt a.txt > b.txt\n    deps: [a.txt]\n    outs: [b.txt]\n",
    )
    remote = tmp_path_factory.mktemp("remote")
    assert run_main("remote", "add", "-d", "store", str(remote)).code == 0
    return trail_repo


def _run_remotely(root) -> ThreadExecutor:
    repo = Repo.find(str(root))
    executor = ThreadExecutor(2)
    runner = RemoteStages(lambda: executor, remote_spec(repo, None))
    try:
        result = repro(repo, (), ReproOptions(jobs=4, runner=runner, on_abort=runner.cancel_all))
    finally:
        runner.close()
        repo.close()
    assert not result.failed, result.errors
    return executor


def test_a_stage_runs_in_a_sandbox_and_is_recorded_as_a_local_run(pipeline, tmp_path_factory):
    import shutil

    local = tmp_path_factory.mktemp("local") / "repo"
    shutil.copytree(pipeline, local, symlinks=True)

    executor = _run_remotely(pipeline)

    where = (pipeline / "where.txt").read_text().split()
    assert where[0] == where[1] and not where[0].startswith(str(pipeline))  # not the workspace
    assert [t.stage for t in executor.submitted] == ["where", "next"]
    assert sorted(f.path for f in executor.submitted[0].inputs) == ["in.txt", "params.yaml"]
    os.chdir(local)
    assert run_main("repro").code == 0
    lock = (pipeline / "trail.lock").read_text()
    # Only where.txt differs (the directory the command ran in): every other entry is equal.
    assert lock.split("  next:")[1] == (local / "trail.lock").read_text().split("  next:")[1]
    assert (pipeline / "b.txt").read_text() == "in\nin\n"
    os.chdir(pipeline)
    assert run_main("status").out.strip() == "Data and pipelines are up to date."


def test_without_a_remote_the_error_says_the_workers_need_one(trail_repo):
    trail_repo.scm_gen({"in.txt": "x"}, commit="in")
    trail_repo.gen(
        "trail.yaml", "stages:\n  s:\n    cmd: cp in.txt o\n    deps: [in.txt]\n    outs: [o]\n"
    )
    res = run_main("repro", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1")
    assert res.code == 3
    assert "--executor dask needs a remote" in res.err
    assert not (trail_repo / "trail.lock").exists()


def test_scheduler_without_dask_executor_is_a_usage_error(trail_repo):
    res = run_main("repro", "--scheduler", "tcp://127.0.0.1:1")
    assert res.code == 2 and "--scheduler goes with --executor dask" in res.err
