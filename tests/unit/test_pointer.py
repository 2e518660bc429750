"""Pointer files: strict reading with file:line errors, DVC's exact layout when written."""

from __future__ import annotations

import pytest

from trail import pointer
from trail.errors import PointerFileError
from trail.types import Kind, Meta, Oid

MD5 = "d3b07384d113edec49eaa6238ad5ff00"


def test_dvc3_file_entry_round_trip():
    text = f"outs:\n- md5: {MD5}\n  size: 4\n  isexec: true\n  hash: md5\n  path: foo.txt\n"
    pf = pointer.parse(text, "foo.txt.dvc")
    (out,) = pf.outs
    assert out.oid == Oid("md5", MD5)
    assert out.meta == Meta(size=4, isexec=True)
    assert pointer.serialize(pf) == text


def test_dir_entry_round_trip():
    text = f"outs:\n- md5: {MD5}.dir\n  size: 11\n  nfiles: 2\n  hash: md5\n  path: data\n"
    pf = pointer.parse(text, "data.dvc")
    assert pf.outs[0].oid == Oid("md5", MD5, Kind.TREE)
    assert pointer.serialize(pf) == text


def test_legacy_entry_is_md5_dos2unix_and_stays_legacy():
    text = f"outs:\n- md5: {MD5}\n  size: 4\n  path: foo\n"
    pf = pointer.parse(text, "foo.dvc")
    assert pf.outs[0].oid == Oid("md5-dos2unix", MD5)
    assert pointer.serialize(pf) == text


def test_options_and_other_keys_are_kept_in_dvc_order():
    text = (
        "md5: abc123\nfrozen: true\ndeps:\n- path: https://example.invalid/x\n"
        f"outs:\n- md5: {MD5}\n  size: 4\n  hash: md5\n  path: x\n  desc: the x\n"
        "  cache: false\n  push: false\n"
    )
    pf = pointer.parse(text, "x.dvc")
    out = pf.outs[0]
    assert out.options == {"desc": "the x", "cache": False, "push": False}
    assert not out.use_cache
    again = pointer.serialize(pf)
    assert (
        again.index("md5: abc123")
        < again.index("frozen")
        < again.index("deps")
        < again.index("outs")
    )
    assert pointer.parse(again, "x.dvc").to_dict() == pf.to_dict()


def test_fast_path_and_yaml_agree():
    """The hand reader for the canonical layout gives exactly what YAML gives."""
    import yaml

    texts = [
        f"outs:\n- md5: {MD5}\n  size: 4\n  hash: md5\n  path: foo.txt\n",
        f"outs:\n- md5: {MD5}\n  size: 4\n  hash: md5\n  path: a\n- md5: {MD5}\n  size: 0\n"
        "  hash: md5\n  path: b\n",
        "outs:\n- path: yes\n",  # YAML 1.1 reads this as a bool: must go to YAML
        "outs:\n- path: '007'\n",
    ]
    for text in texts:
        fast = pointer._fast_load(text)
        if fast is not None:
            assert fast == yaml.safe_load(text)
    assert pointer._fast_load("outs:\n- path: yes\n") is None


def test_comments_survive_a_rewrite():
    text = f"# tracked by hand\nouts:\n- md5: {MD5}  # old\n  size: 4\n  hash: md5\n  path: f\n"
    pf = pointer.parse(text, "f.dvc")
    new = pf.with_outs((pointer.Output("f", Oid("md5", "0" * 32), Meta(size=5)),))
    out = pointer.serialize(new)
    assert "# tracked by hand" in out
    assert "0" * 32 in out and "size: 5" in out


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("outs:\n- path: x\n  size: abc\n", 3, "'size' must be an integer"),
        ("outs:\n- path: x\n  colour: red\n", 3, "unknown key 'colour'"),
        ("outs:\n- path: x\n  hash: sha1\n", 3, "unknown hash name 'sha1'"),
        ("outs:\n- md5: xyz\n  hash: md5\n  path: x\n", 2, "not a valid md5 hash"),
        ("outs:\n- path: ../x\n", 2, "escape"),
        ("outs:\n- size: 3\n", 2, "no 'path'"),
        ("outs: 3\n", 1, "must be a list"),
        ("nope: 1\n", 1, "unknown key 'nope'"),
        ("outs:\n- path: [\n", 3, "invalid YAML"),
    ],
)
def test_errors_name_file_line_and_key(text, line, needle):
    with pytest.raises(PointerFileError) as info:
        pointer.parse(text, "x.trail")
    assert info.value.line == line
    assert str(info.value).startswith(f"x.trail:{line}: ")
    assert needle in str(info.value)


def test_out_relpath_is_relative_to_the_pointer_file():
    pf = pointer.parse("outs:\n- path: data\n", "sub/dir/data.trail")
    assert pf.out_relpath(pf.outs[0]) == "sub/dir/data"
