"""The temp journal: a killed process's temp files are found and removed exactly, and nothing
of a live process is touched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from trail import fsutil

# A process that journals, leaves a temp file in two directories, and is killed by SIGKILL.
_KILLED = """
import os, signal, sys
from trail import fsutil
fsutil.start_temp_journal(sys.argv[1])
for d in sys.argv[2:]:
    open(fsutil.tmp_name(d), "wb").close()
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_process_temps_go_and_nothing_else(tmp_path):
    journals, a, b = tmp_path / "journals", tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    proc = subprocess.run([sys.executable, "-c", _KILLED, journals, a, b], check=False)
    assert proc.returncode == -signal.SIGKILL
    (journal,) = os.listdir(journals)
    left = sorted(p.name for d in (a, b) for p in d.iterdir())
    assert len(left) == 2 and all(n.startswith(f"{fsutil.TMP_MARK}{journal}-") for n in left)
    mine = fsutil.tmp_name(str(a))  # a live process's temp (this one's): never touched
    open(mine, "wb").close()
    other = a / f"{fsutil.TMP_MARK}{journal}x-0"  # a name that only starts alike
    other.write_bytes(b"")
    assert fsutil.sweep_temp_journals(str(journals)) == 2
    assert sorted(p.name for p in a.iterdir()) == sorted([os.path.basename(mine), other.name])
    assert list(b.iterdir()) == [] and os.listdir(journals) == []


def test_a_live_process_journal_is_left_alone_and_a_normal_exit_removes_it(tmp_path):
    journals = tmp_path / "journals"
    fsutil.stop_temp_journal()  # one an earlier in-process command may have kept
    assert fsutil.start_temp_journal(str(journals))
    try:
        assert not fsutil.start_temp_journal(str(tmp_path / "other"))  # one per process
        open(fsutil.tmp_name(str(tmp_path)), "wb").close()
        assert fsutil.sweep_temp_journals(str(journals)) == 0
        assert len(os.listdir(journals)) == 1
    finally:
        fsutil.stop_temp_journal()
    assert os.listdir(journals) == []
