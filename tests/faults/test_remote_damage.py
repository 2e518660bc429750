"""Remotes damaged or shared: corrupt objects, temps abandoned by killed pushes, two writers at
once. Nothing corrupt enters a cache, what is sound still moves, and the next command completes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from faultkit import TRAIL, Faults, git, run, temp_files, tree_bytes, write_files

from trail.fsutil import TMP_MARK


@pytest.fixture
def origin(tmp_path):
    """A Git repository whose data is pushed to a folder remote; and a way to clone it."""
    repo, remote = tmp_path / "origin", tmp_path / "remote"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    run("init", cwd=repo)
    run("remote", "add", "-d", "store", str(remote), cwd=repo)
    write_files(repo / "data", 60, seed=3)
    run("add", "data", cwd=repo)
    run("push", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "data", cwd=repo)
    return repo, remote


def _clone(repo: Path, dest: Path) -> Path:
    git("clone", "-q", str(repo), str(dest), cwd=repo.parent)
    shutil.copy(repo / ".trail" / "config", dest / ".trail" / "config")
    return dest


def _objects(remote: Path, tree: bool) -> list[Path]:
    return sorted(
        p for p in (remote / "files").rglob("*") if p.is_file() and p.name.endswith(".dir") == tree
    )


@pytest.mark.parametrize("kind", ["file", "manifest"])
def test_a_corrupt_remote_object_never_enters_the_cache(origin, tmp_path, kind):
    repo, remote = origin
    bad = _objects(remote, tree=kind == "manifest")[0]
    bad.unlink()  # a copy of its own: the remote may share the cache's inode (a hard link)
    bad.write_bytes(b"not what its name says")
    clone = _clone(repo, tmp_path / "clone")
    res = run("pull", cwd=clone, check=False)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == 1 and len(lines) == 1, res.stderr
    assert "is corrupt" in lines[0] and str(bad) in lines[0] and "push --no-index" in lines[0]
    faults = Faults(clone, remote)
    faults.assert_consistent()  # nothing corrupt was stored, no temp left
    if kind == "file":  # every other file of the directory arrived
        got = tree_bytes(clone / "data")
        assert len(got) == 59 and all(tree_bytes(repo / "data")[k] == v for k, v in got.items())
    # What the message says works: delete the bad copy, push again from a clone that has it.
    bad.unlink()
    run("push", "--no-index", cwd=repo)
    run("pull", cwd=clone)
    faults.assert_consistent(tree_bytes(repo))
    faults.assert_up_to_date()


def test_abandoned_remote_temps_go_once_old_enough(origin, tmp_path):
    repo, remote = origin
    dirs = sorted({p.parent for p in _objects(remote, tree=False)})
    old = time.time() - 2 * 3600
    planted = {}
    for i, d in enumerate([remote, *dirs[:3]]):
        for age, name in ((old, "old"), (None, "young")):
            path = d / f"{TMP_MARK}99999-{name}{i}-0"  # another machine's killed push
            path.write_bytes(b"half an object")
            if age is not None:
                os.utime(path, (age, age))
            planted[path] = age is not None
    before = set(_objects(remote, tree=False))
    write_files(repo / "data", 80, seed=4)  # new objects: some go to the planted dirs
    run("add", "data", cwd=repo)
    run("push", cwd=repo)
    written = {p.parent for p in set(_objects(remote, tree=False)) - before}
    assert written & set(dirs[:3])  # the case to test: a push writes where old temps lie
    for path, is_old in planted.items():
        cleaned = is_old and (path.parent == remote or path.parent in written)
        assert path.exists() != cleaned, path
    run("gc", "-w", "-c", "-f", cwd=repo)  # gc -c looks everywhere
    left = temp_files(remote)
    assert left == sorted(str(p) for p, is_old in planted.items() if not is_old)


def test_two_clones_push_to_one_remote_at_once(origin, tmp_path):
    repo, remote = origin
    clones = []
    for i in range(2):
        clone = _clone(repo, tmp_path / f"c{i}")
        run("pull", cwd=clone)
        write_files(clone / f"more{i}", 300, seed=10 + i)
        run("add", f"more{i}", cwd=clone)
        git("add", "-A", cwd=clone)
        git("commit", "-qm", f"more{i}", cwd=clone)
        clones.append(clone)
    procs = [
        subprocess.Popen([TRAIL, "push"], cwd=c, stderr=subprocess.PIPE, text=True) for c in clones
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    for clone in clones:  # each clone's data is whole on the remote, as another clone sees it
        again = _clone(clone, tmp_path / f"again-{clone.name}")
        run("pull", cwd=again)
        Faults(again, remote).assert_consistent(tree_bytes(clone))
        assert json.loads(run("status", "-c", "--json", cwd=clone).stdout) == {}


def test_add_and_repro_at_once_in_one_repository(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    run("init", cwd=repo)
    (repo / "trail.yaml").write_text(
        "stages:\n  s:\n    cmd: python3 -c \"import os; os.makedirs('out', exist_ok=True); "
        "[open(f'out/{i}', 'w').write(str(i)) for i in range(300)]\"\n    outs: [out]\n"
    )
    write_files(repo / "data", 400, seed=5)
    procs = [
        subprocess.Popen([TRAIL, *args], cwd=repo, stderr=subprocess.PIPE, text=True)
        for args in (["repro"], ["add", "data"])
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    faults = Faults(repo)
    faults.assert_consistent()
    faults.assert_up_to_date()
    assert sorted((repo / ".gitignore").read_text().split()) == ["/data", "/out"]
