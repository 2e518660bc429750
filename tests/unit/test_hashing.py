"""A hash is a function of the bytes alone, whatever the chunking or the code path."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trail import hashing
from trail.errors import HashError

ALGOS = ["blake3", "md5", "md5-dos2unix"]


@pytest.mark.parametrize(
    ("algo", "data", "expected"),
    [
        ("md5", b"hello\n", "b1946ac92492d2347c6235b4d2611184"),
        ("blake3", b"", "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"),
        ("md5-dos2unix", b"hello\r\n", "b1946ac92492d2347c6235b4d2611184"),
        ("md5-dos2unix", b"\x00\r\n", hashlib.md5(b"\x00\r\n").hexdigest()),
    ],
)
def test_known_vectors(algo, data, expected):
    assert hashing.get(algo).hash_bytes(data) == expected


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=5000), cuts=st.lists(st.integers(0, 5000), max_size=6))
@pytest.mark.parametrize("algo", ["blake3", "md5"])
def test_chunking_never_changes_the_hash(algo, data, cuts):
    points = sorted({0, len(data), *(c for c in cuts if c <= len(data))})
    chunks = [data[a:b] for a, b in itertools.pairwise(points)]
    a = hashing.get(algo)
    assert a.hash_chunks(chunks) == a.hash_bytes(data)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=3000))
@pytest.mark.parametrize("algo", ALGOS)
def test_file_and_bytes_agree(tmp_path_factory, algo, data):
    path = tmp_path_factory.mktemp("h") / "f"
    path.write_bytes(data)
    a = hashing.get(algo)
    assert a.hash_file(path) == a.hash_bytes(data)


@settings(max_examples=30, deadline=None)
@given(lines=st.lists(st.text(alphabet="abc xyz,.", max_size=30), max_size=40))
def test_dos2unix_hashes_crlf_text_like_its_lf_form(lines):
    crlf = "\r\n".join(lines).encode()
    lf = "\n".join(lines).encode()
    algo = hashing.get("md5-dos2unix")
    assert algo.hash_bytes(crlf) == hashlib.md5(lf).hexdigest()


@pytest.mark.parametrize("cut", [0, 1, 2])
def test_dos2unix_crlf_split_by_a_read(tmp_path, cut):
    """A CRLF whose CR is the last byte of one read and its LF the first of the next is still
    converted. The 512-byte text probe is joined to the first chunk; the first place a read
    really splits the bytes is the end of that chunk (``cut`` 1 puts the pair across it)."""
    boundary = hashing.TEXT_BLOCK + hashing.CHUNK
    body = b"a" * (boundary - 2 + cut) + b"\r\n" + b"tail\r\nmore\r"
    path = tmp_path / "f"
    path.write_bytes(body)
    expected = hashlib.md5(body.replace(b"\r\n", b"\n")).hexdigest()
    assert hashing.get("md5-dos2unix").hash_file(path) == expected


def test_big_file_paths_agree(tmp_path):
    data = bytes(range(256)) * (5 * 4096 + 7)  # > 4 MiB: blake3's mmap path
    path = tmp_path / "big"
    path.write_bytes(data)
    b3 = hashing.get("blake3")
    seen = []
    assert b3.hash_file(path) == b3.hash_bytes(data)
    assert b3.hash_file(path, None, seen.append) == b3.hash_bytes(data)
    assert sum(seen) == len(data)
    md5 = hashing.get("md5")
    seen.clear()
    assert md5.hash_file(path, None, seen.append) == hashlib.md5(data).hexdigest()
    assert sum(seen) == len(data)


def test_unknown_algorithm_names_itself():
    with pytest.raises(HashError, match="sha999"):
        hashing.get("sha999", "x.trail")


def test_is_text():
    assert hashing.is_text(b"")
    assert hashing.is_text(b"plain text\n")
    assert not hashing.is_text(b"bin\x00ary")
    assert not hashing.is_text(bytes(range(128, 256)))
