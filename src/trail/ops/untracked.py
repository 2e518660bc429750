"""Files neither Git nor trail tracks (``data status --untracked-files``, as DVC lists them)."""

from __future__ import annotations

from trail.repo import Repo


def untracked_files(repo: Repo) -> list[str]:
    """Git's untracked files (its ignore rules applied: tracked data is git-ignored)."""
    if repo.scm is None:
        return []
    out = repo.scm.run("ls-files", "-z", "--others", "--exclude-standard")
    return [p for p in out.split("\0") if p]
