"""``trail get``: data out of another repository, from its remote, at any revision."""

from __future__ import annotations

import pytest


@pytest.fixture
def source(trail_repo, trail, tmp_path_factory, monkeypatch):
    """A repository whose data (two versions) is on its remote; the cwd is elsewhere after."""
    store = tmp_path_factory.mktemp("store")
    trail_repo.gen({"data": {"a.txt": "v1", "sub": {"b.txt": "bee"}}, "README": "plain git"})
    assert trail("add", "data").code == 0
    assert trail("remote", "add", "-d", "store", str(store)).code == 0
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "v1")
    trail_repo.git("tag", "v1")
    trail_repo.gen({"data": {"a.txt": "v2"}})
    assert trail("add", "data").code == 0
    trail_repo.git("commit", "-q", "-am", "v2")
    assert trail("push", "-T").code == 0
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    return trail_repo, elsewhere


def test_get_a_directory_a_file_inside_it_and_a_git_file(source, trail):
    repo, here = source
    res = trail("get", str(repo), "data")
    assert res.code == 0, res.err
    assert (here / "data" / "a.txt").read_text() == "v2"
    assert (here / "data" / "sub" / "b.txt").read_text() == "bee"
    assert trail("get", str(repo), "data/sub/b.txt", "-o", "bee.txt").code == 0
    assert (here / "bee.txt").read_text() == "bee"
    assert trail("get", str(repo), "README").code == 0
    assert (here / "README").read_text() == "plain git"


def test_get_at_a_revision(source, trail):
    repo, here = source
    res = trail("get", str(repo), "data/a.txt", "--rev", "v1", "-o", "old.txt")
    assert res.code == 0, res.err
    assert (here / "old.txt").read_text() == "v1"


def test_get_errors(source, trail):
    repo, here = source
    res = trail("get", str(repo), "nothing/here")
    assert res.code == 1 and "'nothing/here' does not exist in" in res.err
    (here / "data").mkdir()
    res = trail("get", str(repo), "data")
    assert res.code == 1 and "'data' already exists" in res.err
    res = trail("get", str(repo), "data", "-o", "d2", "--rev", "no-such-rev")
    assert res.code == 1 and "unknown revision 'no-such-rev' in" in res.err
    assert not (here / "d2").exists()
