"""The registry's formats and rules, without Git: tag names, versions, and GTO's state."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trail.errors import UsageError
from trail.registry import names, semver, show
from trail.registry.names import Action, format_tag, parse_spec, parse_tag
from trail.registry.state import build
from trail.scm.tags import AnnotatedTag, Person

NAME = st.from_regex(r"\A[a-z0-9]([a-z0-9_/-]{0,8}[a-z0-9])?\Z")
FULLNAME = st.one_of(NAME, st.tuples(st.from_regex(r"\A[a-z0-9_./-]{1,8}\Z"), NAME).map(":".join))
VERSION = st.tuples(*[st.integers(0, 99)] * 3).map(lambda t: "v{}.{}.{}".format(*t))


@given(FULLNAME, VERSION, NAME, st.integers(1, 10_000))
def test_tag_names_round_trip(name, version, stage, counter):
    cases = [
        (Action.REGISTER, {"version": version}),
        (Action.DEREGISTER, {"version": version}),
        (Action.ASSIGN, {"stage": stage, "counter": counter}),
        (Action.UNASSIGN, {"stage": stage, "counter": counter}),
        (Action.DEPRECATE, {}),
    ]
    for action, parts in cases:
        tag = format_tag(action, name, **parts)
        assert ":" not in tag
        parsed = parse_tag(tag)
        assert parsed is not None
        assert (parsed.artifact, parsed.action) == (name, action)
        assert parsed.version == parts.get("version")
        assert parsed.stage == parts.get("stage")
        assert parsed.counter == parts.get("counter")


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("model@v1.2.3", ("model", Action.REGISTER, "v1.2.3", None, None)),
        ("sub/dir=model#prod#12", ("sub/dir:model", Action.ASSIGN, None, "prod", 12)),
        ("model#prod!#3", ("model", Action.UNASSIGN, None, "prod", 3)),
        ("model@v1.0.0-rc.1+b7!", ("model", Action.DEREGISTER, "v1.0.0-rc.1+b7", None, None)),
        ("model@deprecated#4", ("model", Action.DEPRECATE, None, None, 4)),
        ("model@created", None),  # GTO's own reader fails on these: they are not ours
        ("v1.0.0", None),
        ("model@1.0.0", None),
        ("-model@v1.0.0", None),
        ("model#pr@d#1", None),
    ],
)
def test_parse_tag(tag, expected):
    parsed = parse_tag(tag)
    if expected is None:
        assert parsed is None
    else:
        assert parsed is not None
        assert (parsed.artifact, parsed.action, parsed.version, parsed.stage, parsed.counter) == (
            expected
        )


def test_semver_precedence_follows_semver_org():
    ordered = [
        "v1.0.0-alpha", "v1.0.0-alpha.1", "v1.0.0-alpha.beta", "v1.0.0-beta", "v1.0.0-beta.2",
        "v1.0.0-beta.11", "v1.0.0-rc.1", "v1.0.0", "v1.0.1", "v1.1.0", "v2.0.0", "v10.0.0",
    ]  # fmt: skip
    shuffled = ordered[::-1][3:] + ordered[::-1][:3]
    assert sorted(shuffled, key=lambda v: semver.precedence(semver.parse(v))) == ordered
    assert semver.precedence(semver.parse("v1.0.0+a")) == semver.precedence(
        semver.parse("v1.0.0+b")
    )
    for bad in ("1.0.0", "v1.0", "v01.0.0", "v1.0.0-01", "v1.0.0-", "V1.0.0"):
        assert semver.parse(bad) is None, bad


def test_bumps():
    v = semver.parse("v1.2.3-rc.1+build")
    assert v is not None
    assert [str(v.bump(p)) for p in ("major", "minor", "patch")] == ["v2.0.0", "v1.3.0", "v1.2.4"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model@1.0", "invalid version '1.0'"),
        ("model#pr od", "invalid stage name 'pr od'"),
        ("mo del", "invalid artifact name 'mo del'"),
        ("model#", "invalid stage name ''"),
    ],
)
def test_parse_spec_errors(text, message):
    with pytest.raises(UsageError, match=message):
        parse_spec(text)


def test_split_name():
    assert names.split_name("sub/dir:model") == ("sub/dir", "model")
    assert names.split_name("model") == ("", "model")


def _person(t: int) -> Person:
    return Person("A", "a@x", t, 3600)


def _tag(name: str, target: str, t: int, message: str = "m") -> AnnotatedTag:
    return AnnotatedTag(name, target, _person(t), message, _person(t - 100), _person(t - 50), "c\n")


def test_state_follows_gtos_rules():
    tags = [
        _tag("m@v1.0.0", "c1", 100),
        _tag("m@v1.1.0", "c2", 200),
        _tag("m#prod#1", "c1", 300),
        _tag("m#prod#2", "c2", 400),
        _tag("m#dev#3", "c1", 500),
        _tag("m#dev!#4", "c1", 600),
        _tag("m@v1.1.0!", "c2", 700),
    ]
    registry = build(sorted(tags, key=lambda t: t.name))
    shown = show.overview(registry)
    # v1.1.0 was deregistered: prod falls back to v1.0.0, dev was unassigned
    assert shown == {
        "m": {"version": "v1.0.0", "stage": {"prod": "v1.0.0"}, "registered": True, "active": True}
    }
    events = show.history(registry, "m")
    assert [e["event"] for e in events] == [
        "deregistration", "unassignment", "assignment", "assignment", "assignment",
        "registration", "registration",
    ]  # fmt: skip
    assert events[0]["timestamp"].isoformat() == "1970-01-01T01:11:40+01:00"  # the tag's zone
    registry = build(sorted([*tags, _tag("m@deprecated", "c1", 800)], key=lambda t: t.name))
    assert show.overview(registry) == {}
    assert show.overview(registry, deprecated=True)["m"]["active"] is False


def test_same_second_events_keep_gtos_order():
    """Two versions and two assignments, each pair in one second: GTO breaks the ties by the
    order it met the tags (by name) and the reversals of its newest-first lists, which gives
    prod to v1.0.0 here (checked against the real gto 1.10.1)."""
    tags = [
        _tag("m@v1.0.0", "c1", 100),
        _tag("m@v2.0.0", "c2", 100),
        _tag("m#prod#10", "c1", 300),
        _tag("m#prod#2", "c2", 300),
    ]
    shown = show.overview(build(sorted(tags, key=lambda t: t.name)))
    assert shown["m"] == {
        "version": "v2.0.0",
        "stage": {"prod": "v1.0.0"},
        "registered": True,
        "active": True,
    }
