"""Per-run logs of stages: ``<private>/logs/<stage>/<start-time>.json``, the last runs kept.

Each record holds the resolved command, start and end time, exit code, stdout and stderr, and
the environment record of the run (for a run on a cluster, the worker's, and the worker).
While a stage runs, its output also goes to ``<private>/logs/<stage>/running-<pid>.log`` as it
comes (``Live``), so ``trail ui`` can follow it; the file goes once the run ends.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any

from trail.fsutil import atomic_write_text, unlink_missing_ok

KEEP = 10


@dataclass(frozen=True)
class RunLog:
    stage: str
    cmd: list[str]
    started: float
    ended: float
    returncode: int
    stdout: str
    stderr: str
    outs: dict[str, str] = field(default_factory=dict)  # out path → object id, after success
    host: str = ""  # the worker that ran it (``repro --executor dask``); "" for this machine
    # the environment record of the run (Python, platform, packages): this machine's, or the
    # worker's; bundles read it (``trail.registry.envrecord``)
    env: dict[str, Any] = field(default_factory=dict)


def stage_dir(private_dir: str, stage: str) -> str:
    import urllib.parse

    # Stage names hold ``@``, ``:`` and ``/`` (``sub/dvc.yaml:train@1``): keep them readable.
    return os.path.join(private_dir, "logs", urllib.parse.quote(stage, safe="@-_."))


def write(private_dir: str, log: RunLog, keep: int = KEEP) -> str:
    """Record one run and prune all but the last ``keep`` of the stage's runs."""
    folder = stage_dir(private_dir, log.stage)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{int(log.started * 1e6):020d}-{os.getpid()}.json")
    data = asdict(log)
    if not log.host:  # a local run names no worker
        del data["host"]
    if not log.env:
        del data["env"]
    atomic_write_text(path, json.dumps(data, indent=1))
    for old in _names(folder)[:-keep]:
        unlink_missing_ok(os.path.join(folder, old))
    return path


def _names(folder: str) -> list[str]:
    try:
        return sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    except FileNotFoundError:
        return []


def read(private_dir: str, stage: str, last: int | None = None) -> list[RunLog]:
    """The stage's kept runs, oldest first (only the ``last`` ones if given)."""
    folder = stage_dir(private_dir, stage)
    names = _names(folder)
    if last is not None:
        names = names[-last:]
    logs = []
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            data: dict[str, Any] = json.load(f)
        logs.append(RunLog(**data))
    return logs


class Live:
    """A running stage's output as it comes (stdout and stderr interleaved). Writing is best
    effort: a full disk never fails the run for the sake of a log someone might follow."""

    def __init__(self, private_dir: str, stage: str) -> None:
        folder = stage_dir(private_dir, stage)
        self.path = os.path.join(folder, f"running-{os.getpid()}.log")
        self._file = None
        try:
            os.makedirs(folder, exist_ok=True)
            self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 -- see close()
        except OSError:
            pass

    def write(self, text: str) -> None:
        if self._file is not None:
            try:
                self._file.write(text)
                self._file.flush()
            except OSError:
                pass

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        unlink_missing_ok(self.path)


def running(private_dir: str, stage: str) -> list[str]:
    """Live output files of runs of ``stage`` going on now (their process is alive)."""
    from trail.fsutil import pid_alive

    folder = stage_dir(private_dir, stage)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    found = []
    for name in names:
        pid = name.removeprefix("running-").removesuffix(".log")
        if name.startswith("running-") and pid.isdigit() and pid_alive(int(pid)):
            found.append(os.path.join(folder, name))
    return found
