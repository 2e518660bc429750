"""The batch runners of trail.fs.batch: bounded concurrency on one event loop, results in the
caller's thread, failures collected, retries with jittered back-off, cancellation."""

from __future__ import annotations

import _thread
import asyncio
import random
import threading

import pytest

from trail.errors import RemoteError, RemoteUnreachableError
from trail.fs import batch
from trail.fs.batch import Done, Read, RemoteThrottledError, Retry, Write


@pytest.fixture
def loop():
    """An event loop in its own thread, as fsspec runs one."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


@pytest.fixture
def no_backoff(monkeypatch):
    monkeypatch.setattr(batch, "BACKOFF", 0.0)


def test_a_batch_runs_at_most_jobs_at_once_on_one_loop(loop):
    state = {"now": 0, "peak": 0, "threads": set()}

    async def execute(op, on_bytes):
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        state["threads"].add(threading.get_ident())
        await asyncio.sleep(0.001)
        state["now"] -= 1
        return op.path.encode()

    ops = [(i, Read(f"p{i}")) for i in range(200)]
    done = list(batch.run_on_loop(loop, execute, ops, jobs=7, retry=Retry("mem://")))
    assert sorted(d.tag for d in done) == list(range(200))
    assert all(d.value == f"p{d.tag}".encode() and d.error is None for d in done)
    assert state["peak"] == 7
    assert len(state["threads"]) == 1  # the loop's thread: no thread per request
    assert threading.get_ident() not in state["threads"]


def test_a_slow_consumer_holds_at_most_jobs_results(loop):
    """A slot frees only once the caller took the result: downloads waiting to be written
    never pile up in memory."""
    started = []

    async def execute(op, on_bytes):
        started.append(op)
        return b"x"

    results = batch.run_on_loop(
        loop, execute, [(i, Read(str(i))) for i in range(50)], jobs=4, retry=Retry("m")
    )
    first = next(results)
    assert isinstance(first, Done)
    import time

    time.sleep(0.2)  # the loop had all the time it wanted
    assert len(started) <= 5
    assert len(list(results)) == 49


def test_failures_come_back_as_results_and_the_rest_still_runs(loop, no_backoff):
    async def execute(op, on_bytes):
        if op.path == "bad":
            raise RemoteError("boom")
        return b"ok"

    ops = [("a", Read("a")), ("bad", Read("bad")), ("b", Read("b"))]
    done = {d.tag: d for d in batch.run_on_loop(loop, execute, ops, jobs=2, retry=Retry("m"))}
    assert str(done["bad"].error) == "boom"
    assert done["a"].value == done["b"].value == b"ok"


def test_throttling_is_retried_after_a_back_off(loop, no_backoff):
    calls = []

    async def execute(op, on_bytes):
        calls.append(op.path)
        if len(calls) < 4:
            raise RemoteThrottledError("s3://b", "SlowDown")
        return b"done"

    (done,) = batch.run_on_loop(loop, execute, [(1, Read("k"))], jobs=1, retry=Retry("s3://b"))
    assert done.value == b"done" and len(calls) == 4


def test_throttling_gives_up_after_its_attempts(no_backoff):
    calls = []

    def execute(op, on_bytes):
        calls.append(op)
        raise RemoteThrottledError("s3://b", "SlowDown")

    (done,) = batch.run_threads(execute, [(1, Write("k", b""))], jobs=1, retry=Retry("s3://b"))
    assert isinstance(done.error, RemoteThrottledError)
    assert len(calls) == batch.THROTTLED_RETRIES
    assert "kept asking to slow down" in str(done.error) and "s3://b" in str(done.error)


def test_other_errors_are_not_retried():
    calls = []

    def execute(op, on_bytes):
        calls.append(op)
        raise RemoteError("denied")

    (done,) = batch.run_threads(execute, [(1, Read("k"))], jobs=1, retry=Retry("m"))
    assert str(done.error) == "denied" and len(calls) == 1


def test_back_off_is_jittered_and_grows_up_to_a_ceiling():
    retry = Retry("s3://b", random.Random(7))
    throttled = RemoteThrottledError("s3://b")
    for attempt in range(batch.THROTTLED_RETRIES - 1):
        ceiling = min(batch.MAX_BACKOFF, batch.BACKOFF * 2**attempt)
        delays = [retry.delay(throttled, attempt) for _ in range(50)]
        assert all(d is not None and 0 <= d <= ceiling for d in delays)
        assert len(set(delays)) == 50  # spread out, not in lock-step
        assert max(delays) > ceiling / 2
    assert retry.delay(throttled, batch.THROTTLED_RETRIES - 1) is None
    dropped = RemoteUnreachableError("s3://b")
    assert retry.delay(dropped, batch.RETRIES - 2) is not None
    assert retry.delay(dropped, batch.RETRIES - 1) is None


def test_a_dead_remote_opens_the_breaker_for_the_whole_batch(no_backoff):
    calls = []

    def execute(op, on_bytes):
        calls.append(op)
        raise RemoteUnreachableError("s3://down")

    ops = [(i, Read(str(i))) for i in range(40)]
    done = list(batch.run_threads(execute, ops, jobs=1, retry=Retry("s3://down")))
    assert all(isinstance(d.error, RemoteUnreachableError) for d in done)
    assert len(calls) <= batch.GIVE_UP_AFTER + batch.RETRIES
    assert "gave up after repeated connection errors" in str(done[-1].error)


def test_closing_the_results_early_cancels_what_is_in_flight(loop):
    started, cancelled = [], []
    release = asyncio.Event()

    async def execute(op, on_bytes):
        started.append(op.path)
        if op.path != "0":
            try:
                await release.wait()
            except asyncio.CancelledError:
                cancelled.append(op.path)
                raise
        return b"x"

    ops = [(i, Read(str(i))) for i in range(10)]
    results = batch.run_on_loop(loop, execute, ops, jobs=4, retry=Retry("m"))
    assert next(results).tag == 0
    results.close()  # the caller stopped (an error of its own, Ctrl-C)
    # 1–3 were waiting; 4 may have started in the slot 0 freed; none started after
    assert started[:4] == ["0", "1", "2", "3"] and len(started) <= 5
    assert sorted(cancelled) == started[1:]


def test_bytes_are_reported_as_they_move_and_counted_per_op(loop):
    heard = []

    async def execute(op, on_bytes):
        for _ in range(3):
            on_bytes(10)
        return None

    ops = [(i, Write(str(i), b"")) for i in range(5)]
    done = list(
        batch.run_on_loop(loop, execute, ops, jobs=2, retry=Retry("m"), on_bytes=heard.append)
    )
    assert sum(heard) == 150 and {d.streamed for d in done} == {30}


def test_waits_between_attempts_stay_under_their_growing_ceiling(monkeypatch):
    """The delays slept, not only those computed: each under BACKOFF × 2^attempt."""
    slept: list[float] = []
    monkeypatch.setattr(batch.time, "sleep", slept.append)
    failures = iter([RemoteThrottledError("s3://b")] * 5)

    def call():
        err = next(failures, None)
        if err is not None:
            raise err
        return b"ok"

    assert batch.attempt(call, Retry("s3://b", random.Random(1))) == b"ok"
    assert len(slept) == 5
    for n, wait in enumerate(slept):
        assert 0 <= wait <= batch.BACKOFF * 2**n
    assert len(set(slept)) == 5


def test_async_waits_are_jittered_and_bounded_too(loop, monkeypatch):
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds):
        slept.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(batch.asyncio, "sleep", sleep)
    calls = []

    async def execute(op, on_bytes):
        calls.append(op.path)
        if len(calls) <= 2:
            raise ConnectionResetError("reset by peer")
        return b"ok"

    (done,) = batch.run_on_loop(loop, execute, [(1, Read("k"))], jobs=1, retry=Retry("s3://b"))
    assert done.value == b"ok" and len(calls) == 3
    assert len(slept) == 2 and all(0 <= s <= batch.BACKOFF * 2**n for n, s in enumerate(slept))


def test_one_throttled_request_does_not_hold_up_the_others(loop, monkeypatch):
    """A back-off waits on the loop, not in it: the batch's other requests go on meanwhile."""
    monkeypatch.setattr(batch, "BACKOFF", 0.4)
    order = []

    async def execute(op, on_bytes):
        order.append(op.path)
        if op.path == "slow" and order.count("slow") == 1:
            raise RemoteThrottledError("s3://b")
        return op.path.encode()

    ops = [("slow", Read("slow"))] + [(i, Read(f"f{i}")) for i in range(20)]
    rng = random.Random(3)  # a draw well above zero: the others overtake it
    done = list(batch.run_on_loop(loop, execute, ops, jobs=4, retry=Retry("s3://b", rng)))
    assert all(d.error is None for d in done) and len(done) == 21
    assert done[-1].tag == "slow"  # retried after all the others finished


