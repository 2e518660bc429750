"""Directory manifests: DVC's canonical bytes, safe parsing, diffs."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trail import manifest
from trail.errors import UnsafePathError
from trail.types import Kind, Oid, TreeEntry

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1,
    max_size=12,
).filter(lambda s: s not in (".", ".."))
relpaths = st.lists(names, min_size=1, max_size=3).map("/".join)
hexes = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)


@settings(max_examples=100, deadline=None)
@given(entries=st.dictionaries(relpaths, hexes, max_size=20))
@pytest.mark.parametrize("algo", ["md5", "blake3"])
def test_serialize_is_dvcs_canonical_json(algo, entries):
    items = [TreeEntry(p, Oid(algo, h)) for p, h in entries.items()]
    expected = json.dumps(
        sorted(({algo: h, "relpath": p} for p, h in entries.items()), key=lambda d: d["relpath"]),
        sort_keys=True,
    ).encode()
    assert manifest.serialize(items, algo) == expected
    assert manifest.serialize_pairs(entries.items(), algo) == expected
    parsed = manifest.parse(expected, algo, "test")
    assert {e.relpath: e.oid.hex for e in parsed} == {
        manifest.safe_relpath(p, "t"): h for p, h in entries.items()
    }


def test_legacy_entries_use_the_md5_key():
    data = manifest.serialize([TreeEntry("a", Oid("md5-dos2unix", "0" * 32))], "md5-dos2unix")
    assert data == b'[{"md5": "' + b"0" * 32 + b'", "relpath": "a"}]'


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../b", "..", ""])
def test_parse_refuses_escaping_paths(bad):
    data = json.dumps([{"md5": "0" * 32, "relpath": bad}]).encode()
    with pytest.raises(UnsafePathError):
        manifest.parse(data, "md5", "obj.dir")


@pytest.mark.parametrize("bad", [b"not json", b"{}", b'[{"relpath": "a"}]', b"[1]"])
def test_parse_refuses_malformed(bad):
    with pytest.raises(Exception, match=r"obj\.dir"):
        manifest.parse(bad, "md5", "obj.dir")


def test_oid_format_boundary():
    tree = manifest.parse_oid("ab" * 16 + ".dir", "md5")
    assert tree.kind is Kind.TREE and tree.hex == "ab" * 16
    assert manifest.format_oid(tree) == "ab" * 16 + ".dir"
    blob = manifest.parse_oid("ab" * 16, "md5")
    assert blob.kind is Kind.BLOB and manifest.format_oid(blob) == "ab" * 16


def test_tree_oid_is_hash_of_bytes():
    data = manifest.serialize([TreeEntry("a", Oid("md5", "0" * 32))], "md5")
    import hashlib

    assert manifest.tree_oid(data, "md5") == Oid("md5", hashlib.md5(data).hexdigest(), Kind.TREE)


def test_diff():
    a = [TreeEntry("x", Oid("md5", "1")), TreeEntry("y", Oid("md5", "2"))]
    b = [TreeEntry("y", Oid("md5", "3")), TreeEntry("z", Oid("md5", "4"))]
    d = manifest.diff(a, b)
    assert [e.relpath for e in d.added] == ["z"]
    assert [e.relpath for e in d.deleted] == ["x"]
    assert [(o.relpath, n.oid.hex) for o, n in d.modified] == [("y", "3")]
    assert manifest.diff(a, a).empty
