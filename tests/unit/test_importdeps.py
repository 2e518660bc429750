"""Import deps and DVC's stage checksum."""

from __future__ import annotations

import pytest

from trail import pointer
from trail.errors import PointerFileError
from trail.importdeps import RepoDep, UrlDep, import_dep, stage_md5

# Written by dvc 3.67.1 (`dvc import ../src data`).
DVC_IMPORT = """\
md5: 82e3cc8e66128cc05b9720c0c3fdcf1c
frozen: true
deps:
- path: data
  repo:
    url: ../src
    rev_lock: 39c6835204b86778cf83f6775dee906c83270014
outs:
- md5: df0bc65d8284fdca5ea750b7d734223d.dir
  size: 6
  nfiles: 2
  hash: md5
  path: data
"""

# Written by dvc 3.67.1 (`dvc import-url http://…/f.txt hf.txt`).
DVC_IMPORT_URL = """\
md5: b3d68e94483925b7776ea92b4bc3a5ee
frozen: true
deps:
- checksum: '115129849886624922635038549682870634840'
  size: 4
  hash: md5
  path: http://127.0.0.1:8765/f.txt
outs:
- md5: aab7e3691d8e56dbebe8c22e116a21f4
  size: 4
  hash: md5
  path: hf.txt
"""


@pytest.mark.parametrize("text", [DVC_IMPORT, DVC_IMPORT_URL])
def test_stage_md5_and_round_trip_match_dvc(text):
    pf = pointer.parse(text, "x.dvc")
    assert stage_md5(pf.to_dict()) == pf.top["md5"]
    assert pointer.serialize(pf) == text


def test_deps_are_typed():
    repo_dep = import_dep(pointer.parse(DVC_IMPORT, "d.dvc").top, "d.dvc")
    assert isinstance(repo_dep, RepoDep)
    assert repo_dep.source.url == "../src" and repo_dep.source.rev is None
    url_dep = import_dep(pointer.parse(DVC_IMPORT_URL, "h.dvc").top, "h.dvc")
    assert isinstance(url_dep, UrlDep)
    assert url_dep.checksum == ("checksum", "115129849886624922635038549682870634840")
    assert url_dep.same_source(UrlDep("elsewhere", url_dep.checksum, 4))
    assert not url_dep.same_source(UrlDep("x", url_dep.checksum, 5))


def test_an_import_not_downloaded_yet_has_only_a_hash_name():
    text = "frozen: true\ndeps:\n- path: data\n  repo:\n    url: ../src\n"
    text += "outs:\n- hash: md5\n  path: data\n"
    pf = pointer.parse(text, "d.dvc")
    assert pf.outs[0].oid is None
    assert pointer.serialize(pf) == text


@pytest.mark.parametrize(
    ("deps", "message"),
    [
        ("deps: x", "d.dvc:1: 'deps' must be a list"),
        ("deps:\n- repo: {url: u}", "deps[0] must be a mapping with a 'path'"),
        ("deps:\n- path: p\n  repo: {rev: v}", "deps[0].repo must be a mapping with a 'url'"),
        ("deps:\n- path: p\n  repo: {url: u, bogus: 1}", "unknown key 'bogus' in deps[0].repo"),
        ("deps:\n- path: p\n  size: big", "deps[0].size must be an integer, not 'big'"),
        ("deps:\n- path: p\n  colour: red", "unknown key 'colour' in deps[0]"),
    ],
)
def test_bad_deps_name_the_file_and_line(deps, message):
    with pytest.raises(PointerFileError) as exc:
        pointer.parse(deps + "\nouts:\n- path: p\n", "d.dvc")
    assert message in str(exc.value)
    assert str(exc.value).startswith("d.dvc:1: ")
