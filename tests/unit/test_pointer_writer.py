"""One pointer-file writer, quoting as DVC (ruamel.yaml) does; what it writes reads back.

DVC writes pointer files with ruamel.yaml in YAML 1.2: ``on``/``yes`` stay plain (text in 1.2),
``1e3``, ``null`` and ``2001-01-01`` are quoted (a number, a null, a date in 1.2). trail's writer
must give the same bytes, with comments (ruamel round trip) or without (its fast path).
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from trail import pointer
from trail.types import Kind, Meta, Oid

MD5 = "d3b07384d113edec49eaa6238ad5ff00"


def ruamel_text(data: object) -> str:
    """What DVC writes: ruamel.yaml's YAML() with block style."""
    from ruamel.yaml import YAML

    ry = YAML()
    ry.default_flow_style = False
    buf = io.StringIO()
    ry.dump(data, buf)
    return buf.getvalue()


def pointer_for(name: str, hexval: str, size: int, tree: bool = False) -> pointer.PointerFile:
    oid = Oid("md5", hexval, Kind.TREE if tree else Kind.BLOB)
    out = pointer.Output(name, oid, Meta(size=size, nfiles=3 if tree else None))
    return pointer.PointerFile(f"{name}.dvc", (out,))


# A single path component (what `add` of a file in the current directory writes), any text but
# NEL (U+0085), which ruamel writes in a form no YAML reader (ruamel included) reads back.
names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00\x85"), min_size=1
).filter(lambda n: n not in (".", ".."))
hexes = st.one_of(
    st.text("0123456789abcdef", min_size=32, max_size=32),
    st.from_regex(r"\A[0-9]{1,30}e[0-9]{1,30}\Z").filter(lambda h: len(h) == 32),
    st.from_regex(r"\A[0-9]{32}\Z"),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=names, hexval=hexes, size=st.integers(0, 2**40), tree=st.booleans())
@example(name="on", hexval="d3b07384d113edec49eaa6238ad5ff00", size=4, tree=False)
@example(name="yes", hexval="d3b07384d113edec49eaa6238ad5ff00", size=4, tree=False)
@example(name="1e3", hexval="12345678901234567890123456789e12", size=4, tree=False)
@example(name="2001-1-1", hexval="12345678901234567890123456789012", size=4, tree=True)
@example(name="2001-01-01", hexval="0" * 32, size=0, tree=False)
@example(name="null", hexval="1" * 31 + "e", size=1, tree=False)
def test_writes_what_ruamel_writes_and_reads_it_back(name, hexval, size, tree):
    pf = pointer_for(name, hexval, size, tree)
    text = pointer.serialize(pf)
    assert text == ruamel_text(pf.to_dict())
    (out,) = pointer.parse(text, pf.path).outs
    assert out.path == name
    assert out.oid == pf.outs[0].oid
    assert out.meta.size == size


@settings(max_examples=100, deadline=None)
@given(name=names, hexval=hexes)
def test_a_rewrite_keeping_comments_quotes_alike(name, hexval):
    """A pointer file with a comment is rewritten by ruamel's round trip: the same quoting."""
    first = pointer.parse("# mine\n" + pointer.serialize(pointer_for("x", "0" * 32, 1)), "x.dvc")
    new = pointer_for(name, hexval, 5)
    text = pointer.serialize(first.with_outs(new.outs))
    assert text.startswith("# mine\n")
    assert text[len("# mine\n") :] == ruamel_text(new.to_dict())
    assert pointer.parse(text, "x.dvc").outs[0].oid == new.outs[0].oid


@pytest.mark.parametrize("name", ["on", "yes", "no", "off", "y", "n", "1e3", "null", "2001-01-01"])
def test_names_yaml_1_1_would_misread_are_text(name):
    """DVC writes ``path: no`` plain (text in YAML 1.2): trail reads it as text."""
    text = f"outs:\n- md5: {MD5}\n  size: 1\n  hash: md5\n  path: {name}\n"
    if name in ("1e3", "null", "2001-01-01"):
        text = text.replace(f"path: {name}", f"path: '{name}'")
    assert pointer.parse(text, f"{name}.dvc").outs[0].path == name


def test_a_hash_that_looks_like_a_number_stays_a_string_through_the_lock_reader():
    from trail.yamlio import load_with_nodes

    pf = pointer_for("data", "12345678901234567890123456789e12", 3)
    data, _marks = load_with_nodes(pointer.serialize(pf), "data.dvc", core=True)
    assert data["outs"][0]["md5"] == "12345678901234567890123456789e12"
