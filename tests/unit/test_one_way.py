"""One way to do each thing: one file-lock helper, one atomic-write helper, one object layout,
and only the object store writes into the cache."""

from __future__ import annotations

import ast
import os
import pathlib

import pytest

from trail.errors import LockError
from trail.fsutil import atomic_fill
from trail.lock import holding, is_held, lock_fd, try_lock
from trail.odb.layout import object_path, parse_object_path
from trail.odb.local import LocalODB
from trail.types import Kind, Oid

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


def test_only_the_atomic_write_helper_and_the_store_rename_files_into_place():
    users = {rel for rel, tree in _sources() if "os.replace" in _attribute_calls(tree)}
    assert users <= {"fsutil.py", "odb/local.py"}


WRITES = {"os.replace", "os.rename", "os.link", "os.symlink", "os.unlink", "os.remove"}
WRITES |= {"os.chmod", "shutil.copyfile", "shutil.copy2", "shutil.move", "shutil.rmtree"}


def test_only_the_object_store_writes_into_the_cache():
    """Outside ``odb/`` an object's path in the cache is only read: no write call names it."""
    bad = []
    for rel, tree in _sources():
        if rel.startswith("odb/"):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            writes = name in WRITES or name.split(".")[-1] in ("atomic_fill", "atomic_write")
            if writes and any("odb.path(" in ast.unparse(a) for a in node.args):
                bad.append(f"{rel}:{node.lineno}")
        if "OBJECT_MODE" in ast.unparse(tree):
            bad.append(f"{rel}: OBJECT_MODE")
    assert bad == []


def test_the_cache_and_a_remote_share_one_layout(tmp_path):
    odb = LocalODB(str(tmp_path))
    for oid in (
        Oid("md5", "ab" * 16),
        Oid("md5", "cd" * 16, Kind.TREE),
        Oid("md5-dos2unix", "ef" * 16),
    ):
        rel = object_path(oid)
        assert odb.path(oid) == str(tmp_path / rel)
        folder = os.path.relpath(odb.prefix_dir(oid.algo), tmp_path).replace(os.sep, "/")
        inside = rel if folder == "." else rel[len(folder) + 1 :]
        assert parse_object_path(inside, oid.algo, 32) == oid


def test_atomic_fill_replaces_whole_or_not_at_all(tmp_path):
    path = tmp_path / "sub" / "f"
    assert atomic_fill(str(path), lambda tmp: pathlib.Path(tmp).write_text("new")) == 3

    def boom(tmp: str) -> None:
        pathlib.Path(tmp).write_text("half")
        raise RuntimeError

    with pytest.raises(RuntimeError):
        atomic_fill(str(path), boom)
    assert atomic_fill(str(path), lambda tmp: False) is False  # declined: nothing renamed
    assert path.read_text() == "new" and os.listdir(path.parent) == ["f"]


def test_a_batch_download_enters_the_cache_through_add_written(tmp_path):
    """A batch fills temp files the store named (``temp_for``); ``add_written`` checks and
    takes each in, and a check that fails leaves neither the object nor its temp file."""
    import hashlib

    odb = LocalODB(str(tmp_path / "cache"))
    good, bad = b"good bytes", b"bad bytes"
    oid = Oid("md5", hashlib.md5(good).hexdigest())
    other = Oid("md5", hashlib.md5(b"what it should be").hexdigest())
    tmps = {o: odb.temp_for(o) for o in (oid, other)}
    pathlib.Path(tmps[oid]).write_bytes(good)
    pathlib.Path(tmps[other]).write_bytes(bad)

    def check(o: Oid):
        def fill(tmp: str) -> None:
            if hashlib.md5(pathlib.Path(tmp).read_bytes()).hexdigest() != o.hex:
                raise ValueError("corrupt")

        return fill

    assert odb.add_written(oid, check(oid), tmp=tmps[oid]) == len(good)
    assert pathlib.Path(odb.path(oid)).read_bytes() == good
    assert not os.access(odb.path(oid), os.W_OK) or os.geteuid() == 0
    with pytest.raises(ValueError):
        odb.add_written(other, check(other), tmp=tmps[other])
    assert not odb.exists(other) and not os.path.exists(tmps[other])
    assert sorted(os.listdir(os.path.dirname(odb.path(oid)))) == [os.path.basename(odb.path(oid))]
