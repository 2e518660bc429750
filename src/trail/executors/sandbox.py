"""The worker's side of a remote stage: build a fresh directory from exactly the stage's
inputs, run its command there, hash and push its outputs and log, report back.

``run_task`` is what a cluster calls. It needs trail (and the remote's extra) on the worker,
nothing of the cluster's own: it takes and returns plain values (``executors.task``). It never
raises for a failing command — that is an outcome; anything else going wrong is reported in
``error``. Nothing a task leaves behind is ever shared: the directory is removed at the end,
and directories of workers that died are removed by the next task.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from trail import hashing
from trail.executors import worker_store
from trail.executors.task import BuiltOut, StageOutcome, StageTask
from trail.fsutil import remove_tree
from trail.odb.local import LocalODB, copy_file
from trail.types import Oid

TAIL = 20  # lines of the log the client shows when a stage fails
LINK_FROM = 1 << 20  # inputs at least this big are hard-linked, not copied, into the sandbox


def run_task(wire: dict[str, Any]) -> dict[str, Any]:
    """Run one stage (``StageTask.to_wire()``); returns ``StageOutcome.to_wire()``."""
    started = time.time()
    try:
        task = StageTask.from_wire(wire)
        return _run(task).to_wire()
    except Exception as exc:  # the client reports it as this stage's failure
        why = f"{type(exc).__name__}: {exc}"
        return StageOutcome(-1, started, time.time(), host=_host(), error=why).to_wire()


def _host() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class _Run:
    returncode: int = 0
    started: float = 0.0
    ended: float = 0.0
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)


def _run(task: StageTask) -> StageOutcome:
    store = worker_store.open_store(task.remote)
    odb = worker_store.worker_cache()
    fetched, nbytes = worker_store.fetch(store, odb, [f.oid for f in task.inputs])
    box = _new_sandbox()
    try:
        linked = _lay_out(box, odb, task)
        run = _execute(box, task)
        _forget_changed(odb, linked)
        outs: tuple[BuiltOut, ...] = ()
        error = None
        if run.returncode == 0:
            outs, error = _hash_outs(box, odb, task)
            if error is None:
                worker_store.push(store, odb, [o.oid for o in outs])
        undeclared: list[str] = []
        if run.returncode != 0:
            from trail.executors.undeclared import missing_paths

            text = "".join(run.stderr) + "".join(run.stdout)
            undeclared = missing_paths(text, box, os.path.join(box, task.wdir))
        env = environment()
        log = _push_log(store, odb, task, run, outs, env)
        return StageOutcome(
            returncode=run.returncode,
            started=run.started,
            ended=run.ended,
            outs=outs,
            log=log,
            tail=tuple(_tail(run)),
            undeclared=tuple(undeclared),
            env=env,
            host=_host(),
            fetched=fetched,
            fetched_bytes=nbytes,
            error=error,
        )
    finally:
        remove_tree(box)


def _new_sandbox() -> str:
    """A fresh directory named after this process, after removing those of dead workers."""
    from trail.fsutil import pid_alive

    folder = os.path.join(worker_store.worker_dir(), "sandboxes")
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        pid = name.split("-")[1] if name.count("-") >= 2 else ""
        if pid.isdigit() and not pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                remove_tree(os.path.join(folder, name))
    return tempfile.mkdtemp(prefix=f"sb-{os.getpid()}-", dir=folder)


def _lay_out(box: str, odb: LocalODB, task: StageTask) -> list[tuple[str, int]]:
    """Place every input; returns (object path, mtime_ns) of the ones hard-linked."""
    from trail import manifest

    linked: list[tuple[str, int]] = []
    for f in task.inputs:
        dst = os.path.join(box, *f.path.split("/"))
        if not f.oid.is_tree:
            _place(odb, f.oid, dst, f.isexec, linked)
            continue
        os.makedirs(dst, exist_ok=True)
        for e in manifest.parse(odb.read_bytes(f.oid), f.oid.algo, str(f.oid)):
            _place(odb, e.oid, os.path.join(dst, *e.relpath.split("/")), False, linked)
    os.makedirs(os.path.join(box, task.wdir), exist_ok=True)
    for out in task.outs:  # the workspace has the folders outputs go to; so does the sandbox
        os.makedirs(os.path.dirname(os.path.join(box, out)), exist_ok=True)
    return linked


def _place(odb: LocalODB, oid: Oid, dst: str, isexec: bool, linked: list[tuple[str, int]]) -> None:
    src = odb.path(oid)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    st = os.stat(src)
    if st.st_size >= LINK_FROM and not isexec:
        with contextlib.suppress(OSError):
            os.link(src, dst)
            linked.append((src, st.st_mtime_ns))
            return
    copy_file(src, dst)
    os.chmod(dst, 0o755 if isexec else 0o644)


def _forget_changed(odb: LocalODB, linked: list[tuple[str, int]]) -> None:
    """A command that wrote into a hard-linked input changed the worker's cached object: drop
    it (the next task downloads it again) rather than hand wrong bytes to another stage."""
    for src, mtime in linked:
        with contextlib.suppress(OSError):
            if os.stat(src).st_mtime_ns != mtime:
                os.unlink(src)


def _set_death_signal() -> None:
    """In the child: die with the worker (a worker killed mid-stage leaves no command behind)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _execute(box: str, task: StageTask) -> _Run:
    env = dict(os.environ)
    env.update({name: box for name in task.env_root})
    env.update({name: task.name for name in task.env_stage})
    shell = os.environ.get("SHELL") or "/bin/sh"
    run = _Run(started=time.time())
    for line in task.cmd:
        proc = subprocess.run(
            [shell, "-c", line],
            cwd=os.path.join(box, task.wdir),
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            preexec_fn=_set_death_signal,
            check=False,
        )
        run.stdout.append(proc.stdout.decode("utf-8", "replace"))
        run.stderr.append(proc.stderr.decode("utf-8", "replace"))
        run.returncode = proc.returncode
        if proc.returncode != 0:
            break
    run.ended = time.time()
    return run


