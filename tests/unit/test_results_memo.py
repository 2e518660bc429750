"""Parsed results files remembered by content: the same values, without parsing again."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trail.results import loaders
from trail.results.loaders import parse_structured
from trail.results.memo import remembering


def _no_parsing(monkeypatch):
    def refuse(path, text):
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(loaders, "load_yaml", refuse)


def test_a_second_command_reads_the_parse_from_the_memo(tmp_path, monkeypatch):
    memo = str(tmp_path / "results.marshal")
    lock = b"schema: '2.0'\nstages:\n  train:\n    params:\n      params.yaml:\n        lr: 0.1\n"
    with remembering(memo):
        first = parse_structured("dvc.lock", lock)
    _no_parsing(monkeypatch)
    with remembering(memo):
        assert parse_structured("dvc.lock", lock) == first
        assert parse_structured("other/dvc.lock", lock) == first  # by content, not by path


def test_other_bytes_are_parsed(tmp_path):
    memo = str(tmp_path / "results.marshal")
    with remembering(memo):
        assert parse_structured("p.yaml", b"lr: 0.1\n") == {"lr": 0.1}
    with remembering(memo):
        assert parse_structured("p.yaml", b"lr: 0.2\n") == {"lr": 0.2}


def test_values_marshal_cannot_keep_and_a_broken_memo_only_cost_a_parse(tmp_path):
    memo = tmp_path / "results.marshal"
    dated = b"when: !!timestamp 2024-01-31\n"
    for _ in range(2):
        with remembering(str(memo)):
            assert str(parse_structured("p.yaml", dated)["when"]) == "2024-01-31"
    memo.write_bytes(b"not marshal")
    with remembering(str(memo)):
        assert parse_structured("p.yaml", b"a: 1\n") == {"a": 1}


def test_errors_are_not_remembered(tmp_path):
    from trail.results.loaders import ResultsFileError

    for _ in range(2):
        with remembering(str(tmp_path / "m")), pytest.raises(ResultsFileError):
            parse_structured("p.yaml", b"a: [1\n")


words = st.text(alphabet="abc xyz:-#é", max_size=8)
leaves = st.one_of(st.integers(), st.booleans(), words, st.none())
trees = st.recursive(
    leaves,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(words, kids, max_size=3),
    max_leaves=10,
)


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(words, trees, max_size=4))
def test_remembered_values_equal_fresh_parses(tmp_path_factory, doc):
    import json

    data = json.dumps(
        doc, ensure_ascii=False
    ).encode()  # JSON is YAML: read by the YAML loader here
    memo = str(tmp_path_factory.mktemp("memo") / "m")
    fresh = parse_structured("p.yaml", data)
    with remembering(memo):
        parse_structured("p.yaml", data)
    with remembering(memo):
        assert parse_structured("p.yaml", data) == fresh
