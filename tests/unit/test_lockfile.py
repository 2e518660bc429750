"""The lock file: DVC 3's layout, byte for byte, and entries kept in place on rewrite."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trail import yamlwrite
from trail.errors import PipelineError
from trail.pipeline import lockfile
from trail.pipeline.lockfile import LockEntry, LockItem
from trail.types import Kind, Meta, Oid

# Written by dvc 3.67.1 (`dvc repro` on a two-stage pipeline); trail must give the same bytes.
DVC_LOCK = """\
schema: '2.0'
stages:
  prep:
    cmd: mkdir -p d && echo x > d/f && echo y > d/g && echo p > prep.txt
    deps:
    - path: src/a.py
      hash: md5
      md5: dee5c46989f5ec092311188f4fe829c3
      size: 9
    outs:
    - path: d
      hash: md5
      md5: 8fa033b1940cf3294c31425c1647cb71.dir
      size: 4
      nfiles: 2
    - path: prep.txt
      hash: md5
      md5: 9d7bf075372908f55e2d945c39e0a613
      size: 2
  train:
    cmd:
    - cat prep.txt > model.pkl
    - echo ok > m.json
    deps:
    - path: d
      hash: md5
      md5: 8fa033b1940cf3294c31425c1647cb71.dir
      size: 4
      nfiles: 2
    - path: prep.txt
      hash: md5
      md5: 9d7bf075372908f55e2d945c39e0a613
      size: 2
    params:
      params.yaml:
        lr: 0.1
        nested:
          b: 2
          a: 1
      other.json:
        z: 1
    outs:
    - path: m.json
      hash: md5
      md5: 3f71a31dad1360002379e8f9539df33e
      size: 11
    - path: run.sh
      hash: md5
      md5: 3e2b31c72181b87149ff995e7202c0e3
      size: 10
      isexec: true
