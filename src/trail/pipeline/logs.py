"""Per-run logs of stages: ``<private>/logs/<stage>/<start-time>.json``, the last runs kept.

Each record holds the resolved command, start and end time, exit code, stdout and stderr.
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
    env: dict[str, Any] | None = None  # Python, platform and packages it ran with


def stage_dir(private_dir: str, stage: str) -> str:
    import urllib.parse

    # Stage names hold ``@``, ``:`` and ``/`` (``sub/dvc.yaml:train@1``): keep them readable.
    return os.path.join(private_dir, "logs", urllib.parse.quote(stage, safe="@-_."))


def write(private_dir: str, log: RunLog, keep: int = KEEP) -> str:
    """Record one run and prune all but the last ``keep`` of the stage's runs."""
    folder = stage_dir(private_dir, log.stage)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{int(log.started * 1e6):020d}-{os.getpid()}.json")
    atomic_write_text(path, json.dumps(asdict(log), indent=1))
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
