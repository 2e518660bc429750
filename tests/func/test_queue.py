"""The experiment queue: ``exp run --queue/--run-all/--temp`` and ``queue start|status|logs|kill|
remove``, with real detached workers, real clones and real ``trail exp run`` processes."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from exp_helpers import exp_refs, flat_rows, make_project

import trail.api as api

SLOW = """\
import sys, time, json
p = open("params.yaml").read()
if "fail: true" in p:
    print("training diverged", flush=True)
    sys.exit(3)
if "sleep: true" in p:
    print("sleeping", flush=True)
    time.sleep(300)
json.dump({"done": 1}, open("out.json", "w"))
"""
SLOW_PIPELINE = """\
stages:
  slow:
    cmd: python3 slow.py
    deps: [slow.py]
    params: [fail, sleep]
    metrics: [{out.json: {cache: false}}]
"""


@pytest.fixture
def project(trail_repo):
    make_project(trail_repo)
    return trail_repo


@pytest.fixture
def slow_project(trail_repo):
    trail_repo.gen({"slow.py": SLOW, "trail.yaml": SLOW_PIPELINE, "params.yaml": _flags()})
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "slow pipeline")
    return trail_repo


def _flags(fail=False, sleep=False):
    return f"fail: {str(fail).lower()}\nsleep: {str(sleep).lower()}\n"


def _ok(res):
    assert res.code == 0, res.err
    return res


def _status(trail):
    return json.loads(_ok(trail("queue", "status", "--json")).out)


def _entry(trail, name):
    return next(e for e in _status(trail)["entries"] if e["name"] == name)


def _until(what, check, timeout=120.0):
    """Poll until ``check()`` is truthy (a generous deadline, never a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def _clone(repo, entry):
    return repo / ".trail" / "tmp" / "exps" / "run" / entry["id"]


def test_a_grid_runs_two_at_a_time_and_every_run_is_an_experiment(project, trail):
    for lr in ("0.1", "0.2"):
        _ok(trail("exp", "run", "--queue", "-n", f"lr-{lr}", "-S", f"train.lr={lr}"))
    sweep = _ok(trail("exp", "run", "--queue", "-S", "train.epochs=4,5"))  # a sweep: two runs
    assert sweep.out.count("Queued experiment") == 2
    assert [e["status"] for e in _status(trail)["entries"]] == ["queued"] * 4
    assert exp_refs(project) == {}  # queued is not an experiment yet
    assert project.joinpath("params.yaml").read_text().count("lr: 0.1") == 1  # untouched
    res = _ok(trail("exp", "run", "--run-all", "-j", "2"))
    assert "4 of 4 experiments succeeded." in res.out
    names = set(_ok(trail("exp", "list", "--name-only")).out.split())
    assert {"lr-0.1", "lr-0.2"} <= names and len(names) == 4
    rows = {r["name"]: r for r in flat_rows(json.loads(_ok(trail("exp", "show", "--json")).out))}
    assert names <= set(rows)
    assert rows["lr-0.1"]["params"]["params.yaml"] == {"train.lr": 0.1, "train.epochs": 3}
    assert rows["lr-0.1"]["metrics"]["metrics.json"] == {"acc": 0.3, "loss.train": 0.9}
    table = _ok(trail("exp", "show")).out
    assert all(f"[{n}]" in table for n in names)
    assert api.params_show(rev="lr-0.2")["train"] == {"lr": 0.2, "epochs": 3}
    assert api.metrics_show(rev="lr-0.2") == {"acc": 0.6, "loss": {"train": 0.8}}
    assert api.read("model.bin", rev="lr-0.2") == "model lr=0.2 epochs=3\n"  # a stage output
    epochs = sorted(api.params_show(rev=n)["train"]["epochs"] for n in names - {"lr-0.1", "lr-0.2"})
    assert epochs == [4, 5]
    entries = _status(trail)["entries"]
    assert {e["status"] for e in entries} == {"success"}
    assert all(e["exp_ref"].endswith("/" + e["name"]) for e in entries)
    assert not any(_clone(project, e).exists() for e in entries)  # clones removed
    assert not (project / ".trail" / "tmp" / "exps" / "run").exists() or not os.listdir(
        project / ".trail" / "tmp" / "exps" / "run"
    )
    cache = project / ".trail" / "cache" / "files" / "blake3"
    lock = project.git("show", f"{entries[0]['exp_ref']}:trail.lock")
    model = lock.split("path: model.bin")[0].rsplit("blake3: ", 1)[1].split()[0]
    assert (cache / model[:2] / model[2:]).is_file()  # outputs went to the shared cache


def test_status_table_and_logs(project, trail):
    _ok(trail("exp", "run", "--queue", "-n", "one", "-S", "train.lr=0.3"))
    table = _ok(trail("queue", "status")).out
    assert "one" in table and "queued" in table and "train.lr=0.3" in table
    assert "Worker: not running" in table
    assert "has not started yet" in trail("queue", "logs", "one").err
    _ok(trail("exp", "run", "--run-all"))
    log = _ok(trail("queue", "logs", "one")).out
    assert "trained with lr=0.3" in log and "experiment recorded as refs/exps/" in log


def test_a_failing_run_is_marked_failed_with_its_log(slow_project, trail):
    _ok(trail("exp", "run", "--queue", "-n", "bad", "-S", "fail=true"))
    _ok(trail("exp", "run", "--queue", "-n", "good"))
    res = trail("exp", "run", "--run-all", "-j", "2")
    assert res.code == 1 and "1 of 2 experiments succeeded." in res.out
    assert "'bad' failed: `trail exp run` failed (exit code 1)" in res.err
    bad = _entry(trail, "bad")
    assert bad["status"] == "failed" and bad["exit_code"] == 1
    assert "training diverged" in _ok(trail("queue", "logs", "bad")).out
    assert set(exp_refs(slow_project)) == {"good"}
    assert not _clone(slow_project, bad).exists()


def test_exp_show_lists_queued_and_failed_runs_under_their_baseline(slow_project, trail):
    _ok(trail("exp", "run", "--queue", "-n", "bad", "-S", "fail=true"))
    trail("exp", "run", "--run-all")
    _ok(trail("exp", "run", "--queue", "-n", "waiting", "-S", "sleep=true"))
    rows = {r["name"]: r for r in flat_rows(json.loads(_ok(trail("exp", "show", "--json")).out))}
    waiting, bad = rows["waiting"], rows["bad"]
    head = slow_project.git("rev-parse", "HEAD").strip()
    assert (waiting["type"], waiting["status"], waiting["baseline"]) == ("queued", "queued", head)
    assert waiting["params"]["params.yaml"] == {"fail": False, "sleep": True}  # its own params
    assert waiting["metrics"] == {}  # not the baseline's
    assert (bad["type"], bad["status"]) == ("queued", "failed")
    assert rows["main"]["status"] is None and rows["main"]["type"] == "baseline"
    table = _ok(trail("exp", "show")).out
    assert "[waiting]" in table and "Queued" in table and "Failed" in table
    csv = _ok(trail("exp", "show", "--csv")).out.splitlines()
    assert any(line.startswith("waiting,") and ",Queued,Dvc-task," in line for line in csv)
    hidden = flat_rows(json.loads(_ok(trail("exp", "show", "--json", "--hide-failed")).out))
    assert {r["name"] for r in hidden} == {"workspace", "main", "waiting"}
    hidden = flat_rows(json.loads(_ok(trail("exp", "show", "--json", "--hide-queued")).out))
    assert {r["name"] for r in hidden} == {"workspace", "main", "bad"}
    assert all(r["Experiment"] is None for r in api.exp_show(repo=str(slow_project)))


def test_the_worker_is_detached_and_kill_stops_a_run(slow_project, trail):
    _ok(trail("exp", "run", "--queue", "-n", "long", "-S", "sleep=true"))
    _ok(trail("exp", "run", "--queue", "-n", "after"))
    res = _ok(trail("queue", "start"))  # returns at once; the worker goes on alone
    assert "Started a queue worker" in res.out
    worker = _until("the worker", lambda: _status(trail)["worker"])
    pid = worker["pid"]
    assert os.getsid(pid) == pid != os.getsid(0)  # its own session: no terminal to lose
    assert os.readlink(f"/proc/{pid}/fd/0") == "/dev/null"
    _until("the run to sleep", lambda: "sleeping" in trail("queue", "logs", "long").out)
    long = _entry(trail, "long")
    assert long["status"] == "running" and long["proc"]["pid"] != pid
    clone = _clone(slow_project, long)
    assert clone.is_dir()
    res = _ok(trail("queue", "kill", "long"))
    assert "Killed 'long'" in res.out
    killed = _entry(trail, "long")
    assert killed["status"] == "killed" and killed["error"] == "killed by `trail queue kill`"
    assert not clone.exists()
    assert not _processes_in(clone)
    _until("the next run", lambda: _entry(trail, "after")["status"] == "success")
    assert set(exp_refs(slow_project)) == {"after"}  # nothing of the killed run
    res = trail("queue", "kill", "after")
    assert res.code == 1 and "not running: 'after' (success)" in res.err


def _processes_in(clone):
    real = os.path.realpath(clone)
    found = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.readlink(f"/proc/{p}/cwd").startswith(real):
                    found.append(int(p))
            except OSError:
                continue
    return found


def test_a_worker_killed_with_sigkill_is_noticed_and_cleaned_up(slow_project, trail):
    _ok(trail("exp", "run", "--queue", "-n", "orphan", "-S", "sleep=true"))
    _ok(trail("queue", "start"))
    _until("the run to sleep", lambda: "sleeping" in trail("queue", "logs", "orphan").out)
    entry = _entry(trail, "orphan")
    os.kill(entry["worker"]["pid"], signal.SIGKILL)  # as a machine stopping would
    _until("the worker to die", lambda: _status(trail)["worker"] is None)
    failed = _entry(trail, "orphan")  # the next command noticed
    assert failed["status"] == "failed" and "died" in failed["error"]
    assert not _clone(slow_project, entry).exists()
    assert not _processes_in(_clone(slow_project, entry))  # the orphaned run stopped too
    assert exp_refs(slow_project) == {} and exp_refs(slow_project, "refs/trail-exps/") == {}
    assert "the process running this experiment died" in trail("queue", "logs", "orphan").out


def test_temp_runs_one_experiment_in_the_foreground(project, trail):
    before = project.joinpath("params.yaml").read_text()
    res = _ok(trail("exp", "run", "--temp", "-n", "tmp", "-S", "train.lr=0.5"))
    assert "trained with lr=0.5" in res.out  # its output, as it ran
    assert "Ran experiment 'tmp'" in res.out
    assert project.joinpath("params.yaml").read_text() == before  # the workspace is untouched
    assert not project.joinpath("metrics.json").exists()
    assert api.metrics_show(rev="tmp")["acc"] == 1.5
    assert _entry(trail, "tmp")["status"] == "success"
    res = trail("exp", "run", "--temp", "-S", "train.lr=0.1,0.2")
    assert res.code == 2 and "queue them with --queue, not --temp" in res.err


def test_the_snapshot_holds_uncommitted_and_untracked_files(project, trail):
    project.gen({"train.py": project.joinpath("train.py").read_text() + "print('edited')\n"})
    project.gen(
        {"notes.txt": "untracked\n", "ignored.txt": "secret\n", ".gitignore": "ignored.txt\n"}
    )
    _ok(trail("exp", "run", "--queue", "-n", "snap"))
    entry = _entry(trail, "snap")
    files = project.git("ls-tree", "-r", "--name-only", entry["snapshot_ref"]).split()
    assert "notes.txt" in files and "ignored.txt" not in files
    assert project.git("rev-parse", f"{entry['snapshot_ref']}^").strip() == entry["baseline"]
    project.joinpath("train.py").unlink()  # the run does not read the workspace any more
    _ok(trail("exp", "run", "--run-all"))
    assert "edited" in _ok(trail("queue", "logs", "snap")).out


def test_bad_input_queues_nothing(project, trail):
    for args, message in [
        (["-S", "nope.yaml:a=1"], "params file 'nope.yaml' does not exist"),
        (["-n", "bad name"], "invalid experiment name 'bad name'"),
    ]:
        res = trail("exp", "run", "--queue", *args)
        assert res.code == 2 and message in res.err, res.err
    _ok(trail("exp", "run", "--queue", "-n", "twice"))
    res = trail("exp", "run", "--queue", "-n", "twice")
    assert res.code == 1 and "'twice' is already queued" in res.err
    assert [e["name"] for e in _status(trail)["entries"]] == ["twice"]
    assert project.git("for-each-ref", "refs/trail/queue/").count("\n") == 1
    res = trail("queue", "logs", "nosuch")
    assert res.code == 2 and "no queued experiment 'nosuch'" in res.err


def test_a_name_taken_meanwhile_leaves_the_experiment_alone(project, trail):
    _ok(trail("exp", "run", "--queue", "-n", "taken", "-S", "train.lr=0.7"))
    _ok(trail("exp", "run", "-n", "taken"))  # in the workspace, before the queue runs
    mine, meta = exp_refs(project), exp_refs(project, "refs/trail-exps/")
    res = trail("exp", "run", "--run-all")
    assert res.code == 1
    entry = _entry(trail, "taken")
    assert entry["status"] == "failed"
    assert "experiment 'taken' already exists for baseline" in entry["error"]
    assert exp_refs(project) == mine  # neither ref moved: all or nothing
    assert exp_refs(project, "refs/trail-exps/") == meta


def test_remove(slow_project, trail):
    _ok(trail("exp", "run", "--queue", "-n", "a"))
    _ok(trail("exp", "run", "--queue", "-n", "b", "-S", "fail=true"))
    trail("exp", "run", "--run-all")
    _ok(trail("exp", "run", "--queue", "-n", "c"))
    res = trail("queue", "remove")
    assert res.code == 2 and "name runs to remove" in res.err
    assert "Removed 1 run" in _ok(trail("queue", "remove", "--failed")).out
    assert [e["name"] for e in _status(trail)["entries"]] == ["a", "c"]
    _ok(trail("queue", "remove", "--queued"))
    _ok(trail("queue", "remove", "a"))
    assert _status(trail)["entries"] == []
    assert slow_project.git("for-each-ref", "refs/trail/queue/") == ""
    assert set(exp_refs(slow_project)) == {"a"}  # experiments stay: only the queue forgets


def test_exp_clean_removes_a_snapshot_ref_left_without_its_entry(slow_project, trail):
    _ok(trail("exp", "run", "--queue", "-n", "kept"))
    _ok(trail("exp", "run", "--queue", "-n", "lost"))
    lost = _entry(trail, "lost")
    # as a process killed between making the ref and writing the entry leaves it
    (slow_project / ".trail" / "tmp" / "exps" / "queue" / f"{lost['id']}.json").unlink()
    res = _ok(trail("exp", "clean"))
    assert "Removed 1 snapshot of runs no longer queued." in res.out
    refs = slow_project.git("for-each-ref", "--format=%(refname)", "refs/trail/queue/").split()
    assert refs == [f"refs/trail/queue/{_entry(trail, 'kept')['id']}"]
    assert "Nothing to clean." in _ok(trail("exp", "clean")).out


def test_ctrl_c_stops_waiting_and_the_runs_go_on(slow_project, trail):
    import subprocess

    from trail.testing.plugin import trail_exe

    _ok(trail("exp", "run", "--queue", "-n", "long", "-S", "sleep=true"))
    waiting = subprocess.Popen(
        [trail_exe(), "exp", "run", "--run-all"],
        cwd=slow_project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with waiting:
        assert waiting.stdout is not None
        assert "Running 'long'" in waiting.stdout.readline()
        waiting.send_signal(signal.SIGINT)
        try:
            _out, err = waiting.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            waiting.kill()  # it did not hear the signal: a failure, not a hang
            raise
        assert waiting.returncode == 130
    assert "Stopped waiting. The experiments go on running in the background" in err
    assert "`trail queue kill NAME…` stops them" in err
    assert _entry(trail, "long")["status"] == "running"  # the worker did not stop
    _ok(trail("queue", "kill", "long"))
    assert _entry(trail, "long")["status"] == "killed"


def test_the_queue_in_a_dvc_repository(dvc_dialect_repo, trail):
    make_project(dvc_dialect_repo, "dvc.yaml")
    _ok(trail("exp", "run", "--queue", "-n", "in-dvc", "-S", "train.lr=0.2"))
    assert (dvc_dialect_repo / ".dvc" / "tmp" / "trail" / "exps" / "queue").is_dir()
    _ok(trail("exp", "run", "--run-all"))
    assert set(exp_refs(dvc_dialect_repo)) == {"in-dvc"}
    assert api.metrics_show(rev="in-dvc")["acc"] == 0.6
    cache = dvc_dialect_repo / ".dvc" / "cache" / "files" / "md5"
    assert any(cache.iterdir())  # the outputs went to the repository's own cache
