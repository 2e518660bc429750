"""The pipeline schema: what DVC 3.67 accepts passes, anything else names file:line and key."""

from __future__ import annotations

import pytest

from trail.errors import PipelineError
from trail.pipeline.schema import validate
from trail.yamlio import load_with_nodes

EVERYTHING = """\
vars:
  - params.yaml
  - {inline: 1}
params: [extra.yaml]
metrics: [summary.json]
plots:
  - roc.csv
  - curves:
      x: step
      y: {train.csv: [loss, acc], test.csv: loss}
      x_label: step
      y_label: value
      title: Curves
      template: linear
  - bare:
artifacts:
  model:
    path: model.pkl
    type: model
    desc: the model
    labels: [a, b]
    meta: {any: thing}
datasets:
  - name: ds
    type: dvc
    url: x
stages:
  full:
    cmd: [a, b]
    wdir: sub
    deps: [x]
    params: [lr, {cfg.json: [a]}, {all.toml: null}]
    vars: [v.yaml, {k: 1}]
    frozen: false
    always_changed: true
    desc: text
    meta: {anything: [1, 2]}
    outs:
      - o
      - o2: {cache: false, persist: true, checkpoint: false, remote: r, push: false,
             desc: d, type: t, labels: [l], meta: {m: 1}}
    metrics:
      - m.json: {cache: false}
    plots:
      - p.csv: {x: a, y: b, x_label: A, y_label: B, title: T, template: smooth, header: true}
  grid:
    matrix:
      lr: [1, 2]
      model: ${models}
    cmd: echo
  each:
    foreach: ${items}
    do:
      cmd: echo ${item}
"""


def _validate(text: str) -> None:
    data, node = load_with_nodes(text, "dvc.yaml", core=True)
    validate(data, node, "dvc.yaml")


def test_everything_dvc_accepts_passes() -> None:
    # checked by hand with `dvc stage list` (dvc 3.67.1) on this very file
    _validate(EVERYTHING)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo: 1\n", "dvc.yaml:1: unknown key 'foo'"),
        ("stages:\n  a:\n    cmd: x\n    outs:\n      - o: {cach: false}\n",
         "dvc.yaml:5, stage 'a': unknown key 'cach'"),
        ("stages:\n  a:\n    cmd: x\n    deps: [{a: b}]\n",
         "dvc.yaml:4, stage 'a': 'deps.0' must be a string, not a mapping"),
        ("stages:\n  a:\n    cmd: 3\n", "dvc.yaml:3, stage 'a': 'cmd' must be a string or a list"),
        ("stages:\n  a:\n    cmd: x\n    outs: o\n",
         "dvc.yaml:4, stage 'a': 'outs' must be a list"),
        ("stages:\n  a:\n    cmd: x\n    plots:\n      - p: {header: 1}\n",
         "dvc.yaml:5, stage 'a': 'plots.0.p.header' must be a boolean"),
        ("stages:\n  a:\n    foreach: [1]\n", "dvc.yaml:2, stage 'a': missing required key 'do'"),
        ("stages:\n  a:\n    foreach: [1]\n    do: {cmd: x}\n    cmd: y\n",
         "dvc.yaml:5, stage 'a': unknown key 'cmd'"),
        ("stages:\n  a:\n    foreach: [1]\n    matrix: {x: [1]}\n    do: {cmd: x}\n",
         "dvc.yaml:4, stage 'a': 'matrix' cannot be used together with 'foreach'"),
        ("stages:\n  a:\n    matrix: {x: 1}\n    cmd: x\n",
         "dvc.yaml:3, stage 'a': 'matrix.x' must be a string or a list"),
        ("artifacts:\n  m: {type: model}\n", "dvc.yaml:2: missing required key 'path'"),
        ("stages:\n  a: null\n", "dvc.yaml:2, stage 'a': must be a mapping, not null"),
        ("plots:\n  - p: {x: 1}\n", "dvc.yaml:2: 'plots.0.p.x' must be a string or a mapping"),
    ],
)  # fmt: skip
def test_errors(text: str, message: str) -> None:
    with pytest.raises(PipelineError) as exc:
        _validate(text)
    assert str(exc.value).startswith(message)
