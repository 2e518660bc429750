"""Thread-pool helpers for I/O-bound work (hashing, copying: the GIL is released in syscalls)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Submitting 200,000 tasks at once holds 200,000 futures: work in windows instead.
WINDOW = 4096


def bounded_map(fn: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    """Like ``map`` over a thread pool, in order, with at most ``WINDOW`` tasks in flight.

    A few items run inline: starting threads would cost more than it saves.
    """
    if len(items) < 16:
        yield from map(fn, items)
        return
    from concurrent.futures import ThreadPoolExecutor

    it = iter(items)
    with ThreadPoolExecutor(workers) as pool:
        while batch := list(islice(it, WINDOW)):
            yield from pool.map(fn, batch)
