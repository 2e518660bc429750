"""The real ``dvc`` (3.67.1, in its own venv) for compatibility tests.

``make test`` sets TRAIL_TEST_DVC to that executable and TRAIL_REQUIRE_DVC=1, so a missing dvc
fails the run there; elsewhere the tests skip and say why.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass
class DvcResult:
    code: int
    out: str
    err: str


@pytest.fixture
def dvc(tmp_dir):
    exe = os.environ.get("TRAIL_TEST_DVC")
    if not exe or not os.path.exists(exe):
        if os.environ.get("TRAIL_REQUIRE_DVC") == "1":
            pytest.fail(f"TRAIL_TEST_DVC does not point to a dvc executable: {exe!r}")
        pytest.skip("the real dvc is not installed here (run through `make test`)")

    def run(*args: str, check: bool = True) -> DvcResult:
        env = {**os.environ, "DVC_NO_ANALYTICS": "1", "DVC_NO_UPDATER": "1"}
        proc = subprocess.run(
            [exe, *args], cwd=os.getcwd(), capture_output=True, text=True, env=env
        )
        res = DvcResult(proc.returncode, proc.stdout, proc.stderr)
        if check and res.code != 0:
            raise AssertionError(f"dvc {' '.join(args)} failed ({res.code}): {res.err}")
        return res

    return run


@pytest.fixture
def dvc_repo(scm, dvc):
    """A Git repository made by the real ``dvc init``, committed."""
    dvc("init", "-q")
    scm.git("add", "-A")
    scm.git("commit", "-q", "-m", "dvc init")
    return scm


# The real dvc takes its repository lock (`Repo.lock`, a flock on .dvc/tmp/lock) through its own
# code and holds it until told to let go (its stdin closes).
_HOLD_DVC_LOCK = """
import sys
from dvc.repo import Repo, lock_repo
repo = Repo(".")
with lock_repo(repo):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def dvc_holding_lock(dvc):
    """``with dvc_holding_lock(): ...`` runs the block while the real dvc holds its lock."""
    exe = os.environ["TRAIL_TEST_DVC"]
    python = os.path.join(os.path.dirname(exe), "python")

    @contextlib.contextmanager
    def hold() -> Iterator[None]:
        proc = subprocess.Popen(
            [python, "-c", _HOLD_DVC_LOCK],
            cwd=os.getcwd(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "DVC_NO_ANALYTICS": "1"},
        )
        assert proc.stdout is not None
        try:
            if proc.stdout.readline() != b"held\n":
                raise AssertionError("dvc did not take its lock")
            yield
        finally:
            _out, err = proc.communicate(timeout=30)  # closing its stdin lets go of the lock
            assert proc.returncode == 0, err.decode(errors="replace")

    return hold


def dvc_executable() -> str:
    """The real dvc, or a skip (a failure under ``make test``) saying why it is missing."""
    exe = os.environ.get("TRAIL_TEST_DVC")
    if not exe or not os.path.exists(exe):
        if os.environ.get("TRAIL_REQUIRE_DVC") == "1":
            pytest.fail(f"TRAIL_TEST_DVC does not point to a dvc executable: {exe!r}")
        pytest.skip("the real dvc is not installed here (run through `make test`)")
    return exe


class Built:
    """A repository made once per test module (dvc commands are slow) by ``script``; each test
    gets its own copy (``copy_to``), so tests may change it freely."""

    def __init__(self, root, exe: str) -> None:
        self.root, self.exe = root, exe

    def dvc(self, *args: str, check: bool = True) -> DvcResult:
        from trail.testing.plugin import GIT_ENV

        env = {**os.environ, **GIT_ENV, "DVC_NO_ANALYTICS": "1", "DVC_NO_UPDATER": "1"}
        env["HOME"] = env["XDG_CONFIG_HOME"] = f"{self.root}-home"  # no user config leaks in
        proc = subprocess.run(
            [self.exe, *args], cwd=self.root, capture_output=True, text=True, env=env
        )
        res = DvcResult(proc.returncode, proc.stdout, proc.stderr)
        if check and res.code != 0:
            raise AssertionError(f"dvc {' '.join(args)} failed ({res.code}): {res.err}")
        return res

    def git(self, *args: str) -> str:
        from trail.testing.plugin import GIT_ENV

        env = {**os.environ, **GIT_ENV}
        proc = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, env=env, check=True
        )
        return proc.stdout

    def copy_to(self, tmp_dir, monkeypatch) -> object:
        import shutil

        dest = tmp_dir / "repo"
        shutil.copytree(self.root, dest, symlinks=True)
        monkeypatch.chdir(dest)
        return type(tmp_dir)(dest)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``built(name)`` → an empty Git repository with ``dvc init`` done and committed, as a
    ``Built`` to fill; kept for the module."""
    exe = dvc_executable()

    def make(name: str) -> Built:
        root = tmp_path_factory.mktemp(name)
        b = Built(root, exe)
        b.git("init", "-q", "-b", "main")
        b.dvc("init", "-q")
        b.git("add", "-A")
        b.git("commit", "-q", "-m", "dvc init")
        return b

    return make
