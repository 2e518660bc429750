"""pytest plugin: temp directories, Git repos and trail/DVC repos, isolated from the machine.

``tmp_dir`` is a ``TmpDir`` (a ``pathlib.Path``) whose ``gen({"dir": {"f": "text"}})`` writes a
tree and ``scm_gen(..., commit="msg")`` also commits it. ``trail`` runs the real entry point in
process and returns a ``Result`` (exit code, stdout, stderr).
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from trail.testing.env import GIT_ENV as GIT_ENV
from trail.testing.env import trail_exe as trail_exe


def pytest_configure(config: pytest.Config) -> None:
    """A suite started in the background by a shell (``make test &``, some CI runners) has
    SIGINT ignored, and an ignored signal stays ignored in every child: a ``trail`` the tests
    interrupt would never hear it. A handler, unlike ``SIG_IGN``, is reset to the default in
    children, so installing Python's own gives them back the usual Ctrl-C."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


class TmpDir(type(pathlib.Path())):  # type: ignore[misc]
    def gen(self, struct: Mapping[str, Any] | str, text: str | bytes = "") -> list[str]:
        if isinstance(struct, str):
            struct = {struct: text}
        made = []
        for name, content in struct.items():
            path = self / name
            if isinstance(content, Mapping):
                path.mkdir(parents=True, exist_ok=True)
                made.extend(os.path.join(name, sub) for sub in TmpDir(path).gen(content))
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
            made.append(name)
        return made

    def git(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["git", *args], cwd=self, capture_output=True, text=True, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout

    def scm_gen(
        self, struct: Mapping[str, Any] | str, text: str = "", commit: str | None = None
    ) -> list[str]:
        made = self.gen(struct, text)
        self.git("add", "--", *made)
        if commit:
            self.git("commit", "-q", "-m", commit)
        return made


def on_terminal(
    args: list[str], cwd: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> tuple[int, str]:
    """Run a command under a pseudo-terminal (stdin, stdout and stderr on it), as a user at a
    terminal would; its exit code and everything it showed."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        args, cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO once the command has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return proc.wait(timeout=60), b"".join(chunks).decode(errors="replace")


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_main(*args: str) -> Result:
    """Run ``trail`` in process through its real entry point, capturing output."""
    from trail.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture(autouse=True)
def _isolate(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    for key in ("TRAIL_ROOT", "DVC_ROOT", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def tmp_dir(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TmpDir]:
    monkeypatch.chdir(tmp_path)
    yield TmpDir(tmp_path)


@pytest.fixture
def scm(tmp_dir: TmpDir) -> TmpDir:
    tmp_dir.git("init", "-q", "-b", "main")
    return tmp_dir


@pytest.fixture
def trail() -> Any:
    return run_main


@pytest.fixture
def trail_repo(scm: TmpDir) -> TmpDir:
    """A Git repository with ``trail init`` done and committed."""
    res = run_main("init")
    assert res.code == 0, res.err
    scm.git("add", "-A")
    scm.git("commit", "-q", "-m", "init trail")
    return scm


@pytest.fixture
def dvc_dialect_repo(scm: TmpDir) -> TmpDir:
    """A Git repository made with ``trail init --dvc`` (no real dvc involved)."""
    res = run_main("init", "--dvc")
    assert res.code == 0, res.err
    scm.git("add", "-A")
    scm.git("commit", "-q", "-m", "init dvc dialect")
    return scm


from trail.testing.dask_cluster import dask_cluster, shared_folder  # noqa: E402
from trail.testing.models_ui import models_copy, models_project, models_server  # noqa: E402
from trail.testing.servers import http_server, s3_server, ssh_server  # noqa: E402
from trail.testing.webui import demo_project, project_copy, ui_server  # noqa: E402

__all__ = [
    "dask_cluster",
    "demo_project",
    "http_server",
    "models_copy",
    "models_project",
    "models_server",
    "project_copy",
    "s3_server",
    "shared_folder",
    "ssh_server",
    "ui_server",
]