def test_results_name_each_op_that_failed_among_many(no_backoff):
    """A partial failure: each result carries its own tag and reason; none is lost."""

    def execute(op, on_bytes):
        if op.path.endswith("3"):
            raise FileNotFoundError(op.path)
        return None

    ops = [(f"o{i}", Write(f"p{i}", b"")) for i in range(40)]
    done = list(batch.run_threads(execute, ops, jobs=4, retry=Retry("m")))
    failed = {d.tag: d.error for d in done if d.error is not None}
    assert sorted(failed) == ["o13", "o23", "o3", "o33"]
    assert all(isinstance(e, FileNotFoundError) for e in failed.values())
    assert sorted(d.tag for d in done if d.error is None) == sorted(
        f"o{i}" for i in range(40) if i % 10 != 3
    )


def test_an_interrupt_while_threads_run_stops_the_batch():
    """Ctrl-C reaches the caller's thread: the workers finish what they hold and take no more."""
    started = []
    gate = threading.Event()

    def execute(op, on_bytes):
        started.append(op.path)
        gate.wait(5)
        return None

    ops = [(i, Write(str(i), b"")) for i in range(100)]
    results = batch.run_threads(execute, ops, jobs=4, retry=Retry("m"))
    timer = threading.Timer(0.3, gate.set)
    timer.start()
    threading.Timer(0.1, _thread.interrupt_main).start()  # as a Ctrl-C would
    with pytest.raises(KeyboardInterrupt):
        list(results)  # leaving it joins the workers
    timer.join()
    assert 1 <= len(started) <= 4  # only those in hand when it came


