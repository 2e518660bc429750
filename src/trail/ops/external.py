"""A repository named by the caller of the Python API: the current one, a local path, or a Git
URL (cloned into a temporary directory for as long as it is used, as ``trail get`` does)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator

from trail.repo import Repo


@contextlib.contextmanager
def opened_repo(url: str | None, rev: str | None) -> Iterator[tuple[Repo, str | None]]:
    """``(repo, rev to read)``: a local repository is read in place (its workspace when
    ``rev`` is None, else that Git revision); a URL is cloned at ``rev``, and its checkout is
    what is read (tracked data comes from its remote)."""
    if url is None or (os.path.isdir(url) and not _bare(url)):
        repo = Repo.find(url or ".")
        try:
            yield repo, rev
        finally:
            repo.close()
        return
    with tempfile.TemporaryDirectory(prefix="trail-api-") as tmp:
        from trail.scm.git import clone

        dest = os.path.join(tmp, "repo")
        clone(url, dest, rev)
        repo = Repo.find(dest)
        try:
            yield repo, None
        finally:
            repo.close()


def _bare(path: str) -> bool:
    """A bare Git repository (no work tree to read in place): it is cloned, as a URL is."""
    return (
        os.path.isfile(os.path.join(path, "HEAD"))
        and os.path.isdir(os.path.join(path, "objects"))
        and not os.path.exists(os.path.join(path, ".git"))
    )
