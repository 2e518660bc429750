"""Reading files at a revision through ``cat-file --batch``: from a work tree's root, from a
subdirectory root (``init --subdir``: paths are relative to it), and from a bare repository
(no work tree: ``rev:./path`` is refused there; ``artifacts get`` reads a bare clone's tags)."""

from __future__ import annotations

import pytest

from trail.scm.batch import BatchGit
from trail.scm.git import Git


@pytest.fixture
def history(scm):
    scm.scm_gen({"top.txt": "top\n", "sub": {"f.txt": "inner\n"}}, commit="files")
    return scm


@pytest.mark.parametrize("kind", [Git, BatchGit])
def test_a_bare_repository_reads_paths_from_the_top(history, tmp_path_factory, kind):
    bare = tmp_path_factory.mktemp("clones") / "repo.git"
    history.git("clone", "-q", "--bare", str(history), str(bare))
    git = kind(str(bare))
    try:
        found = git.read_blobs("HEAD", ["sub/f.txt", "top.txt", "sub", "nothing"])
    finally:
        if isinstance(git, BatchGit):
            git.close()
    assert found == {"sub/f.txt": b"inner\n", "top.txt": b"top\n"}


@pytest.mark.parametrize("kind", [Git, BatchGit])
def test_a_work_tree_reads_paths_relative_to_its_root(history, kind):
    for root, path, content in (
        (history, "top.txt", b"top\n"),
        (history / "sub", "f.txt", b"inner\n"),
    ):
        git = kind(str(root))
        try:
            assert git.read_blobs("HEAD", [path]) == {path: content}
        finally:
            if isinstance(git, BatchGit):
                git.close()
