"""What travels between the client and a worker: a stage's sandbox spec and its outcome.

Both are plain JSON-shaped values at the wire (``to_wire``/``from_wire``) so that a worker
needs nothing but trail to read them, whatever serialiser the cluster uses; inside trail they
are frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trail.oidstr import format_oid, parse_oid
from trail.types import Oid


@dataclass(frozen=True, slots=True)
class SandboxFile:
    """One input of a stage: a repo-relative path and the object it must hold."""

    path: str
    oid: Oid
    isexec: bool = False


@dataclass(frozen=True, slots=True)
class RemoteSpec:
    """How a worker reaches the remote: its name, absolute URL and options (credentials
    included: they travel with the task, as they would in a job's environment)."""

    name: str
    url: str
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StageTask:
    """Everything a worker needs to run one stage, and nothing else."""

    stage: str  # how the user names it (``train``, ``sub/dvc.yaml:train``)
    name: str  # the stage's own name, for ``TRAIL_STAGE``
    cmd: tuple[str, ...]
    wdir: str
    algo: str
    inputs: tuple[SandboxFile, ...]
    outs: tuple[str, ...]  # repo-relative paths to hash and push after the run
    remote: RemoteSpec
    env_root: tuple[str, ...] = ("TRAIL_ROOT",)
    env_stage: tuple[str, ...] = ("TRAIL_STAGE",)

    def to_wire(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "name": self.name,
            "cmd": list(self.cmd),
            "wdir": self.wdir,
            "algo": self.algo,
            "inputs": [[f.path, format_oid(f.oid), f.oid.algo, f.isexec] for f in self.inputs],
            "outs": list(self.outs),
            "remote": {
                "name": self.remote.name,
                "url": self.remote.url,
                "options": dict(self.remote.options),
            },
            "env_root": list(self.env_root),
            "env_stage": list(self.env_stage),
        }

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> StageTask:
        r = d["remote"]
        return cls(
            stage=d["stage"],
            name=d["name"],
            cmd=tuple(d["cmd"]),
            wdir=d["wdir"],
            algo=d["algo"],
            inputs=tuple(
                SandboxFile(p, parse_oid(o, algo), bool(x)) for p, o, algo, x in d["inputs"]
            ),
            outs=tuple(d["outs"]),
            remote=RemoteSpec(r["name"], r["url"], dict(r["options"])),
            env_root=tuple(d["env_root"]),
            env_stage=tuple(d["env_stage"]),
        )


@dataclass(frozen=True, slots=True)
class BuiltOut:
    """An output as the worker hashed it (``LockItem``'s fields)."""

    path: str
    oid: Oid
    size: int | None
    nfiles: int | None
    isexec: bool


@dataclass(frozen=True)
class StageOutcome:
    """What came back: the outs' hashes, exit code, times, the worker's environment record, the
    log (its object on the remote and its last lines), and what the worker had to download."""

    returncode: int
    started: float
    ended: float
    outs: tuple[BuiltOut, ...] = ()
    log: Oid | None = None
    tail: tuple[str, ...] = ()
    undeclared: tuple[str, ...] = ()  # repo-relative paths the command looked for in vain
    env: dict[str, Any] = field(default_factory=dict)
    host: str = ""
    fetched: int = 0  # objects the worker downloaded for this stage
    fetched_bytes: int = 0
    error: str | None = None  # trail itself failed on the worker (not the command)

    @property
    def ok(self) -> bool:
        return self.error is None and self.returncode == 0

    def to_wire(self) -> dict[str, Any]:
        return {
            "returncode": self.returncode,
            "started": self.started,
            "ended": self.ended,
            "outs": [
                [o.path, format_oid(o.oid), o.oid.algo, o.size, o.nfiles, o.isexec]
                for o in self.outs
            ],
            "log": [format_oid(self.log), self.log.algo] if self.log else None,
            "tail": list(self.tail),
            "undeclared": list(self.undeclared),
            "env": self.env,
            "host": self.host,
            "fetched": self.fetched,
            "fetched_bytes": self.fetched_bytes,
            "error": self.error,
        }

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> StageOutcome:
        log = d.get("log")
        return cls(
            returncode=int(d["returncode"]),
            started=float(d["started"]),
            ended=float(d["ended"]),
            outs=tuple(
                BuiltOut(p, parse_oid(o, algo), size, nfiles, bool(x))
                for p, o, algo, size, nfiles, x in d["outs"]
            ),
            log=parse_oid(log[0], log[1]) if log else None,
            tail=tuple(d.get("tail", ())),
            undeclared=tuple(d.get("undeclared", ())),
            env=dict(d.get("env") or {}),
            host=str(d.get("host", "")),
            fetched=int(d.get("fetched", 0)),
            fetched_bytes=int(d.get("fetched_bytes", 0)),
            error=d.get("error"),
        )
