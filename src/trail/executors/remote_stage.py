"""The client's side of a remote stage, in ``repro``'s place for running one stage.

1. The run-cache first: the local one, then the remote's (entries fetched, their outputs
   fetched), so inputs seen before are restored, not sent.
2. The sandbox is the stage's deps (Git-tracked code included) and params files, hashed with
   the repository's algorithm; the objects the remote lacks are pushed (``ops.push``, through
   the remote index: nothing is sent twice).
3. The task goes to the executor; this thread waits for its outcome.
4. Only a stage that succeeded is recorded: its outputs are fetched and checked out (the
   workspace ends as a local run leaves it), the lock entry is built from the worker's hashes,
   the run-cache entry is saved here and on the remote, and the log (read from the remote)
   becomes the stage's log, so ``trail logs`` shows the remote run.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trail.errors import PipelineError, TrailError
from trail.executors.base import Executor, ExecutorError
from trail.executors.task import RemoteSpec, SandboxFile, StageOutcome, StageTask
from trail.pipeline import runcache
from trail.pipeline.lockfile import LockEntry, LockItem
from trail.pipeline.model import Stage
from trail.pipeline.runner import RunOptions, StageRun, inputs_entry, missing_deps
from trail.repo import Repo
from trail.types import Meta

POLL = 0.25  # seconds between looks at an interrupt while a stage runs remotely

# (event, stage, detail): "remote" (detail: "<worker> in <seconds> s")
OnEvent = Callable[[str, str, str], None]
OnOutput = Callable[[str, str, str], None]


def _quiet(_a: str, _b: str, _c: str) -> None:
    return None


@dataclass
class RemoteRun(StageRun):
    """A stage run on a worker: ``StageRun`` plus where it ran and that machine's record."""

    host: str = ""
    env: dict[str, Any] = field(default_factory=dict)


class RemoteStageError(PipelineError):
    """A stage failed on a worker: its exit code, worker, and the undeclared files it read."""

    def __init__(
        self, stage: str, worker: str, returncode: int, undeclared: tuple[str, ...] = ()
    ) -> None:
        self.worker, self.returncode, self.undeclared = worker, returncode, undeclared
        why = f"failed on worker {worker} (exit code {returncode})"
        if undeclared:
            names = ", ".join(f"'{p}'" for p in undeclared)
            why += (
                f": it reads {names}, which the stage does not declare; a worker gets only "
                "the stage's deps and params: add it to the stage's deps"
            )
        super().__init__(why + " (see `trail logs " + stage + "`)", stage=stage)


def remote_spec(repo: Repo, name: str | None) -> RemoteSpec:
    """The remote the workers share (``-r NAME`` or the default); a clear error without one."""
    from trail.errors import RemoteConfigError
    from trail.remote import settings

    try:
        info = settings.get(repo.config, name)
    except RemoteConfigError as exc:
        if name is not None:
            raise
        raise RemoteConfigError(
            "--executor dask needs a remote: the workers share nothing with this machine but "
            "the remote (add one with `trail remote add -d NAME URL`, or pass -r NAME)"
        ) from exc
    url = info.url
    if "://" not in url and not os.path.isabs(os.path.expanduser(url)):
        url = os.path.normpath(os.path.join(repo.control_dir, url))  # as the config means it
    elif url.startswith("file://"):
        url = url[len("file://") :]
    return RemoteSpec(info.name, os.path.expanduser(url), dict(info.options))


