"""One way to do each thing: one file-lock helper, one atomic-write helper, one object layout,
and only the object store writes into the cache."""

from __future__ import annotations

import ast
import os
import pathlib

import pytest

from trail.errors import LockError
from trail.lock import holding, is_held, lock_fd, try_lock

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "trail"


def _sources():
    for path in SRC.rglob("*.py"):
        yield str(path.relative_to(SRC)), ast.parse(path.read_text())


def _attribute_calls(tree: ast.AST) -> set[str]:
    return {
        f"{node.func.value.id}.{node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
    }


def test_only_trail_lock_takes_file_locks():
    users = {
        rel for rel, tree in _sources() if {"fcntl.flock", "fcntl.lockf"} & _attribute_calls(tree)
    }
    assert users == {"lock.py"}


def test_a_held_lock_is_seen_and_waited_for(tmp_path):
    path = str(tmp_path / "locks" / "a")
    assert not is_held(path) and not os.path.exists(path)  # a probe creates nothing
    with holding([path], 0.1, LockError):
        assert is_held(path)
        fd = lock_fd(path)
        try:
            assert not try_lock(fd)
        finally:
            os.close(fd)
        with pytest.raises(LockError), holding([path], 0.1, LockError):
            pass
    assert not is_held(path)
