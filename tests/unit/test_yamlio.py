"""Remembered YAML parses: the same text gives the same data without PyYAML; anything else is
parsed again; line numbers are still found for messages."""

from __future__ import annotations

import datetime
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trail import yamlio, yamlwrite


@pytest.fixture
def memo(tmp_path):
    yamlio.remember_parses_in(str(tmp_path / "yaml"))
    yield tmp_path / "yaml"
    yamlio.remember_parses_in(None)


def test_same_text_is_recalled_and_other_text_parsed(memo):
    text = "a: 1\nb: [x, 010, 1e-3, yes]\n"
    first, _ = yamlio.load_with_nodes(text, "p.yaml", core=True)
    assert os.listdir(memo) == ["p.yaml.core"]
    again, marks = yamlio.load_with_nodes(text, "p.yaml", core=True)
    assert again == first == {"a": 1, "b": ["x", 10, 0.001, "yes"]}
    assert yamlio.line_of(marks, "b") == 2  # the recalled text is parsed for its lines
    changed, _ = yamlio.load_with_nodes("a: 2\n", "p.yaml", core=True)
    assert changed == {"a": 2}


def test_the_schema_is_part_of_the_key(memo):
    core, _ = yamlio.load_with_nodes("x: yes\n", "f.yaml", core=True)
    plain, _ = yamlio.load_with_nodes("x: yes\n", "f.yaml")
    assert core == {"x": "yes"} and plain == {"x": True}


def test_a_damaged_memo_is_parsed_again(memo):
    yamlio.load_with_nodes("a: 1\n", "sub/p.yaml")
    (path,) = memo.iterdir()
    path.write_bytes(b"\x00garbage")
    assert yamlio.load_with_nodes("a: 1\n", "sub/p.yaml")[0] == {"a": 1}


def test_values_marshal_cannot_keep_are_parsed_each_time(memo):
    data, _ = yamlio.load_with_nodes("d: 2024-01-02\n", "d.yaml")
    assert data == {"d": datetime.date(2024, 1, 2)}
    assert not memo.exists() or not list(memo.iterdir())
    assert yamlio.load_with_nodes("d: 2024-01-02\n", "d.yaml")[0] == data


def test_invalid_yaml_is_an_error_with_its_line(memo):
    with pytest.raises(yamlio.YamlError, match=r"^bad.yaml:2: invalid YAML"):
        yamlio.load_with_nodes("a: 1\n  b: 2\n", "bad.yaml")


# Not NEL (U+0085): ruamel, DVC's writer, writes it in a form no YAML reader reads back.
_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85")
_scalars = st.one_of(
    st.integers(), st.booleans(), st.none(), st.text(_chars, max_size=20),
    st.floats(allow_nan=False),
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(_chars, max_size=8), inner),
    max_leaves=12,
)


@given(data=st.dictionaries(st.text(_chars, min_size=1, max_size=8), _values, max_size=5))
def test_recalled_data_equals_parsed_data(tmp_path_factory, data):
    yamlio.remember_parses_in(str(tmp_path_factory.mktemp("memo")))
    try:
        text = yamlwrite.dump(data)  # YAML 1.2, as DVC writes it: read back by the 1.2 reader
        parsed, _ = yamlio.load_with_nodes(text, "h.yaml", core=True)
        recalled, _ = yamlio.load_with_nodes(text, "h.yaml", core=True)
        assert recalled == parsed == data
    finally:
        yamlio.remember_parses_in(None)
