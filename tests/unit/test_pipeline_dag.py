"""The stage graph: edges from outputs to deps, clashes, cycles, run order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trail.errors import PipelineError
from trail.pipeline.dag import ancestors, build_dag, descendants, downstream_order, run_order
from trail.pipeline.model import Dep, Stage, StageOut, Where


def _stage(name: str, deps: tuple[str, ...] = (), outs: tuple[str, ...] = ()) -> Stage:
    return Stage(
        name=name,
        file="dvc.yaml",
        wdir=".",
        cmd=("true",),
        raw_cmd="true",
        deps=tuple(Dep(d, d) for d in deps),
        outs=tuple(StageOut(o, o) for o in outs),
        where=Where("dvc.yaml", 3),
    )


def test_edges_follow_outputs_into_and_out_of_directories() -> None:
    dag = build_dag(
        [
            _stage("prep", ("raw",), ("data/prep",)),
            _stage("feat", ("data/prep/a.csv",), ("feat",)),  # a file inside an out dir
            _stage("train", ("data", "feat"), ("model",)),  # a dir holding an out
            _stage("eval", ("model",), ("m.json",)),
            _stage("alone"),
        ]
    )
    assert dag.preds == {
        "prep": [],
        "feat": ["prep"],
        "train": ["prep", "feat"],
        "eval": ["train"],
        "alone": [],
    }
    assert ancestors(dag, "eval") == {"train", "feat", "prep"}
    assert descendants(dag, "feat") == {"train", "eval"}
    assert run_order(dag) == ["prep", "feat", "train", "eval", "alone"]
    assert run_order(dag, ["eval"]) == ["prep", "feat", "train", "eval"]
    assert downstream_order(dag, ["feat"]) == ["feat", "train", "eval"]
    assert next(iter(dag.sorter().static_order())) in ("prep", "alone")


def test_run_order_is_depth_first_in_file_order() -> None:
    dag = build_dag(
        [
            _stage("last", ("b", "a"), ("z",)),
            _stage("makes_a", (), ("a",)),
            _stage("makes_b", (), ("b",)),
        ]
    )
    assert run_order(dag) == ["makes_b", "makes_a", "last"]


def test_same_output_in_two_stages() -> None:
    with pytest.raises(PipelineError) as exc:
        build_dag([_stage("a", outs=("x",)), _stage("b", outs=("x",))])
    assert str(exc.value) == (
        "dvc.yaml:3, stage 'b': output 'x' is also written by stage 'a': "
        "an output can have only one stage"
    )


def test_output_inside_another() -> None:
    with pytest.raises(PipelineError, match="output 'd/sub/x' is inside output 'd' of stage 'a'"):
        build_dag([_stage("a", outs=("d",)), _stage("b", outs=("d-1", "d/sub/x"))])


def test_cycle_names_its_stages() -> None:
    with pytest.raises(PipelineError) as exc:
        build_dag(
            [
                _stage("a", ("z",), ("x",)),
                _stage("b", ("x",), ("y",)),
                _stage("c", ("y",), ("z",)),
                _stage("d", ("x",)),
            ]
        )
    message = str(exc.value)
    assert "the pipeline has a cycle" in message
    assert all(f"{n} ->" in message or f"-> {n}" in message for n in "abc")
    assert "d" not in message.split("cycle:")[1]


@st.composite
def _acyclic(draw: st.DrawFn) -> list[Stage]:
    """Stages s0..sN where each may read outputs of lower-numbered ones, in a shuffled file."""
    n = draw(st.integers(min_value=1, max_value=12))
    stages = []
    for i in range(n):
        reads = draw(st.sets(st.integers(min_value=0, max_value=max(i - 1, 0)), max_size=3))
        deps = tuple(f"o{j}" for j in sorted(reads) if j < i)
        stages.append(_stage(f"s{i}", deps, (f"o{i}",)))
    return draw(st.permutations(stages))


@given(_acyclic())
def test_run_order_is_a_topological_order(stages: list[Stage]) -> None:
    dag = build_dag(stages)
    order = run_order(dag)
    assert sorted(order) == sorted(s.name for s in stages)
    seen: set[str] = set()
    for name in order:
        assert set(dag.preds[name]) <= seen
        seen.add(name)
    target = stages[0].name
    assert set(run_order(dag, [target])) == ancestors(dag, target) | {target}
