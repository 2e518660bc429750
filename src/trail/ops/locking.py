"""The repository lock, taken by the operations themselves: a Python caller of ``add`` or
``pull`` is as safe as ``trail add`` or ``trail pull``, and the CLI takes no lock of its own.

``@locked`` wraps an operation (``def op(repo, ...)``) in ``repo.lock()``, which is re-entrant,
so operations run by others (``pull`` runs ``checkout``) hold it once. ``writing(repo)`` holds
it over several steps that must see one state (``gc``: plan, confirm, remove).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Concatenate, ParamSpec, TypeVar

from trail.repo import Repo

P = ParamSpec("P")
R = TypeVar("R")


def locked(op: Callable[Concatenate[Repo, P], R]) -> Callable[Concatenate[Repo, P], R]:
    @functools.wraps(op)
    def run(repo: Repo, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with repo.lock():
            return op(repo, *args, **kwargs)

    return run


@contextlib.contextmanager
def writing(repo: Repo) -> Iterator[Repo]:
    """``repo`` under its lock for the steps inside."""
    with repo.lock():
        yield repo
