"""No path from a file or a remote may leave the repository."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trail.errors import PathOutsideRepoError, UnsafePathError
from trail.paths import is_inside, repo_relpath, safe_relpath

parts = st.sampled_from(["a", "b", "..", ".", "", "c d", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(parts, min_size=1, max_size=6).map("/".join))
def test_safe_relpath_never_escapes(path):
    try:
        norm = safe_relpath(path, "test")
    except UnsafePathError:
        return
    assert not norm.startswith("/")
    assert norm != ".." and not norm.startswith("../")
    assert os.path.normpath(os.path.join("/repo", norm)).startswith("/repo/")


@pytest.mark.parametrize("bad", ["/abs", "../up", "a/../../up", "", ".", "x\x00y"])
def test_safe_relpath_refuses(bad):
    with pytest.raises(UnsafePathError):
        safe_relpath(bad, "where")


def test_repo_relpath(tmp_path):
    root = str(tmp_path)
    assert repo_relpath(root, "a/b", cwd=root) == "a/b"
    assert repo_relpath(root, "../x/a", cwd=os.path.join(root, "x")) == "x/a"
    assert repo_relpath(root, ".", cwd=root) == "."
    with pytest.raises(PathOutsideRepoError):
        repo_relpath(root, "..", cwd=root)
    with pytest.raises(PathOutsideRepoError):
        repo_relpath(root, "/etc", cwd=root)


def test_is_inside():
    assert is_inside("data/a", "data")
    assert is_inside("data", "data")
    assert not is_inside("database", "data")
    assert is_inside("anything", ".")
