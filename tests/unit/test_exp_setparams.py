"""``-S`` parsing, sweeps, and edits of yaml/json/toml/py params files that keep comments."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trail.experiments.editors import edit
from trail.experiments.errors import SetParamError
from trail.experiments.setparams import grid, parse_set, parse_value, split_sweep


def test_parse_forms():
    s = parse_set("train.lr=0.1")
    assert (s.file, s.key, s.op, s.values) == ("params.yaml", "train.lr", "set", (0.1,))
    s = parse_set("conf/p.json:model.layers=[1, 2]")
    assert (s.file, s.key, s.values) == ("conf/p.json", "model.layers", ([1, 2],))
    assert parse_set("+a.b=x").op == "add"
    assert parse_set("++a.b=1").op == "upsert"
    d = parse_set("~a.b")
    assert (d.op, d.values) == ("delete", ())
    assert parse_set("name=").values == ("",)
    assert parse_set("flag=true").values == (True,)
    assert parse_set("v=yes").values == ("yes",)  # YAML 1.2, as DVC reads it
    assert parse_set("v=1e-3").values == (0.001,)
    assert parse_set("v='3'").values == ("3",)


@pytest.mark.parametrize(
    ("spec", "why"),
    [("=1", "expected [file:]key=value"), ("a", "no '=' found"), (":a=1", "file name"),
     ("a..b=1", "expected"), ("v=[1, 2", "cannot read the value")],
)  # fmt: skip
def test_parse_errors(spec, why):
    with pytest.raises(SetParamError, match="-S ") as err:
        parse_set(spec)
    assert why in str(err.value)


def test_sweeps_split_on_top_level_commas_only():
    assert split_sweep("0.1,0.2, 0.3") == ["0.1", "0.2", "0.3"]
    assert split_sweep("[1,2],[3]") == ["[1,2]", "[3]"]
    assert split_sweep("'a,b'") == ["'a,b'"]
    runs = grid([parse_set("a=1,2"), parse_set("b=x,y,z"), parse_set("~c")])
    assert len(runs) == 6
    assert [(r[0].value, r[1].value) for r in runs][:2] == [(1, "x"), (1, "y")]
    assert all(r[2].op == "delete" for r in runs)


scalars = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
)


@given(scalars)
def test_values_read_back_as_json_wrote_them(value):
    # JSON is YAML: a value typed as its JSON text comes back as the same value
    parsed = parse_value("-S", json.dumps(value, ensure_ascii=False))
    if isinstance(value, float):
        assert isinstance(parsed, float) and math.isclose(parsed, value, rel_tol=0, abs_tol=0)
    else:
        assert parsed == value and type(parsed) is type(value)


YAML = b"# top comment\ntrain:\n  lr: 0.1  # learning rate\n  layers: [1, 2]\nname: base\n"


def test_yaml_keeps_comments_and_order():
    out = edit("params.yaml", YAML, [parse_set("train.lr=0.02"), parse_set("name=7")])
    text = out.decode()
    # ruamel (as in DVC) keeps the comment; its column moves when the value's width changes
    assert text.startswith("# top comment\ntrain:\n  lr: 0.02 # learning rate\n")
    assert "name: '7'" in text  # a string param given a number stays a string


def test_yaml_list_index_and_new_nested_key():
    out = edit("p.yaml", YAML, [parse_set("train.layers.1=5"), parse_set("+opt.beta.x=0.9")])
    assert "[1, 5]" in out.decode()
    assert "opt:\n  beta:\n    x: 0.9\n" in out.decode()


def test_json_keeps_order_and_indentation():
    data = b'{\n  "b": 1,\n  "a": {"x": true}\n}\n'
    out = edit("p.json", data, [parse_set("p.json:a.x=false")]).decode()
    assert out == '{\n  "b": 1,\n  "a": {\n    "x": false\n  }\n}\n'
    assert edit("p.json", b'{"b": 1}', [parse_set("b=2")]) == b'{"b": 2}'


def test_toml_keeps_comments():
    data = b'# settings\n[train]\nlr = 0.1 # rate\nname = "x"\n'
    out = edit("p.toml", data, [parse_set("train.lr=0.3"), parse_set("+train.seed=4")]).decode()
    assert out.startswith('# settings\n[train]\nlr = 0.3 # rate\nname = "x"\n')
    assert "seed = 4" in out


def test_python_replaces_only_the_literal():
    data = (
        b'"""Params."""\nLR = 0.1  # rate\n\n\nclass Train:\n    epochs = 3\n\n'
        b"    def __init__(self):\n        self.drop = 0.5  # d\n"
    )
    edits = [parse_set("LR=0.2"), parse_set("Train.epochs=5"), parse_set("Train.drop=0.1")]
    out = edit("params.py", data, edits).decode()
    assert out == data.decode().replace("0.1  #", "0.2  #").replace("= 3", "= 5").replace(
        "0.5  # d", "0.1  # d"
    )
    assert edit("params.py", data, [parse_set("+SEED=1")]).decode().endswith("SEED = 1\n")
    assert "LR" not in edit("params.py", data, [parse_set("~LR")]).decode()


@pytest.mark.parametrize(
    ("path", "data", "spec", "why"),
    [
        ("p.yaml", YAML, "train.nope=1", "'train.nope' is not in p.yaml (add it with +train.n"),
        ("p.yaml", YAML, "+train.lr=1", "'train.lr' is already in p.yaml"),
        ("p.yaml", YAML, "train.lr=abc", "is a number (0.1), not a string ('abc')"),
        ("p.yaml", YAML, "train.layers=7", "is a list ([1, 2]), not a number (7)"),
        ("p.yaml", YAML, "train.layers.9=7", "'train.layers.9' is not in p.yaml"),
        ("p.yaml", b"a: [1\n", "a=1", "p.yaml:2: invalid YAML"),
        ("p.json", b'{"a": 1', "a=2", "invalid JSON"),
        ("p.toml", b"a = 1\n", "a=null", "TOML has no null value"),
        ("m.csv", b"a\n1\n", "a=2", "is not a params file"),
    ],
)  # fmt: skip
def test_edit_errors(path, data, spec, why):
    with pytest.raises(SetParamError) as err:
        edit(path, data, [parse_set(f"{path}:{spec}" if ":" not in spec else spec)])
    assert why in str(err.value)
