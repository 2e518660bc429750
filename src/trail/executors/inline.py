"""An executor of threads in this process: the ``Executor`` seam's in-memory implementation,
for tests of the client's side without a cluster. Tasks still go through their wire form."""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from trail.executors.base import CANCELLED, ERROR, FINISHED, PENDING
from trail.executors.task import StageOutcome, StageTask


class ThreadExecutor:
    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="trail-inline")
        self._workers = workers
        self.submitted: list[StageTask] = []

    def submit(self, task: StageTask) -> Future[dict[str, object]]:
        from trail.executors.sandbox import run_task

        self.submitted.append(task)
        wire = json.loads(json.dumps(task.to_wire()))  # what a cluster would carry
        return self._pool.submit(run_task, wire)

    def status(self, handle: Future[dict[str, object]]) -> str:
        if handle.cancelled():
            return CANCELLED
        if not handle.done():
            return PENDING
        return ERROR if handle.exception() is not None else FINISHED

    def cancel(self, handle: Future[dict[str, object]]) -> None:
        handle.cancel()

    def result(self, handle: Future[dict[str, object]], timeout: float) -> StageOutcome | None:
        try:
            return StageOutcome.from_wire(handle.result(timeout))
        except FutureTimeout:
            return None

    def worker_of(self, handle: Future[dict[str, object]]) -> str:
        return "inline"

    def slots(self) -> int:
        return self._workers

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
