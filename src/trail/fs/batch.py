"""Many requests to one file system at once: the seam between the transfer layer (which objects
move, verified how) and storage (how requests are sent).

A batch is an iterable of ``(tag, op)``; a file system's ``run`` performs the ops concurrently
and yields one ``Done`` per op, in the caller's thread, in the order they finish. The tag is the
caller's (an object id, or a pack of them). Errors come back translated, inside ``Done``, never
raised: a bulk operation collects them. Transient failures are retried here, once for every
backend: dropped connections a few times, throttling (S3's 503 SlowDown) longer, both after a
jittered exponential back-off so that concurrent requests do not retry in lock-step.

Async fsspec backends (s3fs, sshfs, HTTP) run a batch on their own event loop: thousands of
small requests cost one coroutine each instead of a thread each. Others run it on threads.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Generic, TypeVar

from trail.errors import RemoteError, RemoteUnreachableError

T = TypeVar("T")
R = TypeVar("R")

OnBytes = Callable[[int], None] | None


@dataclass(frozen=True, slots=True)
class Put:
    """Upload the local file ``local`` to ``path``, which never holds part of it."""

    local: str
    path: str


@dataclass(frozen=True, slots=True)
class Get:
    """Download ``path`` into the local file ``local`` (created or truncated)."""

    path: str
    local: str


@dataclass(frozen=True, slots=True)
class Read:
    """The bytes of ``path`` from ``start`` up to ``end`` (exclusive; None: to its end). A
    range past the end gives fewer bytes; a backend that cannot read ranges may give more."""

    path: str
    start: int = 0
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Write:
    """Store ``data`` at ``path``, whole (as ``Put``)."""

    path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Stat:
    """The size of ``path`` (in ``Done.size``; None if the server does not say). A missing
    file fails with ``FileNotFoundError``."""

    path: str


Op = Put | Get | Read | Write | Stat


@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    """One op finished: ``value`` holds a ``Read``'s bytes, ``size`` a ``Stat``'s answer,
    ``error`` why it failed, ``streamed`` the bytes reported to ``on_bytes`` while it ran."""

    tag: T
    op: Op
    value: bytes | None = None
    size: int | None = None
    error: BaseException | None = None
    streamed: int = 0


# How a backend performs one op (bytes for a Read, an int for a Stat); ``on_bytes`` (None:
# nobody asked) hears bytes as they move.
Result = bytes | int | None
Execute = Callable[[Op, OnBytes], Result]
ExecuteAsync = Callable[[Op, OnBytes], Awaitable[Result]]


def _done(tag: T, op: Op, result: Result, streamed: int) -> Done[T]:
    if isinstance(result, int):
        return Done(tag, op, size=result, streamed=streamed)
    return Done(tag, op, result, streamed=streamed)


class _Counter:
    """Bytes one op reported, passed on to the batch's ``on_bytes``."""

    __slots__ = ("n", "on_bytes")

    def __init__(self, on_bytes: Callable[[int], None]) -> None:
        self.n, self.on_bytes = 0, on_bytes

    def __call__(self, n: int) -> None:
        self.n += n
        self.on_bytes(n)


class RemoteThrottledError(RemoteError):
    """The remote asks to slow down (S3 503 SlowDown, HTTP 429): retried after a back-off."""

    def __init__(self, url: str, detail: str = "") -> None:
        self.url = url
        more = f" ({detail})" if detail else ""
        super().__init__(
            f"remote {url} kept asking to slow down{more}: try again later, or with fewer jobs (-j)"
        )


RETRIES = 3  # attempts for a dropped connection or a timeout
THROTTLED_RETRIES = 8  # attempts while the remote asks to slow down
BACKOFF = 0.25  # seconds: the first delay's ceiling, doubled on each retry
MAX_BACKOFF = 20.0
GIVE_UP_AFTER = 8  # consecutive unreachable errors: the remote is down, fail the rest fast


