"""The run-cache: keys and values as DVC 3 computes them, save and find again."""

from __future__ import annotations

from trail.pipeline import lockfile, runcache
from trail.pipeline.lockfile import LockEntry, LockItem
from trail.pipeline.model import Dep, Stage, StageOut
from trail.types import Meta, Oid

# The `prep` entry of a dvc.lock and the run-cache path dvc 3.67.1 wrote for it.
PREP = """\
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
"""
DVC_KEY = "07a7eeca3a668ccb40a1aa2a54aab270a4c811c88a234eaf0dbffc0d7381ede3"
DVC_VALUE = "cf0ea3517fecf7f4f1f17665f3eef4dc3eb12d4c667424b87077ac3a21cdd315"


def test_key_and_value_match_dvc():
    entry = lockfile.parse(PREP, "dvc.lock")["prep"]
    assert runcache.key_of(entry) == DVC_KEY
    assert runcache.value_of(entry) == DVC_VALUE


def test_key_ignores_out_hashes():
    entry = lockfile.parse(PREP, "dvc.lock")["prep"]
    inputs = LockEntry(
        entry.cmd, entry.deps, entry.params, tuple(LockItem(o.path, None) for o in entry.outs)
    )
    assert runcache.key_of(inputs) == DVC_KEY


def test_save_then_find(tmp_path):
    entry = lockfile.parse(PREP, "dvc.lock")["prep"]
    path = runcache.save(str(tmp_path), entry)
    assert path.endswith(f"runs/07/{DVC_KEY}/{DVC_VALUE}")
    inputs = LockEntry(entry.cmd, entry.deps, {}, tuple(LockItem(o.path, None) for o in entry.outs))
    assert list(runcache.candidates(str(tmp_path), inputs)) == [entry]
    other = LockEntry("other", entry.deps, {}, inputs.outs)
    assert list(runcache.candidates(str(tmp_path), other)) == []


def _stage(**kw):
    base = dict(
        name="s", file="trail.yaml", wdir=".", cmd=("x",), raw_cmd="x",
        deps=(Dep("a", "a"),), outs=(StageOut("o", "o"),),
    )  # fmt: skip
    base.update(kw)
    return Stage(**base)


def test_eligibility():
    assert runcache.eligible(_stage())
    assert not runcache.eligible(_stage(deps=()))
    assert not runcache.eligible(_stage(outs=()))
    assert not runcache.eligible(_stage(always_changed=True))
    assert not runcache.eligible(_stage(outs=(StageOut("o", "o", persist=True),)))


def test_unreadable_record_is_skipped(tmp_path):
    entry = LockEntry(
        "x", (LockItem("a", Oid("md5", "0" * 32), Meta(size=1)),), {}, (LockItem("o", None),)
    )
    folder = tmp_path / "runs" / runcache.key_of(entry)[:2] / runcache.key_of(entry)
    folder.mkdir(parents=True)
    (folder / "junk").write_text(": : :\n- [")
    assert list(runcache.candidates(str(tmp_path), entry)) == []