def _hash_outs(box: str, odb: LocalODB, task: StageTask) -> tuple[tuple[BuiltOut, ...], str | None]:
    from trail.ops.common import build_context_for
    from trail.workspace.build import build

    ctx = build_context_for(box, task.algo, odb)
    outs = []
    for rel in task.outs:
        if not os.path.lexists(os.path.join(box, rel)):
            return (), f"output '{rel}' was not created"
        b = build(ctx, rel)
        outs.append(BuiltOut(rel, b.oid, b.meta.size, b.meta.nfiles, b.meta.isexec))
    return tuple(outs), None


def _tail(run: _Run) -> list[str]:
    lines = ("".join(run.stdout) + "".join(run.stderr)).splitlines()
    return lines[-TAIL:]


def _push_log(
    store: Any,
    odb: LocalODB,
    task: StageTask,
    run: _Run,
    outs: tuple[BuiltOut, ...],
    env: dict[str, Any],
) -> Oid:
    """The run's log, as a content-addressed object on the remote (idempotent to send)."""
    record = {
        "stage": task.stage,
        "cmd": list(task.cmd),
        "started": run.started,
        "ended": run.ended,
        "returncode": run.returncode,
        "stdout": "".join(run.stdout),
        "stderr": "".join(run.stderr),
        "outs": {o.path: str(o.oid) for o in outs},
        "host": _host(),
        "env": env,
    }
    data = json.dumps(record, indent=1).encode()
    oid = Oid(task.algo, hashing.get(task.algo).hash_bytes(data))
    odb.add_bytes(oid, data)
    worker_store.push(store, odb, [oid])
    return oid


def environment() -> dict[str, Any]:
    """The worker's environment record: Python, platform, host and installed packages."""
    import platform
    import sys

    from trail.runenv import packages

    return {
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
        },
        "host": socket.gethostname(),
        "packages": packages(),
    }
