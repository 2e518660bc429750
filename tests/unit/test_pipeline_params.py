"""Params files of every kind, YAML 1.2 scalars as DVC reads them, dotted keys."""

from __future__ import annotations

import pathlib

import pytest

from trail.errors import PipelineError
from trail.pipeline.params import MISSING, flatten, lookup, parse_params, read_params, select

PY = """\
import os
LR = 0.1
EPOCHS: int = 3
NAME = "net"
COMPUTED = os.getcwd()

class Train:
    batch = 32
    layers = [1, 2]

    def __init__(self):
        self.dropout = 0.5
        self.other = len([])
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("p.yaml", "lr: 0.1\ntrain:\n  epochs: 3\n"),
        ("p.yml", "lr: 0.1\ntrain: {epochs: 3}\n"),
        ("p.json", '{"lr": 0.1, "train": {"epochs": 3}}'),
        ("p.toml", "lr = 0.1\n[train]\nepochs = 3\n"),
        ("p.weird", "lr: 0.1\ntrain: {epochs: 3}\n"),
    ],
)
def test_each_format(name: str, text: str) -> None:
    assert parse_params(text, name) == {"lr": 0.1, "train": {"epochs": 3}}


def test_python_params() -> None:
    assert parse_params(PY, "params.py") == {
        "LR": 0.1,
        "EPOCHS": 3,
        "NAME": "net",
        "Train": {"batch": 32, "layers": [1, 2], "dropout": 0.5},
    }


def test_yaml_reads_scalars_as_yaml_1_2() -> None:
    data = parse_params("a: 1e-3\nb: yes\nc: 010\nd: 1_000\ne: on\nf: true\n", "params.yaml")
    assert data == {"a": 0.001, "b": "yes", "c": 10, "d": 1000, "e": "on", "f": True}


def test_lookup_and_select() -> None:
    data = {"a": {"b": [10, {"c": 1}]}, "x.y": 2}
    assert lookup(data, "a.b.1.c") == 1
    assert lookup(data, "x.y") == 2
    assert lookup(data, "a.nope") is MISSING
    assert select(data, ["a.b.0", "zz"]) == ({"a.b.0": 10}, ["zz"])
    assert flatten({"a": {"b": 1, "c": {"d": [1]}}, "e": {}}) == {"a.b": 1, "a.c.d": [1], "e": {}}


def test_missing_and_broken_files(tmp_path: pathlib.Path) -> None:
    with pytest.raises(PipelineError, match=r"stage 'train': params file 'p\.yaml' does not exist"):
        read_params(str(tmp_path / "p.yaml"), "p.yaml", stage="train")
    (tmp_path / "p.json").write_text("{broken")
    with pytest.raises(PipelineError, match=r"cannot read params file 'p\.json': JSONDecodeError"):
        read_params(str(tmp_path / "p.json"), "p.json")
    with pytest.raises(PipelineError, match=r"cannot read params file 'p.py:1'"):
        parse_params("def (:\n", "p.py")
    with pytest.raises(PipelineError, match=r"p.toml"):
        parse_params("= 1\n", "p.toml")