"""


def test_round_trip_gives_dvcs_bytes():
    entries = lockfile.parse(DVC_LOCK, "dvc.lock")
    assert list(entries) == ["prep", "train"]
    assert entries["prep"].outs[0].oid == Oid("md5", "8fa033b1940cf3294c31425c1647cb71", Kind.TREE)
    assert entries["train"].outs[1].meta.isexec
    assert lockfile.serialize(entries) == DVC_LOCK


def test_entry_sorts_items_and_orders_params():
    blob = Oid("md5", "9d7bf075372908f55e2d945c39e0a613")
    entry = LockEntry(
        cmd="run",
        deps=(LockItem("z.txt", blob, Meta(size=2)), LockItem("a.txt", blob, Meta(size=2))),
        params={"b.yaml": {"y": 1, "x": {"q": 1, "p": 2}}, "params.yaml": {"lr": 1}, "a.json": {}},
        outs=(LockItem("out", blob, Meta(size=2)),),
    )
    d = entry.to_dict()
    assert list(d) == ["cmd", "deps", "params", "outs"]
    assert [i["path"] for i in d["deps"]] == ["a.txt", "z.txt"]
    assert list(d["params"]) == ["params.yaml", "a.json", "b.yaml"]
    assert list(d["params"]["b.yaml"]) == ["x", "y"]
    assert list(d["params"]["b.yaml"]["x"]) == ["q", "p"]  # only the top level is sorted
    assert list(d["deps"][0]) == ["path", "hash", "md5", "size"]


def test_update_keeps_place_and_appends_in_order(tmp_path):
    (tmp_path / "dvc.lock").write_text(DVC_LOCK)
    old = lockfile.read(str(tmp_path), "dvc.lock")
    new = {"zz": LockEntry("a"), "aa": LockEntry("b"), "prep": LockEntry("changed")}
    lockfile.update(str(tmp_path), "dvc.lock", new, ["prep", "aa", "train", "zz"])
    again = lockfile.read(str(tmp_path), "dvc.lock")
    assert list(again) == ["prep", "train", "aa", "zz"]
    assert again["prep"].cmd == "changed"
    assert again["train"] == old["train"]


def test_missing_lock_file_is_empty(tmp_path):
    assert lockfile.read(str(tmp_path), "trail.lock") == {}


def test_legacy_dvc2_entry_reads_as_dos2unix_md5():
    text = "schema: '2.0'\nstages:\n  s:\n    cmd: x\n    outs:\n    - path: o\n      md5: " + (
        "0" * 32 + "\n"
    )
    item = lockfile.parse(text, "dvc.lock")["s"].outs[0]
    assert item.oid == Oid("md5-dos2unix", "0" * 32)
    assert "hash" not in item.to_dict()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema: '3.0'\nstages: {}\n", "dvc.lock:1: unsupported lock file schema '3.0'"),
        ("schema: '2.0'\nstages:\n  s:\n    deps: []\n", "dvc.lock:3, stage 's': lock entry"),
        ("- a\n", "not a lock file"),
    ],
)
def test_bad_lock_files_name_the_place(text, message):
    with pytest.raises(PipelineError) as exc:
        lockfile.parse(text, "dvc.lock")
    assert message in str(exc.value)


# What ruamel.yaml (DVC's writer) gives for these values, recorded from dvc 3.67.1's venv.
RUAMEL = """\
l:
- yes
- '1e3'
- '010'
- on
- '1_000'
- '0x1f'
- '2020-01-01'
- '~'
- 'null'
- '1.5e-3'
- 1e-05
- 0.1
- 1e+20
- .inf
- 3.0
- true
- "echo '{\\"a\\": 1}' > m.json"
- 'a: b'
"""


def test_scalars_are_written_as_dvcs_writer_does():
    values = ["yes", "1e3", "010", "on", "1_000", "0x1f", "2020-01-01", "~", "null", "1.5e-3"]
    values += [1e-05, 0.1, 1e20, float("inf"), 3.0, True, """echo '{"a": 1}' > m.json""", "a: b"]
    text = yamlwrite.dump({"l": values})
    assert text == RUAMEL


# Printable text: control characters (NEL, line separators) read back differently between
# ruamel, DVC's writer, and libyaml, whoever writes them.
_chars = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
_hex = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
_path = st.from_regex(r"[a-z][a-z0-9_./-]{0,12}[a-z0-9]", fullmatch=True)
_items = st.lists(
    st.builds(
        LockItem,
        _path,
        st.builds(Oid, st.just("md5"), _hex, st.sampled_from(list(Kind))),
        st.builds(
            Meta, st.integers(0, 10**12), st.one_of(st.none(), st.integers(0, 99)), st.booleans()
        ),
    ),
    max_size=4,
    unique_by=lambda i: i.path,
)
_scalar = st.one_of(
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(_chars, max_size=12),
)
_values = st.recursive(
    _scalar,
    lambda c: st.dictionaries(st.text(_chars, min_size=1, max_size=6), c, max_size=3),
    max_leaves=6,
)
_cmd = st.one_of(
    st.text(_chars, min_size=1, max_size=30),
    st.lists(st.text(_chars, min_size=1, max_size=20), min_size=1, max_size=3),
)


@given(
    cmd=_cmd,
    deps=_items,
    outs=_items,
    params=st.dictionaries(
        _path,
        st.dictionaries(st.text(_chars, min_size=1, max_size=6), _values, max_size=3),
        max_size=3,
    ),
)
def test_what_is_written_reads_back_the_same(cmd, deps, outs, params):
    entry = LockEntry(cmd, tuple(deps), params, tuple(outs))
    text = lockfile.serialize({"s": entry})
    back = lockfile.parse(text, "dvc.lock")["s"]
    assert back.to_dict() == entry.to_dict()
    assert lockfile.serialize({"s": back}) == text


def _ruamel(data):
    import io

    from ruamel.yaml import YAML

    y = YAML()
    y.default_flow_style = False
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


_plain = st.text(alphabet="abcxyz0123456789_./@+=,- ", min_size=1, max_size=75)
_leaf = st.one_of(
    _plain,
    st.sampled_from(["yes", "on", "1e3", "010", "0x1f", "2020-01-01", "1.5", "null", "True"]),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False),
    st.booleans(),
)
_tree = st.recursive(
    _leaf,
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(_plain, c, max_size=3)),
    max_leaves=8,
)


@given(st.dictionaries(_plain, _tree, min_size=1, max_size=4))
def test_the_fast_writer_gives_ruamels_bytes(data):
    # Without ruamel (20 ms to import) only where both writers agree; ruamel writes the rest.
    assert yamlwrite.dump(data) == _ruamel(data)
