"""Running stages ``-j N`` at a time as their inputs get ready, and per-output locks.

The graph (``pipeline.dag``) maps each stage to the stages it depends on; a stage starts once
those succeeded. Outputs are locked one by one, so two repros of disjoint parts run side by side.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from graphlib import TopologicalSorter
from typing import TYPE_CHECKING

from trail.errors import LockError
from trail.pipeline.model import Pipeline, Stage

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor


def key(stage: Stage) -> str:
    return stage.addressing


def all_stages(pipelines: Iterable[Pipeline]) -> list[Stage]:
    return [s for p in pipelines for s in p.stages.values()]


def downstream_of(graph: dict[str, list[str]], nodes: Iterable[str]) -> set[str]:
    down: dict[str, list[str]] = {n: [] for n in graph}
    for n, ups in graph.items():
        for u in ups:
            down[u].append(n)
    found: set[str] = set()
    todo = list(nodes)
    while todo:
        n = todo.pop()
        if n not in found:
            found.add(n)
            todo.extend(down[n])
    return found


# Runs one stage; returns True when it succeeded (its descendants may go on).
RunOne = Callable[[str], bool]


def run_graph(
    graph: dict[str, list[str]],
    selected: Sequence[str],
    run_one: RunOne,
    *,
    jobs: int,
    keep_going: bool,
    on_abort: Callable[[], None] = lambda: None,
) -> tuple[list[str], list[str]]:
    """Run ``selected`` stages, each once its selected upstreams succeeded; ``jobs`` at a time.

    Returns (failed, skipped because an upstream failed). Without ``keep_going`` the first
    failure stops scheduling (running stages finish). On an interrupt ``on_abort`` stops the
    running commands before the interrupt goes on.
    """
    chosen = set(selected)
    ts: TopologicalSorter[str] = TopologicalSorter(
        {n: [u for u in graph[n] if u in chosen] for n in selected}
    )
    ts.prepare()
    failed: list[str] = []
    blocked: set[str] = set()
    if jobs <= 1:  # in the calling thread, in run order: no pool to start
        try:
            _serial(graph, selected, run_one, failed, blocked, keep_going)
        except BaseException:
            on_abort()
            raise
        return failed, [n for n in selected if n in blocked and n not in failed]
    from concurrent.futures import ThreadPoolExecutor

    rank = {n: i for i, n in enumerate(selected)}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        try:
            _drive(ts, graph, pool, run_one, rank, failed, blocked, keep_going, jobs)
        except BaseException:
            on_abort()
            raise
    skipped = [n for n in selected if n in blocked and n not in failed]
    return failed, skipped


def _serial(
    graph: dict[str, list[str]],
    selected: Sequence[str],
    run_one: RunOne,
    failed: list[str],
    blocked: set[str],
    keep_going: bool,
) -> None:
    for n in selected:  # ``selected`` is in run order: upstreams come first
        if n in blocked:
            continue
        if not run_one(n):
            failed.append(n)
            blocked |= downstream_of(graph, [n]) - {n}
            if not keep_going:
                return


def _drive(
    ts: TopologicalSorter[str],
    graph: dict[str, list[str]],
    pool: ThreadPoolExecutor,
    run_one: RunOne,
    rank: dict[str, int],
    failed: list[str],
    blocked: set[str],
    keep_going: bool,
    jobs: int,
) -> None:
    """Start the first ready stages in run order, at most ``jobs`` at once: with one job this
    is exactly DVC's serial order."""
    from trail.parallel import wait_first

    running: dict[Future[bool], str] = {}
    ready: list[str] = []
    stop = False
    while ts.is_active():
        ready.extend(ts.get_ready())
        ready.sort(key=rank.__getitem__)
        while ready and not stop and len(running) < jobs:
            n = ready.pop(0)
            if n in blocked:
                ts.done(n)
                continue
            running[pool.submit(run_one, n)] = n
        if not running:
            if stop or not ready:
                break
            continue
        done = wait_first(running)
        for fut in sorted(done, key=lambda f: rank[running[f]]):
            n = running.pop(fut)
            if not fut.result():
                failed.append(n)
                blocked |= downstream_of(graph, [n]) - {n}
                stop = stop or not keep_going
            ts.done(n)


@contextlib.contextmanager
def output_locks(private_dir: str, paths: Sequence[str], timeout: float) -> Iterator[None]:
    """Per-output flocks, so two repros of disjoint parts of the DAG run side by side."""
    from trail.lock import holding

    output_of = {output_lock_path(private_dir, path): path for path in paths}

    def busy(lock: str) -> LockError:
        return LockError(
            f"output '{output_of[lock]}' is being produced by another process; waited {timeout:g} s"
        )

    with holding(list(output_of), timeout, busy):
        yield


def output_lock_path(private_dir: str, path: str) -> str:
    """The file whose flock a process holds while it produces the output ``path``."""
    import hashlib

    return os.path.join(private_dir, "locks", hashlib.sha256(path.encode()).hexdigest()[:32])


class MetaLock:
    """The repository lock, taken only around metadata reads and writes.

    ``sticky`` keeps it from one metadata step to the next until ``release`` (called before a
    command runs, and at the end): a serial no-op repro then takes it once, not once per stage.
    """

    def __init__(
        self, take: Callable[[], contextlib.AbstractContextManager[None]], sticky: bool = False
    ) -> None:
        self._take, self._sticky = take, sticky
        self._mutex = threading.RLock()
        self._held: contextlib.AbstractContextManager[None] | None = None

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._mutex:
            if self._held is not None:
                yield
                return
            if not self._sticky:
                with self._take():
                    yield
                return
            held = self._take()
            held.__enter__()
            self._held = held
            yield

    def release(self) -> None:
        with self._mutex:
            held, self._held = self._held, None
            if held is not None:
                held.__exit__(None, None, None)
