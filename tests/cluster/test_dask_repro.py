"""``repro --executor dask`` on a real cluster (``dask scheduler`` + two ``dask worker``
processes on loopback, each in a directory of its own that cannot see the repository)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
from cluster_helpers import configure_remote, make_pipeline, twin

from trail.testing.plugin import run_main, trail_exe


def _outputs(root) -> dict[str, bytes]:
    names = ["trail.lock", "count.txt", "report.txt", "metrics.json"]
    names += ["prepared/a.txt", "prepared/b.txt"]
    found = {n: (root / n).read_bytes() for n in names}
    # Lines are added as stages finish (as with a local -j 2): the same lines, any order.
    found[".gitignore"] = b"".join(sorted((root / ".gitignore").read_bytes().splitlines(True)))
    return found


@pytest.mark.parametrize("remote", ["folder", "s3"])
def test_pipeline_on_the_cluster_ends_as_a_local_run(
    trail_repo, dask_cluster, shared_folder, remote, request, monkeypatch, tmp_path_factory
):
    make_pipeline(trail_repo)
    configure_remote(remote, shared_folder, request)
    local = twin(trail_repo, tmp_path_factory.mktemp("local") / "repo")
    monkeypatch.chdir(local)
    assert run_main("repro").code == 0
    monkeypatch.chdir(trail_repo)

    res = run_main("repro", "--executor", "dask", "--scheduler", dask_cluster.address)

    assert res.code == 0, res.err
    assert _outputs(trail_repo) == _outputs(local)  # lock bytes, outputs, .gitignore
    ran = [line for line in res.out.splitlines() if " ran on tcp://127.0.0.1:" in line]
    assert len(ran) == 3, res.out  # one line per stage, naming its worker
    assert run_main("status").out.strip() == "Data and pipelines are up to date."
    logs = run_main("logs", "prep")
    assert "on worker tcp://127.0.0.1:" in logs.out and "prepared with seed 7" in logs.out
    record = json.loads(run_main("logs", "prep", "--json").out)[0]
    assert record["env"]["python"]["version"] and record["env"]["packages"]["trail"]
    # No worker opened, listed or entered anything of the repository; the hooks did listen.
    assert dask_cluster.opened_under(trail_repo) == []
    assert dask_cluster.audited() > 0


def test_a_fresh_clone_restores_from_the_remotes_run_cache(
    trail_repo, dask_cluster, shared_folder, request, monkeypatch, tmp_path_factory
):
    make_pipeline(trail_repo)
    configure_remote("folder", shared_folder, request)
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "remote")
    assert run_main("push").code == 0
    assert run_main("repro", "--executor", "dask", "--scheduler", dask_cluster.address).code == 0
    clone = tmp_path_factory.mktemp("clone") / "repo"
    subprocess.run(["git", "clone", "-q", str(trail_repo), str(clone)], check=True)
    monkeypatch.chdir(clone)
    assert run_main("pull").code == 0

    res = run_main("repro", "--executor", "dask", "--scheduler", dask_cluster.address)

    assert res.code == 0, res.err
    assert "ran on" not in res.out  # nothing was sent: every stage came from the run-cache
    assert res.out.count("is cached - skipping run") == 3
    assert (clone / "trail.lock").read_bytes() == (trail_repo / "trail.lock").read_bytes()
    assert (clone / "report.txt").read_bytes() == (trail_repo / "report.txt").read_bytes()


def test_an_undeclared_file_fails_naming_it_and_k_goes_on(
    trail_repo, dask_cluster, shared_folder, request
):
    trail_repo.scm_gen({"in.txt": "in\n", "notes.txt": "not declared\n"}, commit="files")
    trail_repo.gen(
        "trail.yaml",
        "stages:\n"
        "  sneaky:\n    cmd: cat notes.txt > out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n"
        "  fine:\n    cmd: cat in.txt > ok.txt\n    deps: [in.txt]\n    outs: [ok.txt]\n",
    )
    configure_remote("folder", shared_folder, request)

    res = run_main("repro", "-k", "--executor", "dask", "--scheduler", dask_cluster.address)

    assert res.code == 1
    assert "'notes.txt', which the stage does not declare" in res.err
    assert "No such file or directory" in res.err  # the worker's log tail
    assert (trail_repo / "ok.txt").read_text() == "in\n"  # -k: the other stage went on
    lock = (trail_repo / "trail.lock").read_text()
    assert "fine:" in lock and "sneaky:" not in lock  # nothing recorded for the failure
    assert not (trail_repo / "out.txt").exists()
    logs = run_main("logs", "sneaky")
    assert "exit code 1" in logs.out and "notes.txt" in logs.out


def test_a_worker_killed_mid_stage_the_run_still_completes(
    trail_repo, dask_cluster, shared_folder, request
):
    trail_repo.scm_gen({"in.txt": "in\n"}, commit="input")
    trail_repo.gen(
        "trail.yaml",
        "stages:\n  slow:\n    cmd: sleep 3 && cat in.txt > slow.txt\n"
        "    deps: [in.txt]\n    outs: [slow.txt]\n",
    )
    configure_remote("folder", shared_folder, request)
    dask_cluster.wait_for_workers()
    argv = [trail_exe(), "repro", "--executor", "dask", "--scheduler", dask_cluster.address]
    proc = subprocess.Popen(argv, cwd=trail_repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        victim = _running_worker_pid(dask_cluster)
        os.kill(victim, signal.SIGKILL)
        _out, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err.decode()
    assert (trail_repo / "slow.txt").read_text() == "in\n"
    assert "slow:" in (trail_repo / "trail.lock").read_text()
    fsck = run_main("fsck")
    assert fsck.code == 0, fsck.err
    assert run_main("status").out.strip() == "Data and pipelines are up to date."
    dask_cluster.wait_for_workers()  # its nanny brought it back, for the tests after this


def _running_worker_pid(cluster, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for w in cluster.workers:
            pids = w.sandbox_pids()
            if pids:
                return pids.pop()
        time.sleep(0.05)
    raise AssertionError("no worker started the stage")


def test_queued_experiments_on_the_cluster_show_like_local_ones(
    trail_repo, dask_cluster, shared_folder, request
):
    make_pipeline(trail_repo)
    configure_remote("folder", shared_folder, request)
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "remote")
    assert run_main("exp", "run", "--queue", "-S", "seed=1,2").code == 0

    res = run_main(
        "exp", "run", "--run-all", "-j", "2", "--executor", "dask",
        "--scheduler", dask_cluster.address,
    )  # fmt: skip

    assert res.code == 0, res.out + res.err
    rows = json.loads(run_main("exp", "show", "--json").out)
    # DVC's shape: each baseline lists its experiments, each with its revisions' data
    exps = [g["revs"][0]["data"] for b in rows for g in b["experiments"] or [] if not g["executor"]]
    assert sorted(d["params"]["params.yaml"]["data"]["seed"] for d in exps) == [1, 2]
    assert all(d["metrics"]["metrics.json"]["data"] == {"n": 3} for d in exps)
    logs = trail_repo / ".trail" / "tmp" / "exps" / "queue" / "logs"
    assert all("ran on tcp://127.0.0.1:" in p.read_text() for p in logs.iterdir())
