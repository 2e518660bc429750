"""``trail ls``: Git files and outputs of a repository, inside tracked directories too."""

from __future__ import annotations

import json


def test_ls_lists_git_files_outputs_and_inside_outputs(trail_repo, trail, tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    trail_repo.gen({"data": {"a.txt": "1", "sub": {"b.txt": "2"}}, "src": {"x.py": "x"}})
    assert trail("add", "data").code == 0
    assert trail("remote", "add", "-d", "s", str(store)).code == 0
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "v1")
    assert trail("push").code == 0
    top = trail("ls", ".").out.split()  # as DVC: no control dir, no "/" after directories
    assert "data" in top and "data.trail" in top and "src" in top and ".trail" not in top
    res = trail("ls", ".", "data/sub", "--json")
    assert res.code == 0, res.err
    (entry,) = json.loads(res.out)
    assert entry == {
        "isout": True, "isdir": False, "isexec": False, "size": 1,
        "md5": entry["md5"], "path": "b.txt",
    }  # fmt: skip
    assert len(entry["md5"]) == 64  # the blake3 id in this dialect
    assert trail("list", ".", "data/sub").out.split() == ["b.txt"]  # DVC's name for it
    everything = trail("ls", ".", "-R").out.split()
    assert "data/a.txt" in everything and "src/x.py" in everything
    res = trail("ls", ".", "nope")
    assert res.code == 1 and "'nope' does not exist" in res.err


def test_ls_of_a_local_repository_sees_its_workspace(trail_repo, trail):
    """As ``dvc list .``: without --rev, a local repository is listed as it is now."""
    trail_repo.gen({"fresh": {"a.txt": "not committed yet"}})
    assert trail("add", "fresh").code == 0
    res = trail("ls", ".", "fresh", "--json")
    assert res.code == 0, res.err
    assert [e["path"] for e in json.loads(res.out)] == ["a.txt"]
    res = trail("ls", ".", "--rev", "HEAD")
    assert res.code == 0 and "fresh" not in res.out
