"""The stage graph: which stage makes what another one reads, checked for clashes and cycles.

A stage depends on the stage whose output contains one of its dep paths (or lies inside a
directory it depends on). Stages are keyed by how a user names them (``Stage.addressing``). The
predecessor map is what ``graphlib.TopologicalSorter`` takes, for the parallel scheduler;
``run_order`` is the order DVC runs them in (depth-first post-order over file order), which also
orders new lock entries.
"""

from __future__ import annotations

import bisect
import graphlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from trail.errors import PipelineError
from trail.pipeline.model import Stage


@dataclass
class Dag:
    stages: dict[str, Stage]  # addressing → stage, in file order
    preds: dict[str, list[str]]  # addressing → the stages it depends on, in deps order
    producer: dict[str, str] = field(default_factory=dict)  # out path → addressing

    def succs(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {name: [] for name in self.stages}
        for name, preds in self.preds.items():
            for pred in preds:
                out[pred].append(name)
        return out

    def sorter(self) -> graphlib.TopologicalSorter[str]:
        """A fresh ``TopologicalSorter`` over the graph (for the parallel scheduler)."""
        return graphlib.TopologicalSorter({k: list(v) for k, v in self.preds.items()})


def _where(stage: Stage) -> str | None:
    return str(stage.where) if stage.where else stage.file


def _check_outs(stages: Iterable[Stage]) -> dict[str, str]:
    producer: dict[str, str] = {}
    owner: dict[str, Stage] = {}
    for stage in stages:
        for out in stage.outs:
            if out.path in producer:
                other = producer[out.path]
                raise PipelineError(
                    f"output '{out.path}' is also written by stage '{other}': "
                    "an output can have only one stage",
                    where=_where(stage),
                    stage=stage.addressing,
                )
            producer[out.path] = stage.addressing
            owner[out.path] = stage
    for cur in sorted(producer):
        prev = cur.rpartition("/")[0]
        while prev and prev not in producer:
            prev = prev.rpartition("/")[0]
        if prev:
            stage = owner[cur]
            raise PipelineError(
                f"output '{cur}' is inside output '{prev}' of stage '{producer[prev]}': "
                "outputs cannot overlap",
                where=_where(stage),
                stage=stage.addressing,
            )
    return producer


def _producers_of(dep: str, producer: dict[str, str], paths: list[str]) -> list[str]:
    found = []
    cur = dep
    while cur:  # an output that is the dep or a directory above it
        if cur in producer:
            found.append(producer[cur])
            break
        cur = cur.rpartition("/")[0]
    start = bisect.bisect_right(paths, dep + "/")
    for path in paths[start:]:  # outputs inside a directory the stage depends on
        if not path.startswith(dep + "/"):
            break
        found.append(producer[path])
    return found


def build_dag(stages: Iterable[Stage]) -> Dag:
    """The graph of ``stages``; raises ``PipelineError`` on a shared or nested out, or a cycle."""
    by_name = {s.addressing: s for s in stages}
    producer = _check_outs(by_name.values())
    paths = sorted(producer)
    preds: dict[str, list[str]] = {}
    for name, stage in by_name.items():
        mine: list[str] = []
        for dep in stage.deps:
            for pred in _producers_of(dep.path, producer, paths):
                if pred not in mine:
                    mine.append(pred)
        preds[name] = mine
    dag = Dag(by_name, preds, producer)
    _check_cycles(dag)
    return dag


def _check_cycles(dag: Dag) -> None:
    try:
        dag.sorter().prepare()
    except graphlib.CycleError as exc:
        cycle = list(reversed(exc.args[1]))
        stage = dag.stages[cycle[0]]
        raise PipelineError(
            f"the pipeline has a cycle: {' -> '.join(cycle)}", where=_where(stage), stage=cycle[0]
        ) from None


def ancestors(dag: Dag, name: str) -> set[str]:
    """Every stage ``name`` depends on, directly or not."""
    return _reach(dag.preds, name)


def descendants(dag: Dag, name: str) -> set[str]:
    """Every stage that depends on ``name``, directly or not."""
    return _reach(dag.succs(), name)


def _reach(edges: dict[str, list[str]], start: str) -> set[str]:
    seen: set[str] = set()
    stack = list(edges.get(start, ()))
    while stack:
        cur = stack.pop()
        if cur not in seen:
            seen.add(cur)
            stack.extend(edges.get(cur, ()))
    return seen


def run_order(dag: Dag, targets: Iterable[str] | None = None) -> list[str]:
    """Stages in the order DVC runs them: each after what it depends on, file order otherwise.

    With ``targets``, only those stages and their ancestors.
    """
    order: list[str] = []
    done: set[str] = set()
    for root in dag.stages if targets is None else targets:
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            cur, i = stack.pop()
            if cur in done:
                continue
            preds = dag.preds[cur]
            if i < len(preds):
                stack.append((cur, i + 1))
                if preds[i] not in done:
                    stack.append((preds[i], 0))
                continue
            done.add(cur)
            order.append(cur)
    return order


def downstream_order(dag: Dag, targets: Iterable[str]) -> list[str]:
    """``targets`` and every stage that depends on them, in run order."""
    wanted = set(targets)
    for name in list(wanted):
        wanted |= descendants(dag, name)
    return [name for name in run_order(dag) if name in wanted]
