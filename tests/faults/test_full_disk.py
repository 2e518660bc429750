"""A full disk: writers fail with one clear line and record nothing; reads go on working; once
there is room the same command completes."""

from __future__ import annotations

import json
import os

import pytest
from faultkit import Faults, fill, run, small_filesystem, temp_files, tree_bytes


@pytest.fixture
def full_disk_clone(tmp_path_factory):
    """A repository on a small tmpfs, its data on a folder remote elsewhere, and a clone (on
    the tmpfs too) that has only the pointer file. Yields (clone, filler file, expected data)."""
    origin = tmp_path_factory.mktemp("origin")
    remote = tmp_path_factory.mktemp("remote")
    run("init", cwd=origin, check=False)  # no Git: the clone is a copy
    os.makedirs(origin / "data")
    for i in range(40):
        (origin / "data" / f"f{i}").write_bytes(os.urandom(16 * 1024))
    for args in (
        ["init", "--no-scm", "-f"],
        ["add", "data"],
        ["remote", "add", "-d", "s", str(remote)],
        ["push"],
    ):
        run(*args, cwd=origin)
    expected = tree_bytes(origin)
    with small_filesystem(tmp_path_factory.mktemp("fs") / "small", "4m") as fs:
        clone = fs / "clone"
        os.makedirs(clone / ".trail")
        (clone / ".trail" / "config").write_bytes((origin / ".trail" / "config").read_bytes())
        for name, data in expected.items():
            if not name.startswith("data/"):
                (clone / name).write_bytes(data)
        filler = fill(fs)
        yield clone, filler, expected


def _one_line(proc, needle):
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr
    assert needle in lines[0] and "Traceback" not in proc.stderr, lines[0]


def test_pull_on_a_full_disk_is_one_line_and_status_still_reads(full_disk_clone):
    clone, filler, expected = full_disk_clone
    # No stat database can be created: status still answers, from the files themselves.
    res = run("status", "--json", cwd=clone)
    assert json.loads(res.stdout) == {"data.trail": [{"changed outs": {"data": "not in cache"}}]}
    _one_line(run("pull", cwd=clone, check=False), "no space left on device")
    assert not (clone / "data").exists() or not any((clone / "data").iterdir())
    assert temp_files(clone) == []
    os.remove(filler)
    run("pull", cwd=clone)
    Faults(clone).assert_consistent(expected)


def test_status_reads_while_the_stat_database_cannot_grow(full_disk_clone):
    clone, filler, expected = full_disk_clone
    os.remove(filler)
    run("pull", cwd=clone)
    (clone / "data" / "f0").write_bytes(b"changed")  # needs hashing, and a row it cannot save
    filler = fill(clone.parent)
    for _ in range(2):
        res = run("status", "--json", cwd=clone)
        assert json.loads(res.stdout) == {"data.trail": [{"changed outs": {"data": "modified"}}]}
    os.remove(filler)
    (clone / "data" / "f0").write_bytes(expected["data/f0"])
    assert json.loads(run("status", "--json", cwd=clone).stdout) == {}