class Retry:
    """When to try an op again, and after how long; shared by every op of one batch.

    Full jitter (a delay drawn from 0 to the ceiling) spreads retries out; a streak of
    unreachable errors across the batch opens a breaker that fails the remaining ops at once
    (a dead remote must not cost every object its own round of timeouts).
    """

    def __init__(self, url: str, rng: random.Random | None = None) -> None:
        self.url = url
        self.rng = rng or random.Random()
        self.streak = 0
        self._lock = threading.Lock()

    @property
    def broken(self) -> bool:
        return self.streak >= GIVE_UP_AFTER

    def record(self, error: BaseException | None) -> None:
        with self._lock:
            self.streak = self.streak + 1 if _unreachable(error) else 0

    def delay(self, error: BaseException, attempt: int) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None to give up."""
        if isinstance(error, RemoteThrottledError):
            limit = THROTTLED_RETRIES
        elif _unreachable(error) and not self.broken:
            limit = RETRIES
        else:
            return None
        if attempt + 1 >= limit:
            return None
        return self.rng.uniform(0, min(MAX_BACKOFF, BACKOFF * 2**attempt))

    def gave_up(self) -> RemoteUnreachableError:
        return RemoteUnreachableError(self.url, "gave up after repeated connection errors")


def _unreachable(error: BaseException | None) -> bool:
    return isinstance(error, RemoteUnreachableError | ConnectionError | TimeoutError)


def attempt(call: Callable[[], R], retry: Retry) -> R:
    """``call()``, retried as ``retry`` says (sleeping this thread between attempts)."""
    for n in range(THROTTLED_RETRIES + RETRIES):
        if retry.broken:
            raise retry.gave_up()
        try:
            value = call()
        except Exception as exc:
            retry.record(exc)
            wait = retry.delay(exc, n)
            if wait is None:
                raise
            time.sleep(wait)
        else:
            retry.record(None)
            return value
    raise AssertionError("unreachable")


async def attempt_async(call: Callable[[], Awaitable[Result]], retry: Retry) -> Result:
    """``await call()``, retried as ``retry`` says (the event loop serves others meanwhile)."""
    for n in range(THROTTLED_RETRIES + RETRIES):
        if retry.broken:
            raise retry.gave_up()
        try:
            value = await call()
        except Exception as exc:
            retry.record(exc)
            wait = retry.delay(exc, n)
            if wait is None:
                raise
            await asyncio.sleep(wait)
        else:
            retry.record(None)
            return value
    raise AssertionError("unreachable")


def run_threads(
    execute: Execute,
    ops: Iterable[tuple[T, Op]],
    *,
    jobs: int,
    retry: Retry,
    on_bytes: OnBytes = None,
) -> Iterator[Done[T]]:
    """Run a batch on ``jobs`` threads, yielding each ``Done`` in the caller's thread as it
    finishes (a batch of a few ops runs inline: threads would cost more than they save).

    Each worker takes the next op itself (no future per op), and at most ``2 × jobs`` results
    wait for the caller, so reads held in memory stay bounded however big the batch. Closing
    the iterator early (an error, Ctrl-C) starts no more ops and waits for those running; an
    interrupt raised inside an op reaches the caller.
    """
    import queue

    def one(item: tuple[T, Op]) -> Done[T]:
        tag, op = item
        count = _Counter(on_bytes) if on_bytes is not None else None
        try:
            value = attempt(lambda: execute(op, count), retry)
        except Exception as exc:
            return Done(tag, op, error=exc, streamed=_streamed(count))
        return _done(tag, op, value, _streamed(count))

    items = iter(ops)
    head = list(islice(items, INLINE))
    if len(head) < INLINE or jobs <= 1:
        yield from map(one, chain(head, items))
        return
    source = chain(head, items)
    take = threading.Lock()
    out: queue.Queue[Done[T] | BaseException | None] = queue.Queue(maxsize=2 * jobs)
    stop = threading.Event()

    def hand_over(item: Done[T] | BaseException | None) -> None:
        while not stop.is_set():
            try:
                out.put(item, timeout=POLL)
                return
            except queue.Full:
                continue

    def worker() -> None:
        try:
            while not stop.is_set():
                with take:
                    item = next(source, None)
                if item is None:
                    break
                hand_over(one(item))
        except BaseException as exc:  # an interrupt inside an op: the caller raises it
            hand_over(exc)
        hand_over(None)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(jobs)]
    for thread in threads:
        thread.start()
    running = len(threads)
    try:
        while running:
            try:
                got = out.get(timeout=POLL)  # a timeout, so a Ctrl-C is heard
            except queue.Empty:
                continue
            if got is None:
                running -= 1
            elif isinstance(got, BaseException):
                raise got
            else:
                yield got
    finally:
        stop.set()
        for thread in threads:
            thread.join()


INLINE = 16  # ops of a batch below which it runs in the caller's thread


def _streamed(count: _Counter | None) -> int:
    return count.n if count is not None else 0


# The caller waits for results this long at a time, so a Ctrl-C is heard (see parallel.POLL).
POLL = 0.1


def run_on_loop(
    loop: asyncio.AbstractEventLoop,
    execute: ExecuteAsync,
    ops: Iterable[tuple[T, Op]],
    *,
    jobs: int,
    retry: Retry,
    on_bytes: OnBytes = None,
) -> Iterator[Done[T]]:
    """Run a batch as coroutines on ``loop`` (running in another thread), at most ``jobs`` at
    once, yielding each ``Done`` in the caller's thread as it comes.

    An op's slot is freed only once the caller has taken its result, so a slow consumer (one
    writing downloads to disk) holds at most ``jobs`` results in memory. Closing the iterator
    early (an error, Ctrl-C) cancels what is still in flight. ``ops`` is read in the loop's
    thread: producing an op must not block (no disk reads).
    """
    import queue

    results: queue.SimpleQueue[Done[T] | BaseException | None] = queue.SimpleQueue()
    slots: list[asyncio.Semaphore] = []

    async def one(tag: T, op: Op) -> None:
        count = _Counter(on_bytes) if on_bytes is not None else None
        try:
            value = await attempt_async(lambda: execute(op, count), retry)
        except Exception as exc:
            results.put(Done(tag, op, error=exc, streamed=_streamed(count)))
        else:
            results.put(_done(tag, op, value, _streamed(count)))

    async def main() -> None:
        slots.append(asyncio.Semaphore(jobs))
        try:
            async with asyncio.TaskGroup() as group:
                for tag, op in ops:
                    await slots[0].acquire()
                    group.create_task(one(tag, op))
            results.put(None)
        except BaseException as exc:
            results.put(exc)
            raise
        finally:
            finished.set()

    finished = threading.Event()
    future = asyncio.run_coroutine_threadsafe(main(), loop)
    try:
        while True:
            try:
                item = results.get(timeout=POLL)
            except queue.Empty:
                continue
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            loop.call_soon_threadsafe(slots[0].release)
            yield item
    finally:
        if not finished.is_set():
            future.cancel()
            # Let cancelled requests unwind (close connections, remove temp files).
            finished.wait(5)
