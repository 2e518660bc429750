"""Params and metrics loaders: every format, flattening, and errors naming file:line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trail.results.loaders import (
    ResultsFileError,
    flatten,
    load_metrics,
    load_metrics_tree,
    load_params,
)


def test_yaml_json_toml_params_flatten_nested_keys():
    assert load_params("p.yaml", b"lr: 0.1\nmodel:\n  depth: 3\n  layers: [1, 2]\n") == {
        "lr": 0.1,
        "model.depth": 3,
        "model.layers": [1, 2],
    }
    assert load_params("p.json", b'{"a": {"b": {"c": "x"}}}') == {"a.b.c": "x"}
    assert load_params("p.toml", b"[train]\nlr = 0.5\n") == {"train.lr": 0.5}


def test_python_params_are_read_without_running_the_file():
    text = b"LR = 0.1\nNAME: str = 'x'\nclass Train:\n    epochs = 3\nCOMPUTED = f()\n"
    assert load_params("params.py", text) == {"LR": 0.1, "NAME": "x", "Train.epochs": 3}


def test_metrics_drop_lists_and_nulls_like_dvc():
    data = b'{"a": {"b": 1, "c": [1, 2]}, "s": "str", "t": true, "n": null}'
    assert load_metrics_tree("m.json", data) == {"a": {"b": 1}, "s": "str", "t": True}
    assert load_metrics("m.json", data) == {"a.b": 1, "s": "str", "t": True}


def test_csv_and_tsv_metrics_take_the_last_row():
    assert load_metrics("m.csv", b"epoch,acc\n1,0.5\n2,0.75\n") == {"epoch": 2, "acc": 0.75}
    assert load_metrics("m.tsv", b"acc\tname\n0.9\tbest\n") == {"acc": 0.9, "name": "best"}
    assert load_metrics("m.csv", b"") == {}


@pytest.mark.parametrize(
    ("path", "data", "where"),
    [
        ("m.json", b'{"acc": 0.9,\n "loss": }', "m.json:2: invalid JSON"),
        ("m.yaml", b"acc: 0.9\nloss: [1\n", "m.yaml:3: invalid YAML"),
        ("m.toml", b"a = 1\nb = \n", "m.toml:2: invalid TOML"),
        ("m.csv", b"a,b\n1,2\n3\n", "m.csv:3: row has 1 fields, the first has 2"),
        ("p.py", b"x = (\n", "p.py:1: invalid Python"),
        ("m.yaml", b"- 1\n- 2\n", "m.yaml: a metrics file must hold a mapping"),
    ],
)
def test_bad_files_name_file_and_line(path, data, where):
    loader = load_params if path.endswith(".py") else load_metrics
    with pytest.raises(ResultsFileError) as info:
        loader(path, data)
    assert str(info.value).startswith(where)


keys = st.text(alphabet="abcxyz_", min_size=1, max_size=4)
leaves = st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans())
trees = st.recursive(
    st.dictionaries(keys, leaves, max_size=3),
    lambda inner: st.dictionaries(keys, st.one_of(leaves, inner), max_size=3),
    max_leaves=10,
)


def _unflatten(flat):
    tree = {}
    for key, value in flat.items():
        *parents, last = key.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return tree


@given(trees)
def test_flatten_round_trips_and_keeps_every_leaf(tree):
    flat = flatten(tree)
    assert all(not isinstance(v, dict) or v == {} for v in flat.values())
    assert _unflatten(flat) == _prune_empty(tree)


def _prune_empty(tree):
    # an empty mapping is a leaf of its own; unflatten gives it back as {}
    return {k: _prune_empty(v) if isinstance(v, dict) and v else v for k, v in tree.items()}


def test_yaml_is_read_as_yaml_1_2_like_dvc():
    text = b"lr: 1e-3\nx: 0x10\ny: 010\nz: yes\nw: 1_000\nt: true\nn: ~\ns: '1e-3'\n"
    assert load_params("params.yaml", text) == {
        "lr": 0.001,
        "x": 16,
        "y": 10,
        "z": "yes",
        "w": 1000,
        "t": True,
        "n": None,
        "s": "1e-3",
    }


def test_a_date_in_params_stays_text_so_json_output_can_hold_it():
    text = b"day: 2024-01-31\nat: 2024-01-31 10:00:00\n"
    assert load_params("params.yaml", text) == {"day": "2024-01-31", "at": "2024-01-31 10:00:00"}


cells = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(-1e6, 1e6, allow_nan=False).filter(lambda f: repr(f) == str(f)),
    st.text(alphabet="abc xyz", min_size=1, max_size=5),
)


@given(st.lists(st.lists(cells, min_size=2, max_size=2), min_size=1, max_size=5))
def test_csv_metrics_are_the_last_row_with_types_kept(rows):
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["a", "b"])
    writer.writerows(rows)
    assert load_metrics("m.csv", buf.getvalue().encode()) == dict(zip("ab", rows[-1], strict=True))
