"""Loading pipeline files: stages, paths, params, outs, generated names, file:line errors."""

from __future__ import annotations

import pathlib

import pytest

from trail.errors import PipelineError
from trail.pipeline.load import find_pipeline_files, load_pipeline, load_pipelines
from trail.pipeline.model import OutKind


def _load(tmp_path: pathlib.Path, text: str, files: dict[str, str] | None = None) -> dict:
    for name, content in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    (tmp_path / "dvc.yaml").write_text(text)
    return load_pipeline(str(tmp_path), "dvc.yaml").stages


def test_plain_stage(tmp_path: pathlib.Path) -> None:
    stages = _load(
        tmp_path,
        """\
stages:
  train:
    cmd: python train.py
    wdir: src
    deps: [train.py, ../data]
    params: [lr, {cfg.json: [a, b]}, {all.toml: null}]
    outs:
      - model.pkl
      - logs:
          cache: false
          persist: true
          desc: run logs
    metrics: [{m.json: {cache: false}}]
    plots:
      - p.csv: {x: step, y: loss, template: linear}
    frozen: true
    desc: trains
""",
    )
    s = stages["train"]
    assert s.wdir == "src" and s.cmd == ("python train.py",) and s.raw_cmd == "python train.py"
    assert [(d.declared, d.path) for d in s.deps] == [
        ("train.py", "src/train.py"),
        ("../data", "data"),
    ]
    assert [(p.declared, p.path, p.keys) for p in s.params] == [
        ("params.yaml", "src/params.yaml", ("lr",)),
        ("cfg.json", "src/cfg.json", ("a", "b")),
        ("all.toml", "src/all.toml", None),
    ]
    outs = {o.declared: o for o in s.outs}
    assert outs["model.pkl"].path == "src/model.pkl" and outs["model.pkl"].cache
    assert (
        not outs["logs"].cache
        and outs["logs"].persist
        and outs["logs"].options == {"desc": "run logs"}
    )
    assert outs["m.json"].kind is OutKind.METRIC and not outs["m.json"].cache
    assert outs["p.csv"].kind is OutKind.PLOT and outs["p.csv"].options["template"] == "linear"
    assert s.frozen and s.desc == "trains" and s.where is not None and s.where.line == 2


def test_cmd_forms(tmp_path: pathlib.Path) -> None:
    stages = _load(
        tmp_path,
        "stages:\n  a:\n    cmd: |\n      echo 1\n      echo 2\n  b:\n    cmd: [echo 3, echo 4]\n",
    )
    assert stages["a"].cmd == ("echo 1", "echo 2") and stages["a"].raw_cmd == "echo 1\necho 2\n"
    assert stages["b"].cmd == ("echo 3", "echo 4") and stages["b"].raw_cmd == ["echo 3", "echo 4"]
    stages = _load(
        tmp_path, "stages:\n  c:\n    cmd: |\n      python x.py \\\n        --y 1\n      echo 5\n"
    )
    assert stages["c"].cmd == ("python x.py \\\n  --y 1", "echo 5")


def test_templating_and_generated_names(tmp_path: pathlib.Path) -> None:
    stages = _load(
        tmp_path,
        """\
vars:
  - extra.yaml:size
  - name: fixed
stages:
  t:
    cmd: run ${lr} ${train} ${size} ${name}
  each:
    foreach: ${models}
    do:
      cmd: echo ${item}
      outs:
        - ${item}.txt
  bydict:
    foreach:
      us: 1
      eu: 2
    do:
      cmd: echo ${key} ${item}
  dicts:
    foreach:
      - {a: 1}
      - {a: 2}
    do:
      cmd: echo ${item.a}
  grid:
    matrix:
      lr: [0.1, 0.2]
      flag: [true, false]
      m: [[1], {a: 1}]
    cmd: echo ${item.lr} ${item.flag}
""",
        {
            "params.yaml": "lr: 0.5\nmodels: [x, y]\ntrain: {epochs: 2, fast: true, name: a b}\n",
            "extra.yaml": "size: 3\nother: 1\n",
        },
    )
    assert stages["t"].cmd == ("run 0.5 --epochs 2 --fast --name 'a b' 3 fixed",)
    assert stages["each@x"].outs[0].path == "x.txt"
    assert stages["bydict@eu"].cmd == ("echo eu 2",)
    assert stages["dicts@1"].cmd == ("echo 2",)
    names = [n for n in stages if n.startswith("grid@")]
    assert names[:3] == ["grid@0.1-true-m0", "grid@0.1-true-m1", "grid@0.1-false-m0"]
    assert len(names) == 8 and stages["grid@0.2-false-m1"].cmd == ("echo 0.2 false",)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("stages:\n  a:\n    cmd: x\n    outz: [y]\n", 4, ["unknown key 'outz'", "stage 'a'"]),
        ("stages:\n  a:\n    cmd: x\n    frozen: yes please\n", 4, ["'frozen' must be a boolean"]),
        ("stages:\n  a:\n    deps: [x]\n", 2, ["missing required key 'cmd'"]),
        ("stages:\n  a:\n    cmd: echo ${nope.x}\n", 3, ["could not find 'nope.x'", "stage 'a'"]),
        ("stagez: {}\n", 1, ["unknown key 'stagez'"]),
        ("stages:\n  a:\n    cmd: x\n    outs:\n      - ../out\n", 5, ["outside the repository"]),
        ("stages:\n  a:\n    cmd: x\n    outs:\n      - o: {cache: 1}\n", 5, ["must be a boolean"]),
        ("stages:\n  a:\n    foreach: [1]\n    do:\n      cmd: ${item.x}\n", 5, ["stage 'a@1'"]),
        ("- 1\n", 1, ["must be a mapping"]),
        ("stages:\n  a@b:\n    cmd: x\n", 2, ["stage 'a@b'", "cannot contain '@'"]),
    ],
)
def test_errors_name_file_line_stage(
    tmp_path: pathlib.Path, text: str, line: int, words: list[str]
) -> None:
    with pytest.raises(PipelineError) as exc:
        _load(tmp_path, text)
    assert str(exc.value).startswith(f"dvc.yaml:{line}")
    for word in words:
        assert word in str(exc.value)