def test_threads_hold_at_most_a_few_results_for_a_slow_consumer():
    """Reads wait for the caller in a bounded queue: a batch of 1,000 holds ~3 × jobs."""
    started = []

    def execute(op, on_bytes):
        started.append(op.path)
        return b"x" * 1000

    results = batch.run_threads(
        execute, [(i, Read(str(i))) for i in range(1000)], jobs=4, retry=Retry("m")
    )
    first = next(results)
    threading.Event().wait(0.3)  # the workers had all the time they wanted
    assert first.value == b"x" * 1000
    assert len(started) <= 3 * 4 + 1
    assert len(list(results)) == 999 and len(started) == 1000


def test_threads_yield_results_as_they_finish_not_in_windows():
    gate = threading.Event()

    def execute(op, on_bytes):
        if op.path != "0":
            gate.wait(5)
        return None

    results = batch.run_threads(
        execute, [(i, Write(str(i), b"")) for i in range(40)], jobs=4, retry=Retry("m")
    )
    assert next(results).tag == 0  # while the others still wait
    gate.set()
    assert sorted(d.tag for d in results) == list(range(1, 40))


def test_an_interrupt_inside_an_op_on_a_thread_reaches_the_caller():
    def execute(op, on_bytes):
        if op.path == "7":
            raise KeyboardInterrupt
        return None

    ops = [(i, Write(str(i), b"")) for i in range(40)]
    with pytest.raises(KeyboardInterrupt):
        list(batch.run_threads(execute, ops, jobs=4, retry=Retry("m")))
