"""What runs stages elsewhere: the ``Executor`` protocol and its errors.

An executor takes a ``StageTask`` and runs ``executors.sandbox.run_task`` on it somewhere (a
Dask worker; threads of this process in tests), handing back a ``StageOutcome``. It never
records anything: the client does, once a stage succeeded.
"""

from __future__ import annotations

from typing import Any, Protocol

from trail.errors import TrailError
from trail.executors.task import StageOutcome, StageTask

# States a submitted task can be in (Dask's own words).
PENDING, FINISHED, ERROR, CANCELLED, LOST = "pending", "finished", "error", "cancelled", "lost"


class ExecutorError(TrailError):
    """The cluster could not be reached, or it could not run a task."""


class Executor(Protocol):
    """Somewhere stages run: ``submit`` a task, look at its ``status``, ``cancel`` it."""

    def submit(self, task: StageTask) -> Any:
        """Send a task; returns a handle for the other methods."""

    def status(self, handle: Any) -> str:
        """``pending`` (waiting or running), ``finished``, ``error``, ``cancelled`` or ``lost``."""

    def cancel(self, handle: Any) -> None: ...

    def result(self, handle: Any, timeout: float) -> StageOutcome | None:
        """The outcome once the task ended, or None if it has not after ``timeout`` seconds."""

    def worker_of(self, handle: Any) -> str:
        """Which worker ran the task (its address), or ``""`` if unknown."""

    def slots(self) -> int:
        """How many tasks it runs at once."""

    def close(self) -> None: ...
