"""``stage add``, ``stage list`` and ``dag`` through the real entry point."""

from __future__ import annotations

from typing import Any

import pytest

PIPELINE = """\
stages:
  prepare:
    cmd: python prep.py
    deps: [raw]
    outs: [data/prep]
  featurize:
    cmd: python feat.py
    deps: [data/prep]
    outs: [feat, feat2]
  train:
    desc: "Trains the model\\nwith care"
    cmd: python train.py
    deps: [feat, data/prep]
    outs: [model]
  evaluate:
    cmd: python eval.py
    deps: [model, feat2]
    metrics: [m.json]
    plots: [p.csv]
  other:
    cmd: echo
"""


@pytest.fixture
def pipeline_repo(trail_repo: Any) -> Any:
    trail_repo.gen({"trail.yaml": PIPELINE})
    return trail_repo


def test_stage_add_writes_the_stage_keeping_comments(trail_repo: Any, trail: Any) -> None:
    trail_repo.gen({"trail.yaml": "# my pipeline\nstages:\n  a:  # first\n    cmd: echo a\n"})
    res = trail(
        "stage", "add", "-n", "b", "-d", "in", "-p", "lr", "-p", "cfg.json:x,y", "-o", "out",
        "-M", "m.json", "--desc", "second", "python", "b.py", "--x", "a b",
    )  # fmt: skip
    assert res.code == 0, res.err
    assert "Added stage 'b' in 'trail.yaml'" in res.out
    assert (trail_repo / "trail.yaml").read_text() == (
        "# my pipeline\nstages:\n  a:  # first\n    cmd: echo a\n"
        '  b:\n    desc: second\n    cmd: python b.py --x "a b"\n    deps:\n    - in\n'
        "    params:\n    - lr\n    - cfg.json:\n      - x\n      - y\n    outs:\n    - out\n"
        "    metrics:\n    - m.json:\n        cache: false\n"
    )
    assert "/out" in (trail_repo / ".gitignore").read_text().splitlines()


def test_stage_add_to_a_broken_file_says_where(trail_repo: Any, trail: Any) -> None:
    trail_repo.gen({"trail.yaml": "stages:\n  a:\n    cmd: [x\n"})
    res = trail("stage", "add", "-n", "b", "echo")
    assert res.code == 1 and res.err.startswith("ERROR: trail.yaml:4: invalid YAML")
    assert (trail_repo / "trail.yaml").read_text() == "stages:\n  a:\n    cmd: [x\n"


def test_stage_add_run_runs_the_stage(trail_repo: Any, trail: Any) -> None:
    res = trail("stage", "add", "-n", "hello", "-o", "out.txt", "--run", "echo hi > out.txt")
    assert res.code == 0, res.err
    assert (trail_repo / "out.txt").read_text() == "hi\n"
    assert "hello:" in (trail_repo / "trail.lock").read_text()


def test_stage_add_refuses_existing_name_unless_forced(trail_repo: Any, trail: Any) -> None:
    assert trail("stage", "add", "-n", "a", "echo", "1").code == 0
    before = (trail_repo / "trail.yaml").read_text()
    res = trail("stage", "add", "-n", "a", "echo", "2")
    assert res.err == ("ERROR: stage 'a' already exists in 'trail.yaml' (use -f to overwrite it)\n")
    assert res.code == 1
    assert (trail_repo / "trail.yaml").read_text() == before
    assert trail("stage", "add", "-f", "-n", "a", "echo", "2").code == 0
    assert "cmd: echo 2" in (trail_repo / "trail.yaml").read_text()
    trail_repo.gen({"trail.yaml": "stages:\n  g:\n    foreach: [1]\n    do:\n      cmd: x\n"})
    res = trail("stage", "add", "-f", "-n", "g", "echo", "2")
    assert res.code == 1 and "stage 'g' uses foreach/matrix" in res.err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-n", "bad@name", "echo"], 2, "invalid stage name 'bad@name'"),
        (["-n", "a", "-w", "nowhere", "echo"], 2, "working directory 'nowhere'"),
        (["-n", "a", "-o", "x", "-O", "x", "echo"], 2, "output 'x' is given more than once"),
        (["-n", "b", "-o", "out", "echo"], 1, "output 'out' is also written by stage 'a'"),
        (["-n", "b", "-o", "out/sub", "echo"], 1, "is inside output 'out' of stage 'a'"),
        (["-n", "b"], 2, "needs a command"),
        (["-n", "b", "-o", "data", "echo"], 1, "output 'data' is already tracked by 'data.trail'"),
        (["-n", "b", "-o", "code.py", "echo"], 1, "output 'code.py' is tracked by Git"),
    ],
)
def test_stage_add_bad_input_changes_nothing(
    trail_repo: Any, trail: Any, args: list[str], code: int, message: str
) -> None:
    trail_repo.scm_gen({"code.py": "print()\n"}, commit="code")
    trail_repo.gen({"data": {"f": "x"}})
    assert trail("add", "data").code == 0
    assert trail("stage", "add", "-n", "a", "-o", "out", "echo").code == 0
    before = (trail_repo / "trail.yaml").read_text()
    res = trail("stage", "add", *args)
    assert res.code == code and message in res.err
    assert (trail_repo / "trail.yaml").read_text() == before


