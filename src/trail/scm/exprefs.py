"""Experiment names ↔ Git refs, in DVC's layout: ``refs/exps/<baseline[:2]>/<baseline[2:]>/<name>``.
Git access, so they live in ``scm``, below both ``ops`` and ``experiments``, which read them.

trail keeps each experiment's environment and logs in a metadata commit named the same way
under ``refs/trail-exps/`` (DVC never looks there), whose parent is the experiment's commit.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from trail.errors import TrailError
from trail.scm.git import Git
from trail.scm.refs import Ref, list_refs
from trail.scm.remote import ls_remote

EXPS = "refs/exps"
META = "refs/trail-exps"
# files of the metadata commit beside each experiment (``record``)
ENV_FILE = "env.json"
RUN_FILE = "run.json"
_HEX = frozenset(string.hexdigits.lower())


class ExperimentError(TrailError):
    """Base of experiment errors."""


class UnknownExperimentError(ExperimentError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"unknown experiment '{name}' (see `trail exp list -A`)")


class AmbiguousExperimentError(ExperimentError):
    def __init__(self, name: str, baselines: Sequence[str]) -> None:
        self.name, self.baselines = name, tuple(baselines)
        shown = ", ".join(b[:7] for b in self.baselines)
        super().__init__(
            f"experiment name '{name}' is used under several baselines ({shown}): "
            f"give its full ref, refs/exps/…/{name}"
        )


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and set(text) <= _HEX


@dataclass(frozen=True, slots=True, order=True)
class ExpRef:
    """An experiment's address: the commit it started from and its name."""

    baseline: str
    name: str

    def _under(self, namespace: str) -> str:
        return f"{namespace}/{self.baseline[:2]}/{self.baseline[2:]}/{self.name}"

    @property
    def ref(self) -> str:
        return self._under(EXPS)

    @property
    def meta_ref(self) -> str:
        return self._under(META)

    def __str__(self) -> str:
        return self.ref

    @classmethod
    def parse(cls, ref: str, namespace: str = EXPS) -> ExpRef | None:
        """The experiment a ref names, or None for anything else (DVC's own bookkeeping refs
        such as ``refs/exps/exec/EXEC_HEAD`` or ``refs/exps/celery/stash`` included)."""
        prefix = namespace + "/"
        if not ref.startswith(prefix):
            return None
        parts = ref[len(prefix) :].split("/")
        if len(parts) != 3 or len(parts[0]) != 2 or not parts[2]:
            return None
        baseline = parts[0] + parts[1]
        return cls(baseline, parts[2]) if _is_sha(baseline) else None


@dataclass(frozen=True, slots=True)
class Experiment:
    """An experiment ref with the commit it names, that commit's tree and time."""

    ref: ExpRef
    sha: str
    tree: str
    time: int

    @property
    def name(self) -> str:
        return self.ref.name

    @property
    def baseline(self) -> str:
        return self.ref.baseline


def experiments(git: Git, baselines: Iterable[str] | None = None) -> list[Experiment]:
    """Every experiment (of ``baselines`` only, if given), newest first."""
    wanted = set(baselines) if baselines is not None else None
    found = []
    for ref in list_refs(git, EXPS + "/"):
        exp = _experiment(ref)
        if exp is not None and (wanted is None or exp.baseline in wanted):
            found.append(exp)
    found.sort(key=lambda e: (-e.time, e.name))
    return found


def _experiment(ref: Ref) -> Experiment | None:
    parsed = ExpRef.parse(ref.name)
    if parsed is None or not ref.tree:  # a ref to something other than a commit
        return None
    return Experiment(parsed, ref.sha, ref.tree, ref.time)


def meta_refs(git: Git) -> dict[ExpRef, Ref]:
    """Metadata commits by the experiment they describe."""
    found = {}
    for ref in list_refs(git, META + "/"):
        parsed = ExpRef.parse(ref.name, META)
        if parsed is not None:
            found[parsed] = ref
    return found


def remote_experiments(git: Git, remote: str) -> tuple[list[Experiment], set[ExpRef]]:
    """Experiments on a Git remote (commit ids only) and which have metadata refs there."""
    refs = ls_remote(git, remote, [f"{EXPS}/*", f"{META}/*"])
    found, metas = [], set()
    for name, sha in sorted(refs.items()):
        parsed = ExpRef.parse(name)
        if parsed is not None:
            found.append(Experiment(parsed, sha, "", 0))
        meta = ExpRef.parse(name, META)
        if meta is not None:
            metas.add(meta)
    return found, metas


def resolve(
    git: Git, name: str, head: str | None, known: list[Experiment] | None = None
) -> Experiment:
    """The experiment ``name`` means: a full ref, a name (one under the current baseline
    ``head`` wins when several baselines use it), or the start of an experiment's commit id."""
    known = experiments(git) if known is None else known
    if name.startswith(EXPS + "/"):
        match = [e for e in known if e.ref.ref == name]
    else:
        match = [e for e in known if e.name == name]
    if len(match) > 1:
        here = [e for e in match if e.baseline == head]
        if len(here) == 1:
            return here[0]
        raise AmbiguousExperimentError(name, [e.baseline for e in match])
    if match:
        return match[0]
    if len(name) >= 4 and set(name.lower()) <= _HEX:
        by_sha = [e for e in known if e.sha.startswith(name.lower())]
        if len({e.sha for e in by_sha}) == 1:
            return by_sha[0]
    raise UnknownExperimentError(name)
