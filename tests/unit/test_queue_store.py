"""The queue's files: entries round-trip, lookups name one entry, outcomes stick, and dead,
zombie or reused process ids are not taken for live runs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from trail.experiments.queue import (
    FAILED,
    KILLED,
    RUNNING,
    AmbiguousEntryError,
    Entry,
    Proc,
    Queue,
    UnknownEntryError,
)
from trail.repo import Repo


@pytest.fixture
def queue(trail_repo):
    return Queue(Repo.find(str(trail_repo)))


def _entry(entry_id, name, **kw):
    return Entry(id=entry_id, name=name, baseline="b" * 40, snapshot="s" * 40, **kw)


def test_entries_round_trip_and_unreadable_files_are_skipped(queue):
    saved = queue.save(_entry("aaaa1111", "one", args=("-s",), worker=Proc(1, "7")))
    assert queue.get("aaaa1111") == saved
    with open(os.path.join(queue.dir, "broken.json"), "w") as f:
        f.write("{not json")
    assert queue.entries() == [saved]


def test_find_by_id_prefix_and_name(queue):
    queue.save(_entry("aaaa1111", "one", queued_at=1.0))
    queue.save(_entry("aaaa2222", "two", queued_at=2.0))
    queue.save(_entry("bbbb3333", "two", queued_at=3.0))  # same name, another baseline
    assert [e.id for e in queue.find(["one", "bbbb", "aaaa2222"])] == [
        "aaaa1111",
        "bbbb3333",
        "aaaa2222",
    ]
    with pytest.raises(AmbiguousEntryError, match="aaaa2222, bbbb3333"):
        queue.find(["two"])
    with pytest.raises(AmbiguousEntryError):
        queue.find(["aaaa"])
    with pytest.raises(UnknownEntryError, match="no queued experiment 'zzz'"):
        queue.find(["zzz"])


def test_a_killed_entry_stays_killed(queue):
    queue.save(_entry("aaaa1111", "one", status=RUNNING))
    queue.update("aaaa1111", status=KILLED, error="killed")
    late = queue.update("aaaa1111", status=FAILED, error="exit 143", exit_code=143)
    assert (late.status, late.error, late.exit_code) == (KILLED, "killed", 143)


def test_process_identity():
    assert Proc.me().alive()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    while _state(child.pid) != "Z":
        pass  # exited, not yet reaped: a zombie
    assert not Proc(child.pid).alive()
    child.wait()
    assert not Proc(child.pid).alive()  # gone
    me = Proc.me()
    assert not Proc(me.pid, str(int(me.start) + 1)).alive()  # the pid of another process


def _state(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]
