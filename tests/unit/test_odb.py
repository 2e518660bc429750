"""The local object store: layout, atomic read-only objects, verification, listing."""

from __future__ import annotations

import os
import stat

import pytest

from trail import hashing
from trail.errors import CorruptObjectError, ObjectMissingError
from trail.fsutil import TMP_MARK
from trail.odb.local import LocalODB
from trail.types import Kind, Oid


def _oid(data: bytes, algo: str = "md5", kind: Kind = Kind.BLOB) -> Oid:
    return Oid(algo, hashing.get(algo).hash_bytes(data), kind)


def test_layout(tmp_path):
    odb = LocalODB(str(tmp_path))
    h = "ab" + "c" * 30
    assert odb.path(Oid("md5", h)) == str(tmp_path / "files" / "md5" / "ab" / ("c" * 30))
    assert odb.path(Oid("md5", h, Kind.TREE)).endswith("c" * 30 + ".dir")
    assert odb.path(Oid("md5-dos2unix", h)) == str(tmp_path / "ab" / ("c" * 30))


def test_add_bytes_and_file(tmp_path):
    odb = LocalODB(str(tmp_path / "cache"))
    oid = _oid(b"hello")
    assert odb.add_bytes(oid, b"hello")
    assert not odb.add_bytes(oid, b"hello")  # already there
    assert odb.exists(oid) and odb.read_verified(oid) == b"hello"
    assert stat.S_IMODE(os.stat(odb.path(oid)).st_mode) == 0o444
    src = tmp_path / "src"
    src.write_bytes(b"file body")
    oid2 = _oid(b"file body")
    seen: list[int] = []
    assert odb.add_file(oid2, str(src), seen.append)
    assert odb.read_bytes(oid2) == b"file body" and sum(seen) == len(b"file body")
    assert stat.S_IMODE(os.stat(odb.path(oid2)).st_mode) == 0o444
    assert not [n for n in os.listdir(os.path.dirname(odb.path(oid))) if TMP_MARK in n]


def test_corruption_is_detected(tmp_path):
    odb = LocalODB(str(tmp_path))
    oid = _oid(b"good")
    odb.add_bytes(oid, b"good")
    os.chmod(odb.path(oid), 0o644)
    with open(odb.path(oid), "wb") as f:
        f.write(b"evil")
    with pytest.raises(CorruptObjectError, match=oid.hex):
        odb.read_verified(oid)
    assert odb.verify(oid) == hashing.get("md5").hash_bytes(b"evil")


def test_missing(tmp_path):
    odb = LocalODB(str(tmp_path))
    oid = _oid(b"nothing")
    with pytest.raises(ObjectMissingError):
        odb.read_bytes(oid)
    with pytest.raises(ObjectMissingError):
        odb.read_if_small(oid, 10)
    odb.remove(oid)  # removing what is not there is fine


def test_read_if_small(tmp_path):
    odb = LocalODB(str(tmp_path))
    oid = _oid(b"x" * 100)
    odb.add_bytes(oid, b"x" * 100)
    assert odb.read_if_small(oid, 100) == (b"x" * 100, 100)
    assert odb.read_if_small(oid, 99) == (None, 100)


def test_iter_oids_skips_junk_and_temp_files(tmp_path):
    odb = LocalODB(str(tmp_path))
    a, t = _oid(b"a"), _oid(b"[]", kind=Kind.TREE)
    odb.add_bytes(a, b"a")
    odb.add_bytes(t, b"[]")
    prefix = os.path.dirname(odb.path(a))
    open(os.path.join(prefix, f"{TMP_MARK}1-x-1"), "w").close()
    open(os.path.join(prefix, "not-hex"), "w").close()
    os.makedirs(tmp_path / "files" / "md5" / "zz")
    assert set(odb.iter_oids("md5")) == {a, t}
    assert list(odb.iter_oids("blake3")) == []


def test_clean_tmp_keeps_live_writers(tmp_path):
    odb = LocalODB(str(tmp_path))
    odb.add_bytes(_oid(b"a"), b"a")
    prefix = os.path.dirname(odb.path(_oid(b"a")))
    dead = os.path.join(prefix, f"{TMP_MARK}999999999-x-1")
    live = os.path.join(prefix, f"{TMP_MARK}{os.getpid()}-x-1")
    for p in (dead, live):
        open(p, "w").close()
    assert odb.clean_tmp("md5") == 1
    assert not os.path.exists(dead) and os.path.exists(live)
