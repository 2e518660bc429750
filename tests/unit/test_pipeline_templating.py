"""``${}`` templating: DVC's typing rules, escapes, generated names; property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trail.pipeline.templating import (
    TemplateError,
    foreach_items,
    matrix_items,
    merge_vars,
    parse_ref,
    resolve,
    resolve_str,
    to_text,
)

CTX = {
    "lr": 0.1,
    "flag": False,
    "n": None,
    "name": "a b",
    "train": {"epochs": 3, "fast": True, "slow": False, "tags": ["x", "y z"], "sub": {"k": 1}},
    "models": ["a", {"b": 1}],
}

scalars = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(alphabet=st.characters(blacklist_characters="$\\"), max_size=20),
    st.none(),
)


def test_whole_value_keeps_type_and_text_becomes_text() -> None:
    assert resolve_str("${lr}", CTX) == 0.1
    assert resolve_str("${flag}", CTX) is False
    assert resolve_str("${train.tags[1]}", CTX) == "y z"
    assert resolve_str("lr=${lr} ${flag} ${n}", CTX) == "lr=0.1 false None"


def test_mapping_in_cmd_becomes_flags() -> None:
    assert resolve_str("run ${train}", CTX, "cmd") == (
        "run --epochs 3 --fast --tags x 'y z' --sub.k 1"
    )
    with pytest.raises(TemplateError, match="it is a mapping"):
        resolve_str("run ${train}", CTX, "outs")
    with pytest.raises(TemplateError, match="it is a list"):
        resolve_str("x ${train.tags}", CTX, "cmd")
    assert resolve_str("${models}", CTX, "foreach") == ["a", {"b": 1}]


def test_escapes() -> None:
    assert resolve_str(r"echo \${lr} ${lr}", CTX) == "echo ${lr} 0.1"
    assert resolve_str(r"echo \${lr}", CTX) == "echo ${lr}"


@pytest.mark.parametrize(
    ("expr", "error"),
    [("${nope}", "could not find 'nope'"), ("${train.x}", "could not find 'train.x'"),
     ("${models[5]}", "could not find"), ("${}", "empty reference"), ("${a..b}", "invalid")],
)  # fmt: skip
def test_bad_references(expr: str, error: str) -> None:
    with pytest.raises(TemplateError, match=error):
        resolve_str(expr, CTX)


def test_parse_ref() -> None:
    assert parse_ref("a.b[0].c") == ["a", "b", "0", "c"]
    assert parse_ref(" a ") == ["a"]


def test_resolve_walks_containers_and_reports_the_path() -> None:
    assert resolve({"k": ["${lr}", {"x": "${name}"}]}, CTX) == {"k": [0.1, {"x": "a b"}]}
    with pytest.raises(TemplateError) as exc:
        resolve({"k": ["ok", {"x": "${nope}"}]}, CTX)
    assert exc.value.path == ("k", 1, "x")


def test_generated_names() -> None:
    assert [k for k, _ in foreach_items(["a", 1, True, 0.5])] == ["a", "1", "true", "0.5"]
    assert [k for k, _ in foreach_items([{"a": 1}, "x"])] == ["0", "1"]
    assert foreach_items({"us": 1})[0] == ("us", {"key": "us", "item": 1})
    names = [k for k, _ in matrix_items({"lr": [0.1], "opt": [True, "sgd"], "m": [[1], {"a": 2}]})]
    assert names == ["0.1-true-m0", "0.1-true-m1", "0.1-sgd-m0", "0.1-sgd-m1"]


def test_merge_vars_refuses_redefinition() -> None:
    ctx: dict[str, object] = {"a": {"b": 1}}
    merge_vars(ctx, {"a": {"c": 2}, "d": 3}, "f.yaml")
    assert ctx == {"a": {"b": 1, "c": 2}, "d": 3}
    with pytest.raises(TemplateError, match=r"cannot redefine 'b' from 'g\.yaml'"):
        merge_vars(ctx, {"a": {"b": 5}}, "g.yaml")


@given(scalars)
def test_whole_value_type_is_preserved(value: object) -> None:
    assert resolve_str("${v}", {"v": value}) == value


@given(scalars, st.text(alphabet="abc -=", max_size=5))
def test_embedded_value_is_its_text(value: object, prefix: str) -> None:
    assert resolve_str(prefix + "${v}!", {"v": value}) == prefix + to_text(value) + "!"


@given(st.text(alphabet=st.characters(blacklist_characters="$\\"), max_size=40))
def test_plain_text_is_untouched(text: str) -> None:
    assert resolve_str(text, CTX) == text


@given(st.text(alphabet=st.characters(blacklist_characters="$\\{}"), min_size=1, max_size=20))
def test_escaped_reference_round_trips(inner: str) -> None:
    assert resolve_str("x \\${" + inner + "} ${lr}", CTX) == "x ${" + inner + "} 0.1"
