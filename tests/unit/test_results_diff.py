"""Pure diffs: absolute and relative change, --all, and their algebra."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trail.results.diff import change_of, diff_values, round_value


def test_changed_keys_only_unless_all():
    old = {"m.json": {"acc": 0.5, "loss": 1, "name": "a"}}
    new = {"m.json": {"acc": 0.75, "loss": 1, "name": "b", "new": 3}}
    diff = diff_values(old, new)
    assert [(c.key, c.old, c.new, c.diff) for c in diff.changes] == [
        ("acc", 0.5, 0.75, 0.25),
        ("name", "a", "b", None),
        ("new", None, 3, None),
    ]
    assert diff.changes[0].rel == 0.5
    assert [c.key for c in diff_values(old, new, show_all=True).changes] == [
        "acc",
        "loss",
        "name",
        "new",
    ]


def test_equal_values_of_different_types_are_unchanged():
    assert diff_values({"f": {"a": 1}}, {"f": {"a": 1.0}}).changes == ()
    assert len(diff_values({"f": {"a": 1}}, {"f": {"a": "1"}}).changes) == 1


def test_bools_are_numbers_and_zero_has_no_relative_change():
    assert change_of("m", "t", True, False).diff == -1
    assert change_of("m", "x", 0, 2).rel is None
    assert round_value(0.123456789, 3) == 0.123
    assert round_value("0.123456", 3) == "0.123456"


numbers = st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False))
flat = st.dictionaries(st.sampled_from("abcdef"), numbers, max_size=6)


@given(flat, flat)
def test_diff_is_antisymmetric_and_empty_against_itself(a, b):
    assert diff_values({"f": a}, {"f": a}).changes == ()
    forward = {c.key: c for c in diff_values({"f": a}, {"f": b}, show_all=True).changes}
    back = {c.key: c for c in diff_values({"f": b}, {"f": a}, show_all=True).changes}
    assert forward.keys() == back.keys() == set(a) | set(b)
    for key, change in forward.items():
        assert (change.old, change.new) == (back[key].new, back[key].old)
        if change.diff is not None:
            assert change.diff == -back[key].diff
            assert change.new - change.old == change.diff
