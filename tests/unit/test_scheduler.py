"""The -j scheduler: stages start once their upstreams succeeded; failures stop descendants."""

from __future__ import annotations

import threading

import pytest

from trail.errors import LockError
from trail.pipeline import scheduler

# a → b → d, a → c; e stands alone
GRAPH = {"a": [], "b": ["a"], "c": ["a"], "d": ["b"], "e": []}
ORDER = ["a", "b", "d", "c", "e"]


def _runner(fail=()):
    ran: list[str] = []
    lock = threading.Lock()

    def run_one(name):
        with lock:
            ran.append(name)
        return name not in fail

    return ran, run_one


@pytest.mark.parametrize("jobs", [1, 2, 4])
def test_every_stage_runs_after_its_upstreams(jobs):
    ran, run_one = _runner()
    failed, skipped = scheduler.run_graph(GRAPH, ORDER, run_one, jobs=jobs, keep_going=False)
    assert (failed, skipped) == ([], [])
    assert sorted(ran) == sorted(ORDER)
    for node, ups in GRAPH.items():
        assert all(ran.index(u) < ran.index(node) for u in ups)


def test_serial_runs_in_the_given_order():
    ran, run_one = _runner()
    scheduler.run_graph(GRAPH, ORDER, run_one, jobs=1, keep_going=False)
    assert ran == ORDER


def test_keep_going_skips_only_descendants():
    ran, run_one = _runner(fail={"b"})
    failed, skipped = scheduler.run_graph(GRAPH, ORDER, run_one, jobs=2, keep_going=True)
    assert failed == ["b"] and skipped == ["d"]
    assert set(ran) == {"a", "b", "c", "e"}


def test_without_keep_going_nothing_new_starts_after_a_failure():
    ran, run_one = _runner(fail={"a"})
    failed, _skipped = scheduler.run_graph(GRAPH, ORDER, run_one, jobs=1, keep_going=False)
    assert failed == ["a"]
    assert "b" not in ran and "d" not in ran


def test_an_interrupt_calls_on_abort():
    aborted = []

    def run_one(name):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scheduler.run_graph(
            GRAPH, ORDER, run_one, jobs=1, keep_going=False, on_abort=lambda: aborted.append(1)
        )
    assert aborted == [1]


def test_output_locks_exclude_each_other(tmp_path):
    with scheduler.output_locks(str(tmp_path), ["m.pkl", "data"], 1.0):
        with pytest.raises(LockError) as exc, scheduler.output_locks(str(tmp_path), ["data"], 0.1):
            pass
        assert "output 'data' is being produced by another process" in str(exc.value)
        with scheduler.output_locks(str(tmp_path), ["other"], 0.1):
            pass  # a disjoint output is free
