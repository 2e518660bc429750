"""The operations take the repository lock themselves: a Python caller is as safe as the CLI,
and the CLI opens a repository in one place and takes no lock of its own."""

from __future__ import annotations

import ast
import os
import pathlib
import threading

import pytest

from trail.errors import LockError
from trail.lock import repo_lock
from trail.ops.add import add
from trail.ops.checkout import checkout
from trail.repo import Repo

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "trail"


def _lock_path(root) -> str:
    return str(root / ".trail" / "tmp" / "lock")


def test_an_operation_called_from_python_waits_for_the_lock(trail_repo, trail):
    trail("config", "core.lock_timeout", "0.2")
    trail_repo.gen("f", "x")
    with (
        Repo.find(str(trail_repo)) as repo,
        repo_lock(_lock_path(trail_repo), 1),
        pytest.raises(LockError, match=r"core\.lock_timeout"),
    ):
        add(repo, ["f"])
    assert not (trail_repo / "f.trail").exists()


def test_an_operation_run_by_another_holds_the_lock_once(trail_repo):
    trail_repo.gen("f", "x")
    with Repo.find(str(trail_repo)) as repo, repo.lock():
        add(repo, ["f"])  # re-entrant for the same Repo in the same thread
        os.unlink(trail_repo / "f")
        checkout(repo, ["f"])
    assert (trail_repo / "f").read_text() == "x"


def test_another_thread_waits_for_the_lock(trail_repo, trail):
    trail("config", "core.lock_timeout", "0.2")
    trail_repo.gen("f", "x")
    errors: list[BaseException] = []
    with Repo.find(str(trail_repo)) as repo, repo.lock():

        def other() -> None:
            try:
                add(repo, ["f"])
            except LockError as exc:
                errors.append(exc)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert len(errors) == 1 and not (trail_repo / "f.trail").exists()


def test_repo_is_a_context_manager_that_closes(trail_repo):
    closed = []

    class Recording(Repo):
        def close(self) -> None:
            closed.append(self)
            super().close()

    with Recording.find(str(trail_repo)) as repo:
        assert isinstance(repo, Recording) and closed == []
    assert closed == [repo]


def _calls(path: pathlib.Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                found.append(f"{func.value.id}.{func.attr}")
            elif isinstance(func, ast.Attribute):
                found.append(f"?.{func.attr}")
            elif isinstance(func, ast.Name):
                found.append(func.id)
    return found


def test_the_cli_opens_a_repository_in_one_place_and_takes_no_lock():
    for path in (SRC / "cli").rglob("*.py"):
        calls = _calls(path)
        if path.name != "repos.py":
            assert "Repo.find" not in calls and "Repo" not in calls, path.name
        assert not any(c.endswith(".lock") or c == "repo_lock" for c in calls), path.name
