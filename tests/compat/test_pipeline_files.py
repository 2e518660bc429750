"""Pipeline files read and written alike by trail and the real dvc 3.67.1.

The same ``dvc.yaml`` must name the same stages in the same order (``stage list``), resolve to
the same commands in the same run order (``dvc repro --dry`` against trail's loader and DAG), and
``stage add`` must write the same bytes.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from trail.pipeline.dag import build_dag, run_order
from trail.pipeline.load import load_pipelines
from trail.repo import Repo

FILES = {
    "params.yaml": (
        "lr: 1e-3\nopt: yes\nseed: 010\nmodels: [small, big]\n"
        "regions: {us: 1, eu: 2}\ntrain: {epochs: 3, fast: true, slow: false, tags: [a, b c]}\n"
    ),
    "cfg.json": '{"batch": 32, "nested": {"k": "v w"}}',
    "cfg.toml": "dropout = 0.5\n[net]\nwidth = 64\n",
    "cfg.py": "GAMMA = 0.9\n\nclass Net:\n    depth = 4\n",
    "extra.yaml": "size: 7\nunused: 1\n",
}

PIPELINE = """\
vars:
  - cfg.json
  - cfg.toml
  - cfg.py
  - extra.yaml:size
  - inline: {word: hi}
stages:
  prep:
    cmd: echo ${lr} ${opt} ${seed} ${batch} ${nested.k} ${dropout} ${net.width} ${GAMMA}
    params: [lr, {cfg.json: [batch]}, {cfg.toml: null}, {cfg.py: [Net.depth]}]
    outs: [prep.txt]
  flags:
    cmd: echo ${train} ${Net} ${inline.word} ${size} \\${escaped}
    deps: [prep.txt]
    outs: [flags.txt]
  per_model:
    foreach: ${models}
    do:
      cmd: echo ${item} > ${item}.txt
      deps: [flags.txt]
      outs:
        - ${item}.txt
  per_region:
    foreach: ${regions}
    do:
      cmd: echo ${key} ${item}
  per_dict:
    foreach:
      - {name: a, n: 1}
      - {name: b, n: 2}
    do:
      cmd: echo ${item.name} ${item.n}
  grid:
    matrix:
      lr: [0.1, 0.01]
      flag: [true, false]
      arch: [[1, 2], {w: 3}]
      name: ${models}
    cmd: echo ${item.lr} ${item.flag} ${item.name}
  last:
    cmd: cat small.txt big.txt
    deps: [small.txt, big.txt]
    outs: [last.txt]
"""


@pytest.fixture
def sample(dvc_repo: Any) -> Any:
    dvc_repo.gen({**FILES, "dvc.yaml": PIPELINE})
    return dvc_repo


def _dry_run(dvc: Any) -> list[tuple[str, str]]:
    """``(stage, command)`` in the order ``dvc repro --dry`` would run them."""
    out = dvc("repro", "--dry", "--force").out.splitlines()
    runs: list[tuple[str, str]] = []
    for line in out:
        if line.startswith("Running stage '"):
            runs.append((line.split("'")[1], ""))
        elif line.startswith("> ") and runs:
            name, cmd = runs[-1]
            runs[-1] = (name, (cmd + "\n" if cmd else "") + line[2:])
    return runs


def test_stage_names_and_order_match_dvc(sample: Any, dvc: Any, trail: Any) -> None:
    expected = dvc("stage", "list", "--all", "--name-only").out.split()
    assert "grid@0.1-true-arch0-small" in expected
    res = trail("stage", "list", "--all", "--name-only")
    assert res.code == 0, res.err
    assert res.out.split() == expected
    assert trail("stage", "list").out == dvc("stage", "list").out


def test_commands_and_run_order_match_dvc(sample: Any, dvc: Any) -> None:
    expected = _dry_run(dvc)
    repo = Repo.find(os.getcwd())
    stages = [s for p in load_pipelines(repo) for s in p.stages.values()]
    dag = build_dag(stages)
    got = [(n, "\n".join(dag.stages[n].cmd)) for n in run_order(dag)]
    assert got == expected


def test_stages_in_subdirectories_and_pointer_files(sample: Any, dvc: Any, trail: Any) -> None:
    sample.gen({"sub/dvc.yaml": "stages:\n  s:\n    cmd: echo sub\n", "sub/params.yaml": "x: 1\n"})
    sample.gen({"raw": "r", "zsub/q": "q"})
    dvc("add", "-q", "raw", "zsub/q")
    for args in (["--all"], ["raw.dvc", "per_model"], ["sub/dvc.yaml"]):
        res = trail("stage", "list", *args)
        assert res.code == 0, res.err
        assert res.out == dvc("stage", "list", *args).out
    os.chdir("sub")
    for args in ([], ["--all"], ["../dvc.yaml:prep", "../raw.dvc"]):
        assert trail("stage", "list", *args).out == dvc("stage", "list", *args).out


ADDS = [
    ["-n", "first", "-d", "b.py", "-d", "a.py", "-p", "lr", "-p", "cfg.json:b,a", "-p", "z.toml:",
     "-o", "out", "-O", "nocache", "-m", "m.json", "-M", "m2.json", "--plots", "p.csv",
     "--plots-no-cache", "p2.csv", "--desc", "the first", "--always-changed",
     "python", "a.py", "--x", "a b", 'say "hi"', ""],
    ["-n", "second", "-w", "sub", "-d", "../out", "-o", "model", "echo", "2"],
    ["-n", "3", "-o", "x y", "--outs-persist", "keep", "--outs-persist-no-cache", "keep2",
     "echo 3"],
    ["-f", "-n", "first", "-o", "out", "-o", "other", "--desc", "ignored", "echo", "again"],
    ["-f", "-n", "zero", "-O", "z0", "-o", "z1", "echo", "0"],
]  # fmt: skip


def test_stage_add_writes_the_same_bytes(tmp_path: Any, dvc: Any, trail: Any) -> None:
    text = (
        "# my pipeline\nstages:\n  # kept\n  zero:   # inline\n    cmd: echo 0\n"
        "    desc: old\n    meta: {owner: me}\n    outs:\n    - z0:\n        desc: a file\n"
        "        remote: store\n        push: false\n        persist: true\n"
    )
    made = {}
    for tool in ("dvc", "trail"):
        repo = tmp_path / tool
        (repo / "sub").mkdir(parents=True)
        (repo / "dvc.yaml").write_text(text)
        os.chdir(repo)
        dvc("init", "--no-scm", "-q")
        for args in ADDS:
            res = dvc("stage", "add", *args) if tool == "dvc" else trail("stage", "add", *args)
            assert res.code == 0, res.err
        made[tool] = (repo / "dvc.yaml").read_text()
    assert made["trail"] == made["dvc"]
    assert "# kept" in made["trail"] and "desc: the first" in made["trail"]


REORDERED = """\
stages:
  last:
    cmd: echo last
    deps: [zz, c, b]
  makes_b:
    cmd: echo b
    deps: [c]
    outs: [b]
  makes_zz:
    cmd: echo zz
    outs: [zz]
  makes_c:
    cmd: echo c
    outs: [c]
  free:
    cmd: echo free
  last2:
    cmd: echo last2
    deps: [c, b]