def test_stage_list(pipeline_repo: Any, trail: Any) -> None:
    pipeline_repo.gen({"sub/trail.yaml": "stages:\n  s:\n    cmd: x\n    outs: [o]\n"})
    res = trail("stage", "list")
    assert res.code == 0
    assert res.out.splitlines() == [
        "prepare    Outputs data/prep",
        "featurize  Outputs feat, feat2",
        "train      Trains the model",
        "evaluate   Reports m.json, p.csv",
        "other      No outputs or dependencies",
    ]
    names = trail("stage", "list", "--all", "--name-only").out.split()
    # by file path as dvc orders them, so "sub/trail.yaml" comes before "trail.yaml"
    assert names == ["sub/trail.yaml:s", "prepare", "featurize", "train", "evaluate", "other"]
    assert trail("stage", "list", "sub/trail.yaml").out.startswith("sub/trail.yaml:s  Outputs o")
    (pipeline_repo / "trail.yaml").unlink()
    res = trail("stage", "list")
    assert res.code == 1 and "no pipeline file 'trail.yaml' here (try --all)" in res.err


def test_dag_formats(pipeline_repo: Any, trail: Any) -> None:
    dot = trail("dag", "--dot").out
    assert dot.splitlines()[:3] == ["strict digraph {", '"prepare";', '"featurize";']
    assert '"prepare" -> "featurize";' in dot and '"train" -> "evaluate";' in dot
    assert trail("dag", "--mermaid").out.splitlines() == [
        "flowchart TD",
        '\tnode1["evaluate"]',
        '\tnode2["featurize"]',
        '\tnode3["prepare"]',
        '\tnode4["train"]',
        "\tnode2-->node1",
        "\tnode2-->node4",
        "\tnode3-->node2",
        "\tnode3-->node4",
        "\tnode4-->node1",
        '\tnode5["other"]',
    ]
    assert trail("dag", "--md").out.startswith("```mermaid\nflowchart TD\n")
    text = trail("dag").out
    assert "| prepare |" in text and "prepare, featurize --> train" in text
    only = trail("dag", "--dot", "train").out
    assert '"evaluate"' not in only and '"featurize" -> "train";' in only
    full = trail("dag", "--dot", "--full", "train").out
    assert '"evaluate"' in full and '"other"' not in full
    outs = trail("dag", "--outs", "--dot").out
    assert '"data/prep" -> "model";' in outs and '"feat2" -> "m.json";' in outs


def test_dag_reports_a_cycle(trail_repo: Any, trail: Any) -> None:
    trail_repo.gen(
        {"trail.yaml": "stages:\n  a:\n    cmd: x\n    deps: [b]\n    outs: [a]\n"
         "  b:\n    cmd: x\n    deps: [a]\n    outs: [b]\n"}
    )  # fmt: skip
    res = trail("dag")
    assert res.code == 1 and "trail.yaml:2, stage 'a': the pipeline has a cycle" in res.err
    assert "a -> b -> a" in res.err or "b -> a -> b" in res.err


def test_unknown_stage_target(pipeline_repo: Any, trail: Any) -> None:
    res = trail("dag", "nope")
    assert res.code == 1
    assert res.err == "ERROR: stage 'nope' not found in 'trail.yaml' (see `trail stage list`)\n"


BAD_FILES = [
    ("stages:\n  a:\n    cmd: x\n    outz: [y]\n", "trail.yaml:4, stage 'a': unknown key 'outz'"),
    ("stages:\n  a:\n    cmd: x\n    frozen: 1\n",
     "trail.yaml:4, stage 'a': 'frozen' must be a boolean"),
    ("stages:\n  a:\n    cmd: echo ${nope}\n", "trail.yaml:3, stage 'a': could not find 'nope'"),
    ("stages:\n  a:\n    cmd: x\n    outs: [o]\n  b:\n    cmd: y\n    outs: [o]\n",
     "trail.yaml:5, stage 'b': output 'o' is also written by stage 'a'"),
    ("stages:\n  a:\n    cmd: x\n    outs: [o]\n  b:\n    cmd: y\n    outs: [o/p]\n",
     "trail.yaml:5, stage 'b': output 'o/p' is inside output 'o' of stage 'a'"),
    ("stages:\n  a:\n    foreach: ${nope}\n    do:\n      cmd: x\n",
     "trail.yaml:3, stage 'a': could not find 'nope'"),
    ("vars:\n  - missing.yaml\nstages: {}\n",
     "trail.yaml:2: params file 'missing.yaml' does not exist"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_pipeline_files_name_file_line_and_stage(
    trail_repo: Any, trail: Any, text: str, message: str
) -> None:
    trail_repo.gen({"trail.yaml": text})
    res = trail("dag")
    assert res.code == 1
    assert res.err.startswith(f"ERROR: {message}") and len(res.err.splitlines()) == 1
    assert res.out == ""
    if "output" not in message:  # as in dvc, stage list does not check the graph
        assert trail("stage", "list").err.startswith(f"ERROR: {message}")
