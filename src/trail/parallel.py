"""Thread-pool helpers for I/O-bound work (hashing, copying: the GIL is released in syscalls)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

T = TypeVar("T")
R = TypeVar("R")

# Results of at most this many items are held at once (200,000 files would hold 200,000).
WINDOW = 4096


def bounded_map(fn: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    """Like ``map`` over a thread pool, in order, with at most ``WINDOW`` results held.

    A few items run inline: starting threads would cost more than it saves. Each worker takes
    the next item itself: a future per item costs the calling thread ~25 µs, as much as
    placing a small file does.
    """
    if len(items) < 16 or workers <= 1:
        yield from map(fn, items)
        return
    from concurrent.futures import ThreadPoolExecutor

    it = iter(items)
    with ThreadPoolExecutor(workers) as pool:
        while batch := list(islice(it, WINDOW)):
            yield from _run_window(pool, fn, batch, workers)


def _run_window(
    pool: ThreadPoolExecutor, fn: Callable[[T], R], batch: list[T], workers: int
) -> list[R]:
    results: list[R | None] = [None] * len(batch)
    errors: list[BaseException] = []
    counter = iter(range(len(batch)))
    take = threading.Lock()

    def worker() -> None:
        while not errors:
            with take:
                i = next(counter, None)
            if i is None:
                return
            try:
                results[i] = fn(batch[i])
            except BaseException as exc:
                errors.append(exc)
                return

    futures = [pool.submit(worker) for _ in range(min(workers, len(batch)))]
    try:
        for f in futures:
            result(f)
    except BaseException as exc:  # Ctrl-C in the calling thread: the workers stop too
        errors.append(exc)
        raise
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]


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