class RemoteStages:
    """Runs stages through an ``Executor``, sharing only the remote with it."""

    def __init__(
        self,
        connect: Callable[[], Executor],
        remote: RemoteSpec,
        *,
        on_event: OnEvent = _quiet,
        on_output: OnOutput = _quiet,
    ) -> None:
        """``connect`` makes the executor when the first stage must be sent: a repro with
        nothing to run (or everything in the run-cache) never reaches for the cluster."""
        self._connect, self.remote = connect, remote
        self.on_event, self.on_output = on_event, on_output
        self._executor: Executor | None = None
        self._failed: TrailError | None = None
        self._handles: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._push_lock = threading.Lock()
        self._stopping = threading.Event()

    @property
    def executor(self) -> Executor:
        with self._lock:
            if self._failed is not None:
                raise self._failed  # one try: -k must not wait for the cluster per stage
            if self._executor is None:
                try:
                    self._executor = self._connect()
                except TrailError as exc:
                    self._failed = exc
                    raise
            return self._executor

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.close()

    # -- the runner repro calls ---------------------------------------------------------

    def __call__(self, repo: Repo, stage: Stage, opts: RunOptions) -> StageRun:
        inputs = inputs_entry(repo, stage)
        absent = missing_deps(inputs)
        if absent:
            raise PipelineError(f"dependency '{absent[0]}' does not exist", stage=stage.name)
        if opts.run_cache and runcache.eligible(stage):
            from trail.executors import restore

            changed: list[str] = []
            entry = restore.from_run_cache(repo, stage, inputs, changed, self.remote.name)
            if entry is not None:
                return StageRun(stage.name, "restored", entry, gitignores=changed)
        opts.on_run()
        task = self._task(repo, stage)
        outcome, worker = self._send(task)
        if not outcome.ok:
            self._fail(repo, stage, outcome, worker)
        return self._record(repo, stage, inputs, outcome, worker, opts)

    def cancel_all(self) -> None:
        """Stop waiting and cancel every task sent (an interrupt)."""
        self._stopping.set()
        with self._lock:
            handles = list(self._handles.values())
            executor = self._executor
        for h in handles:
            try:
                if executor is not None:
                    executor.cancel(h)
            except Exception:  # the cluster may be gone already; nothing to cancel then
                continue

    # -- the steps ------------------------------------------------------------------------

    def _task(self, repo: Repo, stage: Stage) -> StageTask:
        """Hash (into the cache) and push the stage's inputs; the task that names them."""
        from trail.ops.push import push_outputs
        from trail.ops.used import UsedOutput
        from trail.pipeline.changes import hash_path

        paths = [d.path for d in stage.deps] + [p.path for p in stage.params]
        paths += [o.path for o in stage.outs if o.persist and os.path.lexists(repo.path(o.path))]
        inputs: dict[str, SandboxFile] = {}
        # One stage's inputs at a time: stages sharing a dep push it once, and the remote
        # index (SQLite) never sees a crowd of writers at once.
        with self._push_lock:
            for path in paths:
                built = hash_path(repo, path, repo.algo, store=True)
                if built is None:
                    raise PipelineError(f"'{path}' does not exist", stage=stage.name)
                inputs[path] = SandboxFile(path, built.oid, built.meta.isexec)
            push_outputs(
                repo,
                [UsedOutput(f.path, f.oid) for f in inputs.values()],
                remote=self.remote.name,
            )
        return StageTask(
            stage=stage.addressing,
            name=stage.name,
            cmd=stage.cmd,
            wdir=stage.wdir,
            algo=repo.algo,
            inputs=tuple(inputs.values()),
            outs=tuple(o.path for o in stage.outs),
            remote=self.remote,
            env_root=repo.dialect.env_root,
            env_stage=repo.dialect.env_stage,
        )

    def _send(self, task: StageTask) -> tuple[StageOutcome, str]:
        executor = self.executor
        handle = executor.submit(task)
        with self._lock:
            self._handles[task.stage] = handle
        try:
            while True:
                if self._stopping.is_set():
                    raise KeyboardInterrupt
                outcome = executor.result(handle, POLL)
                if outcome is not None:
                    return outcome, executor.worker_of(handle) or outcome.host
        except BaseException:
            executor.cancel(handle)
            raise
        finally:
            with self._lock:
                self._handles.pop(task.stage, None)

    def _fail(self, repo: Repo, stage: Stage, outcome: StageOutcome, worker: str) -> None:
        from trail.pipeline import logs

        key = stage.addressing
        if outcome.error is not None and outcome.returncode == 0:
            raise PipelineError(f"on worker {worker}: {outcome.error}", stage=key)
        if outcome.error is not None:
            raise ExecutorError(f"stage '{key}': trail failed on worker {worker}: {outcome.error}")
        record = self._read_log(outcome)
        log = logs.RunLog(
            key,
            list(stage.cmd),
            outcome.started,
            outcome.ended,
            outcome.returncode,
            str(record.get("stdout", "")),
            str(record.get("stderr", "")),
        )
        _write_log(repo, log, worker, outcome.env)
        for line in outcome.tail:
            self.on_output(key, "stderr", line)
        raise RemoteStageError(key, worker, outcome.returncode, outcome.undeclared)

    def _record(
        self,
        repo: Repo,
        stage: Stage,
        inputs: LockEntry,
        outcome: StageOutcome,
        worker: str,
        opts: RunOptions,
    ) -> RemoteRun:
        from trail.executors import restore

        built = {o.path: o for o in outcome.outs}
        outs = tuple(
            LockItem(
                o.declared,
                built[o.path].oid,
                Meta(built[o.path].size, built[o.path].nfiles, built[o.path].isexec),
            )
            for o in stage.outs
        )
        changed: list[str] = []
        placed = [(o.path, built[o.path].oid, built[o.path].isexec) for o in stage.outs]
        restore.fetch_and_checkout(repo, stage, placed, self.remote.name, changed)
        entry = LockEntry(stage.raw_cmd, inputs.deps, inputs.params, outs)
        if opts.commit and opts.run_cache and runcache.eligible(stage):
            restore.save_run(repo, entry, self.remote.name)
        record = self._read_log(outcome)
        nbytes = outcome.fetched_bytes  # what the worker downloaded for this stage
        secs = outcome.ended - outcome.started
        self.on_event("remote", stage.addressing, f"{worker} in {secs:.1f} s")
        return RemoteRun(
            stage.name,
            "ran",
            entry,
            returncode=0,
            started=outcome.started,
            ended=outcome.ended,
            cmd=list(stage.cmd),
            stdout=str(record.get("stdout", "")),
            stderr=str(record.get("stderr", "")),
            gitignores=changed,
            host=worker,
            env={**outcome.env, "fetched": {"objects": outcome.fetched, "bytes": nbytes}},
        )

    def _read_log(self, outcome: StageOutcome) -> dict[str, Any]:
        """The run's log from the remote (an object there); {} when it cannot be read."""
        import json

        from trail.executors.worker_store import open_store

        if outcome.log is None:
            return {}
        try:
            data = open_store(self.remote).read_verified(outcome.log)
            return dict(json.loads(data))
        except (TrailError, OSError, ValueError):
            return {"stdout": "\n".join(outcome.tail) + "\n"}


def _write_log(repo: Repo, log: Any, host: str, env: dict[str, Any]) -> str:
    from dataclasses import replace

    from trail.pipeline import logs

    return logs.write(repo.private_dir, replace(log, host=host, env=env))
