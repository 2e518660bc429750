"""The repository lock waits, names its holder, and times out."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from trail.errors import LockError, TrailError
from trail.lock import repo_lock


def test_second_holder_times_out_naming_the_first(tmp_path):
    path = str(tmp_path / "tmp" / "lock")
    waits: list[str] = []
    with repo_lock(path, 1):
        start = time.monotonic()
        code = (
            "import sys\nfrom trail.lock import repo_lock\n"
            "from trail.errors import LockError\n"
            "try:\n    with repo_lock(sys.argv[1], 0.3, print):\n        pass\n"
            "except LockError as e:\n    print('ERR', e)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, path], capture_output=True, text=True
        ).stdout
        assert time.monotonic() - start >= 0.3
    assert f"pid {os.getpid()}" in out and "ERR" in out and "waiting" in out
    with repo_lock(path, 1, waits.append):
        pass  # free again once released
    assert waits == []


def test_lock_is_released_on_error(tmp_path):
    path = str(tmp_path / "lock")
    with pytest.raises(RuntimeError), repo_lock(path, 1):
        raise RuntimeError("boom")
    with repo_lock(path, 0.1):
        pass


def test_lock_error_is_a_trail_error():
    """The CLI turns TrailErrors, and only them, into one line and exit code 1."""
    assert issubclass(LockError, TrailError)
    assert LockError("x").exit_code == 1
