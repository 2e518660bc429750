"""Where DVC's answers are the reference for data safety: symlinked directories given to `add`,
and `status -q` telling CI scripts by its exit code whether anything changed."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.compat


@pytest.fixture
def outside(tmp_path_factory):
    ext = tmp_path_factory.mktemp("outside") / "ext"
    ext.mkdir()
    (ext / "a").write_text("a")
    return ext


@pytest.mark.parametrize("target", ["data", "data/a"])
def test_add_refuses_symlinked_directories_as_dvc_does(dvc_repo, dvc, trail, outside, target):
    (dvc_repo / "data").symlink_to(outside)
    theirs = dvc("add", target, check=False)
    assert theirs.code != 0 and "symlinked directories" in theirs.err
    ours = trail("add", target)
    assert ours.code == 1 and "symlinked directories" in ours.err
    assert not [p for p in dvc_repo.glob("*.dvc") if p.is_file()]
    assert not (dvc_repo / "data" / "a.dvc").exists()


def test_a_symlink_to_a_file_is_added_as_dvc_adds_it(dvc_repo, dvc, trail, outside):
    (dvc_repo / "mine").symlink_to(outside / "a")
    (dvc_repo / "theirs").symlink_to(outside / "a")
    dvc("add", "-q", "theirs")
    assert trail("add", "mine").code == 0
    ours = (dvc_repo / "mine.dvc").read_text().replace("mine", "X")
    assert ours == (dvc_repo / "theirs.dvc").read_text().replace("theirs", "X")
    assert json.loads(trail("status", "--json").out) == {}
    assert dvc("status", "--json").out.strip() == "{}"


def test_status_quiet_exit_code_is_dvcs(dvc_repo, dvc, trail):
    dvc_repo.gen("f", "v1")
    dvc("add", "-q", "f")
    assert dvc("status", "-q", check=False).code == 0
    assert trail("-q", "status").code == 0 and trail("status", "-q").code == 0
    dvc_repo.gen("f", "v2")
    assert dvc("status", "-q", check=False).code == 1
    res = trail("status", "-q")
    assert res.code == 1 and res.out == ""
    # Without -q (or with --json) a change is an answer, not a failure, for both.
    assert dvc("status", check=False).code == 0 and trail("status").code == 0
    assert dvc("status", "--json", check=False).code == 0
    assert trail("status", "--json").code == 0
