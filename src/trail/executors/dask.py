"""Stages on a Dask distributed cluster (``pip install 'trail[dask]'``).

The only module that imports dask/distributed, and only when a command asks for the cluster:
start-up never pays for it. Tasks are ``executors.sandbox.run_task`` calls on plain values, so
a worker needs trail (and the remote's extra) installed, nothing of this machine. A worker lost
mid-task is Dask's business: the scheduler gives the task to another worker (up to its
``allowed-failures``); only when it gives up does the stage fail here.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from typing import Any

from trail.executors.base import CANCELLED, ERROR, FINISHED, LOST, PENDING, ExecutorError
from trail.executors.task import StageOutcome, StageTask

CONNECT_TIMEOUT = 30.0
DONE_POLL = 0.01  # seconds between looks at a running task's state


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ExecutorError(
            "--executor dask needs Dask distributed: pip install 'trail[dask]'"
        ) from None
    for name in ("distributed", "tornado", "asyncio"):
        # Its chatter (connection retries, cluster start-up) is not the user's business.
        logging.getLogger(name).setLevel(logging.ERROR)
    return distributed


class DaskExecutor:
    """Runs tasks on a Dask cluster: one at a scheduler's address, or a ``LocalCluster``
    started for this executor's lifetime."""

    def __init__(self, client: Any, cluster: Any = None) -> None:
        self.client, self.cluster = client, cluster

    @classmethod
    def connect(cls, address: str | None, *, workers: int | None = None) -> DaskExecutor:
        """The scheduler at ``address``; None starts a ``LocalCluster`` of ``workers``
        processes (one per core by default), one stage at a time each."""
        distributed = _distributed()
        if address:
            try:
                client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ExecutorError(
                    f"cannot reach the Dask scheduler at {address}: {exc}"
                ) from None
            return cls(client)
        cluster = start_local_cluster(workers)
        try:
            return cls(distributed.Client(cluster, set_as_default=False), cluster)
        except BaseException:
            cluster.close()
            raise

    @property
    def address(self) -> str:
        return str(self.client.scheduler.address)

    def submit(self, task: StageTask) -> Any:
        from trail.executors.sandbox import run_task

        key = f"trail-stage-{task.stage}-{uuid.uuid4().hex[:12]}"
        return self.client.submit(run_task, task.to_wire(), key=key, pure=False)

    def status(self, handle: Any) -> str:
        known = {"finished": FINISHED, "error": ERROR, "cancelled": CANCELLED, "lost": LOST}
        return known.get(str(handle.status), PENDING)

    def cancel(self, handle: Any) -> None:
        handle.cancel()

    def result(self, handle: Any, timeout: float) -> StageOutcome | None:
        distributed = _distributed()
        # Waiting in ``result(timeout=…)`` again and again races inside distributed (an
        # UnboundLocalError now and then): look at the future's state instead, ask once done.
        deadline = time.monotonic() + timeout
        while not handle.done():
            if time.monotonic() >= deadline:
                return None
            time.sleep(DONE_POLL)
        try:
            wire = handle.result()
        except distributed.client.FutureCancelledError:
            raise ExecutorError("the stage was cancelled on the cluster") from None
        except Exception as exc:
            if type(exc).__name__ == "KilledWorker":
                raise ExecutorError(
                    "the workers running the stage died again and again; the scheduler gave "
                    f"up on it ({exc})"
                ) from None
            raise ExecutorError(f"the cluster failed to run the stage: {exc!r}") from None
        return StageOutcome.from_wire(wire)

    def worker_of(self, handle: Any) -> str:
        try:
            where = self.client.who_has([handle]).get(handle.key) or ()
        except Exception:  # informative only: never fail a finished stage over it
            return ""
        return str(where[0]) if where else ""

    def slots(self) -> int:
        try:
            return max(1, int(sum(self.client.nthreads().values())))
        except Exception:
            return 1

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def start_local_cluster(workers: int | None = None) -> Any:
    """A ``LocalCluster`` on loopback, its workers threads of this process: a stage is a
    command in a process of its own anyway, and threads start in half a second where worker
    processes take several (each imports everything again). It listens on TCP, so the runs of
    a queue (other processes) can use it too. No dashboard."""
    distributed = _distributed()
    return distributed.LocalCluster(
        n_workers=workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
        worker_dashboard_address=None,
        silence_logs=logging.ERROR,
    )
