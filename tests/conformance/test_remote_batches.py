"""Every backend, the sizes a batch treats differently: an empty file (a range from byte 0 of it
is refused by S3), small files read whole in one request, and objects bigger than that first
read (streamed to a temp file afterwards); with a corrupt small one and a corrupt big one
refused, and no temp file left in the cache or on the remote."""

from __future__ import annotations

import os

import pytest
from conftest import clone

from trail import hashing
from trail.remote.store import SMALL
from trail.testing.plugin import run_main as trail

FILES = {
    "empty.txt": b"",
    "one.txt": b"1",
    "edge.bin": bytes(range(256)) * (SMALL // 256),  # exactly the first read
    "big.bin": os.urandom(SMALL + 4097),
    **{f"small/{i:02}.txt": f"small {i}\n".encode() * (i + 1) for i in range(40)},
}


@pytest.fixture
def pushed(trail_repo, backend):
    trail_repo.gen({"data": {k: v for k, v in FILES.items() if "/" not in k}})
    trail_repo.gen({"data": {"small": {k[6:]: v for k, v in FILES.items() if "/" in k}}})
    assert trail("add", "data").code == 0
    backend.configure()
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "data")
    res = backend.push()
    assert res.code == 0, res.err
    return trail_repo


def _leftovers(root) -> list[str]:
    return [f for _d, _s, files in os.walk(root) for f in files if "tmp" in f]


def test_every_size_makes_the_round_trip(pushed, backend, tmp_path, monkeypatch):
    assert not [f for f in backend.files() if "tmp" in f.rsplit("/", 1)[-1]]
    other = clone(pushed, tmp_path / "b", backend)
    monkeypatch.chdir(other)
    backend.configure()
    res = trail("pull")
    assert res.code == 0, res.err
    assert {k: (other / "data" / k).read_bytes() for k in FILES} == FILES
    assert not _leftovers(other / ".trail" / "cache")


def test_corrupt_objects_of_either_size_are_refused(pushed, backend, tmp_path, monkeypatch):
    algo = hashing.get("blake3")
    for name in ("one.txt", "big.bin"):
        hexval = algo.hash_bytes(FILES[name])
        data = FILES[name]
        backend.write(f"files/blake3/{hexval[:2]}/{hexval[2:]}", data[:-1] + b"X")
    other = clone(pushed, tmp_path / "b", backend)
    monkeypatch.chdir(other)
    backend.configure()
    res = trail("pull")
    assert res.code == 1
    assert "2 objects failed to fetch" in res.err and res.err.count("is corrupt") == 2
    assert not (other / "data" / "one.txt").exists()
    assert not (other / "data" / "big.bin").exists()
    assert (other / "data" / "edge.bin").read_bytes() == FILES["edge.bin"]
    assert not _leftovers(other / ".trail" / "cache")
