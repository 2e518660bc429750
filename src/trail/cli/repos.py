"""The one place the CLI opens a repository: every command that works on one calls
``open_repo`` (``with open_repo(console) as repo:`` closes it again). The CLI takes no lock:
the operations it calls take the repository lock themselves (``trail.ops.locking``)."""

from __future__ import annotations

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
