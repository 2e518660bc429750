"""Thread-pool helpers for I/O-bound work (hashing, copying: the GIL is released in syscalls)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

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
            for fut in [pool.submit(fn, item) for item in batch]:
                yield result(fut)


# A signal (Ctrl-C, kill) may be delivered to any thread; Python runs its handler in the main
# thread, but only once that thread runs again: a main thread blocked without a timeout (on a
# future, a child process) would sleep through it. Waits in the main thread therefore wake up
# this often to let the handler run.
POLL = 0.1


def result(fut: Future[R]) -> R:
    """``fut.result()``, waking up every ``POLL`` seconds so an interrupt is not missed."""
    from concurrent.futures import TimeoutError as Pending

    while True:
        try:
            return fut.result(timeout=POLL)
        except Pending:
            continue


def wait_first(futures: Collection[Future[T]]) -> set[Future[T]]:
    """The futures done once at least one is, waking up every ``POLL`` seconds (see above)."""
    from concurrent.futures import FIRST_COMPLETED, wait

    while True:
        done, _ = wait(futures, timeout=POLL, return_when=FIRST_COMPLETED)
        if done:
            return done
