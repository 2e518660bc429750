"""``trail repro`` through the real entry point: what runs, what is recorded, what is kept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from trail.pipeline import lockfile
from trail.testing.plugin import trail_exe

PIPELINE = """\
stages:
  prep:
    cmd: cat a.txt > b.txt && echo prepared
    deps: [a.txt]
    params: [lr]
    outs: [b.txt]
  train:
    cmd:
    - cat b.txt b.txt > model.pkl
    - mkdir -p eval && cp model.pkl eval/copy
    deps: [b.txt]
    outs: [model.pkl, eval]
"""


@pytest.fixture
def pipe(trail_repo):
    trail_repo.gen({"a.txt": "a\n", "params.yaml": "lr: 0.1\nother: 1\n", "trail.yaml": PIPELINE})
    return trail_repo


def lock(tmp):
    return lockfile.read(str(tmp), "trail.lock")


def test_first_repro_runs_in_order_and_writes_the_lock(pipe, trail):
    res = trail("repro")
    assert res.code == 0, res.err
    assert res.out.index("Running stage 'prep'") < res.out.index("Running stage 'train'")
    assert "prepared" in res.out
    entries = lock(pipe)
    assert list(entries) == ["prep", "train"]
    assert entries["prep"].params == {"params.yaml": {"lr": 0.1}}
    assert [o.path for o in entries["train"].outs] == ["eval", "model.pkl"]
    assert (pipe / "model.pkl").read_text() == "a\na\n"
    assert set((pipe / ".gitignore").read_text().split()) == {"/b.txt", "/model.pkl", "/eval"}
    assert trail("status", "--json").out.strip() == "{}"


def test_noop_repro_runs_nothing(pipe, trail):
    assert trail("repro").code == 0
    before = (pipe / "trail.lock").read_text()
    res = trail("repro")
    assert res.code == 0
    assert "Stage 'prep' didn't change, skipping" in res.out
    assert "Data and pipelines are up to date." in res.out
    assert "Running" not in res.out
    assert (pipe / "trail.lock").read_text() == before


def test_one_dep_changed_reruns_it_and_what_follows(pipe, trail):
    assert trail("repro").code == 0
    (pipe / "a.txt").write_text("changed\n")
    st = json.loads(trail("status", "--json").out)
    assert st == {"prep": [{"changed deps": {"a.txt": "modified"}}]}
    res = trail("repro")
    assert "Running stage 'prep'" in res.out and "Running stage 'train'" in res.out
    assert (pipe / "model.pkl").read_text() == "changed\nchanged\n"


def test_params_change_is_reported_and_reruns(pipe, trail):
    assert trail("repro").code == 0
    (pipe / "params.yaml").write_text("lr: 0.2\nother: 5\n")
    assert json.loads(trail("status", "--json").out) == {
        "prep": [{"changed deps": {"params.yaml": {"lr": "modified"}}}]
    }
    text = trail("status").out
    assert "params.yaml:" in text and "modified:" in text and "lr" in text
    res = trail("repro")
    assert "Running stage 'prep'" in res.out
    assert lock(pipe)["prep"].params == {"params.yaml": {"lr": 0.2}}


def test_changed_command_and_deleted_out(pipe, trail):
    assert trail("repro").code == 0
    os.remove(pipe / "model.pkl")
    (pipe / "trail.yaml").write_text(PIPELINE.replace("echo prepared", "echo again"))
    assert json.loads(trail("status", "--json").out) == {
        "prep": ["changed command"],
        "train": [{"changed outs": {"model.pkl": "deleted"}}],
    }


def test_run_cache_restores_instead_of_running(pipe, trail):
    assert trail("repro").code == 0
    (pipe / "a.txt").write_text("two\n")
    assert trail("repro").code == 0
    (pipe / "a.txt").write_text("a\n")  # back to inputs seen before
    res = trail("repro")
    assert res.code == 0, res.err
    assert "Stage 'prep' is cached - skipping run, checking out outputs" in res.out
    assert "Running stage" not in res.out
    assert (pipe / "model.pkl").read_text() == "a\na\n"
    assert trail("status", "--json").out.strip() == "{}"
    (pipe / "a.txt").write_text("two\n")
    res = trail("repro", "--no-run-cache")
    assert "\nprepared\n" in res.out


def test_failure_keeps_previous_lock_entry_and_caches_nothing(pipe, trail):
    assert trail("repro").code == 0
    old = lock(pipe)["prep"]
    (pipe / "a.txt").write_text("b\n")
    (pipe / "trail.yaml").write_text(
        PIPELINE.replace("cat a.txt > b.txt && echo prepared", "echo half > b.txt; exit 3")
    )
    res = trail("repro")
    assert res.code == 1
    assert "failed to reproduce 'prep'" in res.err
    assert "exit code 3" in res.err
    assert lock(pipe)["prep"] == old
    cached = [f for _d, _s, fs in os.walk(pipe / ".trail" / "cache") for f in fs]
    from trail import hashing

    half = hashing.get("blake3").hash_bytes(b"half\n")
    assert half[2:] not in cached


def test_keep_going_stops_only_descendants(trail_repo, trail):
    trail_repo.gen(
        {
            "trail.yaml": "stages:\n"
            "  bad:\n    cmd: exit 1\n    outs: [x]\n"
            "  after:\n    cmd: cp x y\n    deps: [x]\n    outs: [y]\n"
            "  good:\n    cmd: echo ok > z\n    outs: [z]\n"
        }
    )
    res = trail("repro", "-k")
    assert res.code == 1
    assert "Stage 'after' skipped: an upstream stage failed" in res.err
    assert (trail_repo / "z").read_text() == "ok\n"
    assert list(lock(trail_repo)) == ["good"]
    res = trail("repro")
    assert res.code == 1 and not (trail_repo / "y").exists()


def test_parallel_stages_overlap_and_lock_order_is_dvcs(trail_repo, trail):
    # Each stage waits for the other's flag: they can only both finish if they run at once.
    wait = "i=0; while [ ! -e {o} ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; test -e {o}"
    stages = "stages:\n"
    for me, other in (("a", "b"), ("b", "a")):
        cmd = f"touch {me}.flag && {wait.format(o=other + '.flag')} && echo {me} > {me}.out"
        stages += f"  {me}:\n    cmd: {cmd}\n    outs: [{me}.out]\n"
    trail_repo.gen({"trail.yaml": stages})
    res = trail("repro", "-j", "2")
    assert res.code == 0, res.err
    assert list(lock(trail_repo)) == ["a", "b"]


def test_parallel_output_is_prefixed(trail_repo, trail):
    trail_repo.gen(
        {
            "trail.yaml": "stages:\n  s:\n    cmd: echo hello > o\n    outs: [o]\n"
            "  t:\n    cmd: echo hi\n    outs: []\n"
        }
    )
    res = trail("repro", "-j", "2")
    assert res.code == 0, res.err
    assert "[t] hi" in res.out


def test_env_and_wdir(trail_repo, trail):
    trail_repo.gen(
        {
            "sub/.keep": "",
            "trail.yaml": "stages:\n  envs:\n    wdir: sub\n"
            "    cmd: echo $TRAIL_STAGE $TRAIL_ROOT > e.txt\n    outs: [e.txt]\n",
        }
    )
    assert trail("repro").code == 0
    assert (trail_repo / "sub" / "e.txt").read_text().split() == ["envs", str(trail_repo)]
    assert lock(trail_repo)["envs"].outs[0].path == "e.txt"


def test_always_changed_frozen_and_persist(trail_repo, trail):
    trail_repo.gen(
        {
            "in.txt": "1\n",
            "trail.yaml": "stages:\n"
            "  always:\n    cmd: date +%N >> log.txt\n    always_changed: true\n"
            "    outs: [{log.txt: {persist: true}}]\n"
            "  cold:\n    cmd: cp in.txt cold.txt\n    deps: [in.txt]\n    outs: [cold.txt]\n",
        }
    )
    assert trail("repro").code == 0
    assert json.loads(trail("status", "--json").out) == {"always": ["always changed"]}
    assert trail("repro", "always").code == 0
    assert len((trail_repo / "log.txt").read_text().splitlines()) == 2  # persist: kept
    res = trail("freeze", "cold")
    assert res.code == 0 and "frozen: true" in (trail_repo / "trail.yaml").read_text()
    (trail_repo / "in.txt").write_text("2\n")
    assert "cold" not in json.loads(trail("status", "--json").out)
    assert "Running stage 'cold'" not in trail("repro").out
    assert trail("unfreeze", "cold").code == 0
    assert "frozen" not in (trail_repo / "trail.yaml").read_text()
    assert "Running stage 'cold'" in trail("repro").out


def test_freeze_keeps_comments_and_rejects_unknown(pipe, trail):
    (pipe / "trail.yaml").write_text("# my pipeline\n" + PIPELINE)
    assert trail("freeze", "prep").code == 0
    assert (pipe / "trail.yaml").read_text().startswith("# my pipeline\n")
    res = trail("freeze", "nope")
    assert res.code == 1 and "no stage named 'nope'" in res.err


def test_targets_single_item_downstream_dry(pipe, trail):
    res = trail("repro", "--dry")
    assert "Running stage 'prep'" in res.out and "Running stage 'train'" in res.out
    assert not (pipe / "trail.lock").exists()
    res = trail("repro", "prep")
    assert "Running stage 'train'" not in res.out and list(lock(pipe)) == ["prep"]
    res = trail("repro", "--dry", "trail.yaml")
    assert "Running stage 'train'" in res.out
    assert trail("repro", "-s", "train").code == 0
    (pipe / "a.txt").write_text("z\n")
    res = trail("repro", "--downstream", "prep")
    assert "Running stage 'prep'" in res.out and "Running stage 'train'" in res.out
    res = trail("repro", "-f", "-s", "train")
    assert "Running stage 'train'" in res.out and "Running stage 'prep'" not in res.out


def test_logs_keep_each_run(pipe, trail):
    assert trail("repro").code == 0
    res = trail("logs", "prep")
    assert res.code == 0 and "prepared" in res.out and "exit code 0" in res.out
    runs = json.loads(trail("logs", "prep", "--json").out)
    assert runs[0]["cmd"] == ["cat a.txt > b.txt && echo prepared"]
    res = trail("logs", "nope")
    assert res.code == 1 and "stage 'nope'" in res.err


def test_no_commit_writes_lock_but_caches_nothing(pipe, trail):
    assert trail("repro", "--no-commit").code == 0
    assert "prep" in lock(pipe)
    assert json.loads(trail("status", "--json").out)["prep"] == [
        {"changed outs": {"b.txt": "not in cache"}}
    ]


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (("repro", "nope"), "stage 'nope' not found in 'trail.yaml'", 1),
        (("repro", "rain"), "stage 'rain' not found in 'trail.yaml'", 1),
        (("repro", "-j", "0"), "-j/--jobs must be at least 1", 2),
    ],
)
def test_bad_input(pipe, trail, args, message, code):
    res = trail(*args)
    assert res.code == code and message in res.err
    assert not (pipe / "trail.lock").exists()


def test_missing_dep_stops_before_anything_runs(trail_repo, trail):
    trail_repo.gen(
        {
            "trail.yaml": "stages:\n  first:\n    cmd: echo 1 > one\n    outs: [one]\n"
            "  s:\n    cmd: cp nothere o\n    deps: [one, nothere]\n    outs: [o]\n"
        }
    )
    res = trail("repro")
    assert res.code == 1
    assert "trail.yaml:5, stage 's': dependency 'nothere' does not exist" in res.err
    assert not (trail_repo / "one").exists()


def test_missing_dep_is_an_error(trail_repo, trail):
    trail_repo.gen(
        {"trail.yaml": "stages:\n  s:\n    cmd: cp nothere o\n    deps: [nothere]\n    outs: [o]\n"}
    )
    res = trail("repro")
    assert res.code == 1 and "nothere" in res.err
    assert not (trail_repo / "trail.lock").exists()


@pytest.mark.parametrize(
    ("sig", "jobs"), [(signal.SIGINT, "1"), (signal.SIGTERM, "1"), (signal.SIGINT, "2")]
)
def test_interrupt_stops_running_commands_and_keeps_finished(pipe, sig, jobs):
    (pipe / "trail.yaml").write_text(
        "stages:\n  quick:\n    cmd: echo q > q.txt\n    outs: [q.txt]\n"
        "  slow:\n    cmd: echo partial > s.txt && echo $$ > pid && touch started && sleep 60\n"
        "    deps: [q.txt]\n    outs: [s.txt]\n"
    )
    proc = subprocess.Popen(
        [trail_exe(), "repro", "-j", jobs], cwd=pipe, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    for _ in range(600):
        if (pipe / "started").exists():
            break
        time.sleep(0.05)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert list(lock(pipe)) == ["quick"]
    shell = int((pipe / "pid").read_text())
    for _ in range(100):  # the stage's shell is gone (killed with its process group)
        if not _alive(shell):
            break
        time.sleep(0.05)
    assert not _alive(shell)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie waiting for its parent is gone too
        return f.read().split(") ")[-1][0] != "Z"


def test_gc_keeps_what_lock_files_record(pipe, trail):
    assert trail("repro").code == 0
    pipe.git("add", "-A")
    pipe.git("commit", "-q", "-m", "run")
    old_model = lock(pipe)["train"].outs[1].oid
    (pipe / "a.txt").write_text("v2\n")
    assert trail("repro").code == 0
    assert trail("gc", "-w", "-f").code == 0
    assert trail("status", "--json").out.strip() == "{}"  # nothing went missing from the cache
    from trail.repo import Repo

    repo = Repo.find(str(pipe))
    assert not repo.odb.exists(old_model)
    (pipe / "a.txt").write_text("a\n")
    assert trail("repro").code == 0  # back to the committed inputs: runs again, nothing cached
    assert trail("gc", "-a", "-f").code == 0
    pipe.git("checkout", "-q", "--", "trail.lock")
    assert repo.odb.exists(lock(pipe)["train"].outs[1].oid)


def test_two_repros_of_disjoint_stages_run_side_by_side(trail_repo):
    # Each stage waits for the other's flag, so both processes must be running commands at once.
    wait = "i=0; while [ ! -e {o} ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; test -e {o}"
    stages = "stages:\n"
    for me, other in (("a", "b"), ("b", "a")):
        cmd = f"touch {me}.flag && {wait.format(o=other + '.flag')} && echo {me} > {me}.out"
        stages += f"  {me}:\n    cmd: {cmd}\n    outs: [{me}.out]\n"
    trail_repo.gen({"trail.yaml": stages})
    procs = [
        subprocess.Popen([trail_exe(), "repro", name], cwd=trail_repo, stderr=subprocess.PIPE)
        for name in ("a", "b")
    ]
    errs = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    assert sorted(lock(trail_repo)) == ["a", "b"]


def test_one_output_is_never_produced_twice_at_once(trail_repo):
    trail_repo.gen(
        {
            "trail.yaml": "stages:\n  s:\n    cmd: touch started && sleep 2 && echo x > o\n"
            "    outs: [o]\n"
        }
    )
    first = subprocess.Popen([trail_exe(), "repro"], cwd=trail_repo, stderr=subprocess.PIPE)
    for _ in range(600):
        if (trail_repo / "started").exists():
            break
        time.sleep(0.05)
    (trail_repo / ".trail" / "config").write_text("[core]\n    lock_timeout = 0.2\n")
    second = subprocess.run(
        [trail_exe(), "repro", "-f"], cwd=trail_repo, capture_output=True, text=True
    )
    first.communicate(timeout=60)
    assert second.returncode == 1
    assert "output 'o' is being produced by another process" in second.stderr
    assert first.returncode == 0


def test_logs_of_the_run_behind_a_revision(pipe, trail):
    assert trail("repro").code == 0
    pipe.git("add", "-A")
    pipe.git("commit", "-q", "-m", "first")
    (pipe / "a.txt").write_text("second\n")
    (pipe / "trail.yaml").write_text(PIPELINE.replace("echo prepared", "echo prepared again"))
    assert trail("repro").code == 0
    res = trail("logs", "prep", "--rev", "HEAD")
    assert res.code == 0, res.err
    assert "prepared" in res.out and "again" not in res.out
    assert "again" in trail("logs", "prep").out
    res = trail("logs", "prep", "--rev", "nope-no-such-rev")
    assert res.code == 1


def test_a_stage_without_deps_or_outs_always_runs(trail_repo, trail):
    trail_repo.gen({"trail.yaml": "stages:\n  ping:\n    cmd: echo ping\n"})
    assert trail("repro").code == 0
    assert json.loads(trail("status", "--json").out) == {"ping": ["always changed"]}
    assert "ping" in trail("repro").out


def test_parallel_stages_all_reach_the_gitignore(trail_repo, trail):
    stages = "stages:\n" + "".join(
        f"  s{i}:\n    cmd: echo {i} > o{i}\n    outs: [o{i}]\n" for i in range(12)
    )
    trail_repo.gen({"trail.yaml": stages})
    assert trail("repro", "-j", "4").code == 0
    assert set((trail_repo / ".gitignore").read_text().split()) == {f"/o{i}" for i in range(12)}


def test_checkout_restores_stage_outputs_from_the_lock_file(pipe, trail):
    assert trail("repro").code == 0
    pipe.git("add", "-A")
    pipe.git("commit", "-q", "-m", "v1")
    (pipe / "a.txt").write_text("v2\n")
    assert trail("repro").code == 0
    pipe.git("checkout", "-q", "--", "a.txt", "trail.lock")  # back to v1's inputs and lock
    res = trail("checkout")
    assert res.code == 0, res.err
    assert (pipe / "model.pkl").read_text() == "a\na\n"
    assert (pipe / "eval" / "copy").read_text() == "a\na\n"
    assert trail("status", "--json").out.strip() == "{}"


def test_commit_records_stage_outputs(pipe, trail):
    assert trail("repro", "--no-commit").code == 0
    res = trail("commit")
    assert res.code == 0, res.err
    assert "Updated trail.lock" in res.out
    assert trail("status", "--json").out.strip() == "{}"
    (pipe / "model.pkl").write_text("edited by hand\n")  # an output changed: recorded freely
    assert trail("commit").code == 0
    assert trail("status", "--json").out.strip() == "{}"
    (pipe / "a.txt").write_text("new input\n")  # a dep changed: only with -f
    before = (pipe / "trail.lock").read_text()
    res = trail("commit")
    assert res.code == 1
    assert "stage 'prep': its deps or command changed since it ran" in res.err
    assert (pipe / "trail.lock").read_text() == before
    assert trail("commit", "-f").code == 0
    assert trail("status", "--json").out.strip() == "{}"


def test_status_finds_pipelines_in_subdirectories(trail_repo, trail):
    trail_repo.gen({"sub/trail.yaml": "stages:\n  s:\n    cmd: echo 1 > o\n    outs: [o]\n"})
    assert json.loads(trail("status", "--json").out) == {
        "sub/trail.yaml:s": [{"changed outs": {"sub/o": "deleted"}}]  # from the root, as DVC
    }
    assert trail("repro").code == 0
    assert trail("status", "--json").out.strip() == "{}"


def test_a_stage_command_may_run_trail_itself(trail_repo, trail):
    # The repository lock is not held while a command runs, so a nested write does not wait.
    trail_repo.gen(
        {
            "raw.txt": "r\n",
            "trail.yaml": "stages:\n  s:\n"
            f"    cmd: {trail_exe()} add raw.txt && echo ok > o\n    outs: [o]\n",
        }
    )
    (trail_repo / ".trail" / "config").write_text("[core]\n    lock_timeout = 2\n")
    res = trail("repro")
    assert res.code == 0, res.err
    assert (trail_repo / "raw.txt.trail").exists()


def test_repro_pull_restores_pushed_results_instead_of_running(pipe, trail, tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    assert trail("remote", "add", "-d", "store", str(store)).code == 0
    assert trail("repro").code == 0
    assert trail("push").code == 0
    # A colleague's state: outputs and local cache gone, remote holds them.
    for name in ("b.txt", "model.pkl"):
        os.unlink(pipe / name)
    subprocess.run(["rm", "-rf", str(pipe / "eval"), str(pipe / ".trail" / "cache")], check=True)
    res = trail("repro", "--pull")
    assert res.code == 0, res.err
    assert "prepared" not in res.out  # nothing ran: results came from the remote
    assert (pipe / "model.pkl").read_text() == "a\na\n"
    assert (pipe / "eval" / "copy").read_text() == "a\na\n"


def test_repro_pull_with_an_empty_remote_runs_the_stages(pipe, trail, tmp_path_factory):
    store = tmp_path_factory.mktemp("empty")
    assert trail("remote", "add", "-d", "store", str(store)).code == 0
    res = trail("repro", "--pull")
    assert res.code == 0, res.err
    assert (pipe / "model.pkl").read_text() == "a\na\n"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_signal_delivered_to_another_thread_still_stops_the_run(pipe, jobs):
    """The kernel may hand a kill to any thread (a stage's output reader, a pool worker), and
    Python runs the handler only in the main thread: the main thread must not sleep through it
    while a command runs. Sent here with tgkill to a thread that is not the main one."""
    import ctypes

    tgkill = {"x86_64": 234, "aarch64": 131}.get(os.uname().machine)
    if tgkill is None:
        pytest.skip(f"tgkill's syscall number is not known here ({os.uname().machine})")
    (pipe / "trail.yaml").write_text(
        "stages:\n  slow:\n    cmd: touch started && sleep 60\n    outs: [s.txt]\n"
    )
    proc = subprocess.Popen(
        [trail_exe(), "repro", "-j", jobs], cwd=pipe, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    for _ in range(600):
        if (pipe / "started").exists():
            break
        time.sleep(0.05)
    others = [int(t) for t in os.listdir(f"/proc/{proc.pid}/task") if int(t) != proc.pid]
    assert others, "trail runs its command with helper threads"
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(tgkill, proc.pid, others[0], signal.SIGTERM) == 0
    try:
        _out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 130, err