"""


def test_run_order_when_the_file_lists_consumers_first(dvc_repo: Any, dvc: Any) -> None:
    dvc_repo.gen({"dvc.yaml": REORDERED})
    expected = [name for name, _ in _dry_run(dvc)]
    dag = build_dag(load_pipelines(Repo.find(os.getcwd()))[0].stages.values())
    assert run_order(dag) == expected == ["makes_zz", "makes_c", "makes_b", "last", "free", "last2"]


GRAPH = """\
stages:
  prepare:
    cmd: echo
    deps: [raw]
    outs: [data/prep]
  featurize:
    cmd: echo
    deps: [data/prep]
    outs: [feat, feat2]
  train:
    cmd: echo
    deps: [feat, data/prep]
    outs: [model]
  evaluate:
    cmd: echo
    deps: [model, feat2]
    metrics: [m.json]
  other:
    cmd: echo
    outs: [zz]
  each:
    foreach: [a, b]
    do:
      cmd: echo
      deps: [zz]
      outs:
      - ${item}
"""


@pytest.mark.parametrize(
    "args",
    [["--dot"], ["--mermaid"], ["--md"], ["--dot", "--outs"], ["--mermaid", "--outs"],
     ["--dot", "train"], ["--dot", "--full", "train"], ["--dot", "--outs", "train"],
     ["--mermaid", "each@a"], ["--dot", "raw.dvc"], ["--dot", "model"],
     ["--mermaid", "--collapse-foreach-matrix"]],
)  # fmt: skip
def test_dag_prints_what_dvc_prints(dvc_repo: Any, dvc: Any, trail: Any, args: list[str]) -> None:
    dvc_repo.gen({"dvc.yaml": GRAPH, "raw": "r", "dd": "d", "sub/dvc.yaml": SUB, "zsub/q": "q"})
    dvc("add", "-q", "raw", "dd", "zsub/q")
    res = trail("dag", *args)
    assert res.code == 0, res.err
    assert res.out == dvc("dag", *args).out


SUB = "stages:\n  s:\n    cmd: x\n    deps: [../model]\n    outs: [o]\n"


def test_every_key_dvc_accepts_is_accepted(dvc_repo: Any, dvc: Any, trail: Any) -> None:
    import pathlib
    import runpy

    unit = pathlib.Path(__file__).parents[1] / "unit" / "test_pipeline_schema.py"
    everything = runpy.run_path(str(unit))["EVERYTHING"]
    dvc_repo.gen(
        {"dvc.yaml": everything, "params.yaml": "models: [a, b]\nitems: [x]\n", "sub/v.yaml": ""}
    )
    res = trail("stage", "list")
    assert res.code == 0, res.err
    assert res.out == dvc("stage", "list").out
