"""Commits made without touching the user's index, HEAD or branches: trees are written through
a temporary ``GIT_INDEX_FILE`` and commits with ``commit-tree``; only refs name them."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence

from trail.errors import ScmError
from trail.scm.git import Git

# Used only when Git knows no identity (a fresh machine, a temporary clone in CI).
FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "trail",
    "GIT_AUTHOR_EMAIL": "trail@localhost",
    "GIT_COMMITTER_NAME": "trail",
    "GIT_COMMITTER_EMAIL": "trail@localhost",
}


@contextlib.contextmanager
def temp_index(git: Git, *, seed: bool = True) -> Iterator[dict[str, str]]:
    """An environment whose ``GIT_INDEX_FILE`` is a private copy of the index (``seed``: its
    stat data spares Git re-reading unchanged files) or a new empty one."""
    folder = tempfile.mkdtemp(prefix="trail-index-")
    path = os.path.join(folder, "index")
    try:
        if seed:
            real = git.run("rev-parse", "--git-path", "index").strip()
            real = os.path.join(git.root, real)
            if os.path.exists(real):
                shutil.copy2(real, path)  # its mtime too: Git tells racily clean entries by it
        yield {"GIT_INDEX_FILE": path}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def workspace_tree(git: Git) -> str:
    """The tree of the workspace as Git sees it: tracked files as they are on disk, deleted
    ones gone, untracked files that no ignore rule covers added."""
    with temp_index(git) as env:
        git.run_env("add", "-A", "--", ".", env=env)
        return git.run_env("write-tree", env=env)[1].strip()


def tree_without(git: Git, tree: str, paths: Sequence[str]) -> str:
    """``tree`` with the files ``paths`` left out, written to the object store."""
    if not paths:
        return tree
    with temp_index(git, seed=False) as env:
        git.run_env("read-tree", tree, env=env)
        stdin = "".join(p + "\0" for p in paths).encode()
        git.run_env("update-index", "--force-remove", "-z", "--stdin", env=env, input=stdin)
        return git.run_env("write-tree", env=env)[1].strip()


def tree_of_files(git: Git, files: Mapping[str, bytes]) -> str:
    """A tree holding ``files`` (posix path → content), written to the object store."""
    paths = sorted(files)
    with tempfile.TemporaryDirectory(prefix="trail-blobs-") as folder:
        names = []
        for i, path in enumerate(paths):
            name = os.path.join(folder, str(i))
            with open(name, "wb") as f:
                f.write(files[path])
            names.append(name)
        stdin = "".join(n + "\n" for n in names).encode()
        out = git.run("hash-object", "-w", "--no-filters", "--stdin-paths", input=stdin).split()
    listing = "".join(f"100644 {sha}\t{path}\n" for sha, path in zip(out, paths, strict=True))
    with temp_index(git, seed=False) as env:
        git.run_env("update-index", "--add", "--index-info", env=env, input=listing.encode())
        return git.run_env("write-tree", env=env)[1].strip()


def commit_tree(git: Git, tree: str, parents: Sequence[str], message: str) -> str:
    """A commit of ``tree`` with ``parents``; no ref or HEAD moves."""
    args = ["commit-tree", tree]
    for parent in parents:
        args += ["-p", parent]
    code, out, err = git.run_env(*args, env={}, input=message.encode(), check=False)
    if code != 0 and ("ident" in err or "tell me who you are" in err.lower()):
        code, out, err = git.run_env(*args, env=FALLBACK_IDENTITY, input=message.encode())
    if code != 0:
        lines = err.strip().splitlines()
        raise ScmError(f"git commit-tree failed: {lines[-1] if lines else code}")
    return out.strip()


def changed_paths(git: Git, old_tree: str, new_tree: str) -> list[tuple[str, str]]:
    """(status letter, path) of files that differ between two trees (A, M, D, T)."""
    out = git.run("diff-tree", "-r", "-z", "--no-renames", "--name-status", old_tree, new_tree)
    parts = [p for p in out.split("\0") if p]
    return [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]


def checkout_paths(git: Git, commit: str, paths: Sequence[str]) -> None:
    """Write the files ``paths`` hold at ``commit`` into the workspace, leaving the index
    and HEAD alone."""
    if not paths:
        return
    with temp_index(git, seed=False) as env:
        git.run_env("read-tree", commit, env=env)
        stdin = "".join(p + "\0" for p in paths).encode()
        git.run_env("checkout-index", "-f", "-z", "--stdin", env=env, input=stdin)
