"""Experiment refs and names: DVC's layout, round trips, Git's ref-name rules."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trail.experiments.errors import InvalidNameError
from trail.experiments.names import check_name, random_name
from trail.experiments.refs import ExpRef

SHA = "b006ce68d407ad67a65a5877183403037a6f381a"
shas = st.text("0123456789abcdef", min_size=40, max_size=40)
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20)


def test_layout_is_dvcs():
    ref = ExpRef(SHA, "first")
    assert ref.ref == f"refs/exps/b0/{SHA[2:]}/first"
    assert ref.meta_ref == f"refs/trail-exps/b0/{SHA[2:]}/first"
    assert ExpRef.parse(ref.ref) == ref
    assert ExpRef.parse(ref.meta_ref, "refs/trail-exps") == ref


@pytest.mark.parametrize(
    "ref",
    [
        "refs/exps/exec/EXEC_HEAD",
        "refs/exps/celery/stash",
        "refs/exps/stash",
        "refs/exps/apply/ORIG_HEAD",
        f"refs/exps/b0/{SHA[2:]}",
        f"refs/exps/b0/{SHA[2:]}/a/b",
        f"refs/heads/b0/{SHA[2:]}/x",
        f"refs/exps/zz/{SHA[2:]}/x",
    ],
)
def test_dvc_bookkeeping_and_other_refs_are_not_experiments(ref):
    assert ExpRef.parse(ref) is None


@given(shas, names.filter(lambda n: "/" not in n))
def test_ref_round_trip(sha, name):
    ref = ExpRef(sha, name)
    assert ExpRef.parse(ref.ref) == ref
    assert ExpRef.parse(ref.meta_ref, "refs/trail-exps") == ref


def _git_accepts(name: str) -> bool:
    proc = subprocess.run(
        ["git", "check-ref-format", f"refs/exps/b0/{SHA[2:]}/{name}"], capture_output=True
    )
    return proc.returncode == 0


@settings(max_examples=150, deadline=None)
@given(names)
def test_names_trail_accepts_are_names_git_accepts(name):
    try:
        check_name(name)
    except InvalidNameError:
        return
    assert _git_accepts(name), name


@pytest.mark.parametrize("name", ["", "a b", "a/b", "a:b", "a..b", ".a", "-a", "a.lock", "a.", "@"])
def test_bad_names(name):
    with pytest.raises(InvalidNameError, match="invalid experiment name"):
        check_name(name)


@pytest.mark.parametrize("name", ["first", "lr-0.1", "grid_3", "über", "v1.2"])
def test_good_names(name):
    assert check_name(name) == name
    assert _git_accepts(name)


def test_random_names_avoid_taken_ones():
    import random

    rng = random.Random(3)
    first = random_name(set(), rng)
    adjective, noun = first.split("-")
    assert adjective and noun and check_name(first) == first
    taken = {first}
    for _ in range(50):
        taken.add(random_name(taken, random.Random(3)))
    assert len(taken) == 51
