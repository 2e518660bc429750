"""The one place the CLI opens a repository: every command that works on one calls
``open_repo`` (``with open_repo(console) as repo:`` closes it again)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from trail.cli.ui import Console

if TYPE_CHECKING:
    from trail.repo import Repo


def open_repo(console: Console | None = None) -> Repo:
    """The repository around the working directory; waits for its lock are told on stderr."""
    from trail.repo import Repo

    repo = Repo.find(".")
    if console is not None:
        repo.on_wait = console.err
    return repo


@contextlib.contextmanager
def writing(console: Console) -> Iterator[Repo]:
    """The repository, locked for writing, with temp files of killed runs cleared first."""
    from trail.fsutil import clean_stale_tmp

    repo = open_repo(console)
    try:
        with repo.lock():
            clean_stale_tmp(repo.private_dir)
            yield repo
    finally:
        repo.close()