def test_yaml_syntax_error_names_line(tmp_path: pathlib.Path) -> None:
    from trail.yamlio import YamlError

    with pytest.raises(YamlError, match=r"dvc.yaml:4: invalid YAML.*line 3"):
        _load(tmp_path, "stages:\n  a:\n    cmd: [x\n")


def test_empty_file_has_no_stages(tmp_path: pathlib.Path) -> None:
    assert _load(tmp_path, "") == {}


def test_find_skips_outputs_and_ignored(tmp_path: pathlib.Path) -> None:
    from trail.dialect import DVC
    from trail.repo import Repo

    (tmp_path / ".dvc").mkdir()
    for rel in ("dvc.yaml", "sub/dvc.yaml", "ign/dvc.yaml", "data/dvc.yaml", "out/dvc.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("stages:\n  s:\n    cmd: x\n    outs: [x]\n")
    (tmp_path / "dvc.yaml").write_text("stages:\n  s:\n    cmd: x\n    outs: [out]\n")
    (tmp_path / "data.dvc").write_text("outs:\n- path: data\n")
    (tmp_path / ".dvcignore").write_text("ign\n")
    repo = Repo(str(tmp_path), DVC)
    assert find_pipeline_files(repo) == ["dvc.yaml", "out/dvc.yaml", "sub/dvc.yaml"]
    pipelines = load_pipelines(repo)
    assert [p.file for p in pipelines] == ["dvc.yaml", "sub/dvc.yaml"]
    assert pipelines[1].stages["s"].addressing == "sub/dvc.yaml:s"


def test_vars_errors_point_at_the_entry(tmp_path: pathlib.Path) -> None:
    files = {"params.yaml": "lr: 1\n", "v.yaml": "lr: 2\n"}
    with pytest.raises(PipelineError) as exc:
        _load(tmp_path, "vars:\n  - x: 1\n  - v.yaml\nstages: {}\n", files)
    assert str(exc.value) == "dvc.yaml:3: cannot redefine 'lr' from 'v.yaml'"
    with pytest.raises(PipelineError) as exc:
        _load(tmp_path, "stages:\n  a:\n    vars:\n      - lr: 3\n    cmd: x\n", files)
    assert str(exc.value) == "dvc.yaml:4, stage 'a': cannot redefine 'lr' from 'inline vars'"


def test_stage_output_directories_are_not_searched(tmp_path: pathlib.Path) -> None:
    from trail.dialect import DVC
    from trail.repo import Repo

    (tmp_path / ".dvc").mkdir()
    (tmp_path / "dvc.yaml").write_text("stages:\n  s:\n    cmd: x\n    outs: [gen/data]\n")
    (tmp_path / "gen/data/deep").mkdir(parents=True)
    (tmp_path / "gen/data/deep/dvc.yaml").write_text("stages:\n  t:\n    cmd: x\n")
    (tmp_path / "gen/other").mkdir(parents=True)
    (tmp_path / "gen/other/dvc.yaml").write_text("stages:\n  u:\n    cmd: x\n")
    files = [p.file for p in load_pipelines(Repo(str(tmp_path), DVC))]
    assert files == ["dvc.yaml", "gen/other/dvc.yaml"]


def test_a_whole_vars_file_named_again_is_loaded_once(tmp_path: pathlib.Path) -> None:
    files = {"params.yaml": "lr: 1\n", "w.yaml": "q: 5\n"}
    stages = _load(
        tmp_path,
        "vars:\n  - ./params.yaml\n  - w.yaml\nstages:\n  a:\n    vars: [w.yaml, params.yaml]\n"
        "    cmd: echo ${lr} ${q}\n",
        files,
    )
    assert stages["a"].cmd == ("echo 1 5",)
    with pytest.raises(PipelineError, match=r"'params\.yaml' is already loaded"):
        _load(tmp_path, "vars:\n  - params.yaml:lr\nstages: {}\n", files)
