"""The resolved pipeline: stages after templating, ``foreach``/``matrix`` expansion and checks.

These values are what every other part of ``trail.pipeline`` works on: the loader
(``pipeline.load``) makes them from ``trail.yaml``/``dvc.yaml``; the DAG, the lock file, the
run-cache and the runner read them. Paths are repo-relative posix paths; ``declared`` keeps the
path as the user wrote it (relative to the stage's ``wdir``), which is what the lock file records.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class OutKind(enum.Enum):
    OUT = "outs"
    METRIC = "metrics"
    PLOT = "plots"


@dataclass(frozen=True, slots=True)
class Where:
    """A place in a pipeline file, for error messages (``trail.yaml:12``).

    The line is looked up only when a message needs it: finding it may mean parsing the file
    again (``yamlio.Marks``), which a run without errors never pays for.
    """

    file: str  # repo-relative path of the pipeline file
    known_line: int | None = None
    marks: Any = field(default=None, compare=False, repr=False)  # yamlio.Marks of the file
    keys: tuple[str | int, ...] = ()  # the path to the place inside the file

    @property
    def line(self) -> int | None:
        if self.known_line is not None or self.marks is None:
            return self.known_line
        from trail.yamlio import line_of

        return line_of(self.marks, *self.keys)

    def __str__(self) -> str:
        line = self.line
        return f"{self.file}:{line}" if line else self.file


@dataclass(frozen=True, slots=True)
class Dep:
    declared: str  # as written, relative to the stage's wdir
    path: str  # repo-relative


@dataclass(frozen=True, slots=True)
class ParamsDep:
    """``params`` of a stage: keys of one file, or the whole file when ``keys`` is None."""

    declared: str  # the params file as written, relative to wdir (default ``params.yaml``)
    path: str  # repo-relative
    keys: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class StageOut:
    declared: str
    path: str
    kind: OutKind = OutKind.OUT
    cache: bool = True
    persist: bool = False
    push: bool = True
    remote: str | None = None
    # Everything else the user set on the entry (desc, type, labels, meta, plot props …), kept.
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stage:
    name: str  # "train", "build@us", "train@0.1-64"
    file: str  # repo-relative pipeline file that defines it
    wdir: str  # repo-relative working directory ("." for the root)
    cmd: tuple[str, ...]  # one shell per entry
    raw_cmd: str | list[str]  # the resolved cmd as written, for the lock file
    deps: tuple[Dep, ...] = ()
    params: tuple[ParamsDep, ...] = ()
    outs: tuple[StageOut, ...] = ()
    frozen: bool = False
    always_changed: bool = False
    desc: str | None = None
    meta: Any = None
    where: Where | None = None

    @property
    def addressing(self) -> str:
        """How a user names the stage: ``train``, or ``sub/dvc.yaml:train`` outside the root."""
        from posixpath import basename, dirname

        if dirname(self.file) == "" and basename(self.file) in ("trail.yaml", "dvc.yaml"):
            return self.name
        return f"{self.file}:{self.name}"


@dataclass(frozen=True)
class Pipeline:
    """Every stage of one pipeline file, in file order, plus its top-level sections as read."""

    file: str
    stages: dict[str, Stage]
    top: dict[str, Any] = field(default_factory=dict)  # params, metrics, plots, artifacts …
