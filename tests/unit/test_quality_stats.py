"""Statistics of profiles and drift against independent references (numpy, scipy) on the same
data: exact figures equal, the KS statistic to 1e-9."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.spatial.distance import jensenshannon

from trail.quality import stats
from trail.quality.drift import compare
from trail.quality.engine import Session
from trail.quality.profile import BINS, QUANTILES, compute
from trail.quality.source import single

pytest.importorskip("duckdb", reason="trail[data] is part of the test extra")


def _write_csv(path, columns: dict[str, list]) -> str:
    names = list(columns)
    n = len(columns[names[0]])
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for i in range(n):
            f.write(",".join("" if columns[c][i] is None else repr(columns[c][i]) for c in names))
            f.write("\n")
    return str(path)


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(7)
    n = 5000
    x = rng.normal(10, 3, n)
    k = rng.integers(-50, 50, n)
    nulls = rng.random(n) < 0.05
    with_nulls = [None if nulls[i] else float(round(x[i], 6)) for i in range(n)]
    cats = rng.choice(["a", "b", "c", "d"], n, p=[0.4, 0.3, 0.2, 0.1])
    path = _write_csv(
        tmp_path / "t.csv",
        {"x": [float(v) for v in x], "k": [int(v) for v in k], "y": with_nulls,
         "c": [str(v) for v in cats]},
    )  # fmt: skip
    present = np.array([v for v in with_nulls if v is not None])
    ref = {"x": x, "k": k.astype(float), "y": present, "c": cats, "y_nulls": int(nulls.sum())}
    return path, ref


def test_profile_equals_numpy(table):
    path, ref = table
    with Session() as s:
        prof = compute(s, s.load(single(path)))
    assert prof.rows == 5000
    for name in ("x", "k", "y"):
        col = prof.column(name)
        data = ref[name]
        assert col.count == len(data)
        assert col.distinct == len(np.unique(data))
        assert col.min == pytest.approx(data.min(), rel=0, abs=0)
        assert col.max == pytest.approx(data.max(), rel=0, abs=0)
        assert col.mean == pytest.approx(data.mean(), rel=1e-12)
        assert col.std == pytest.approx(data.std(ddof=1), rel=1e-9)
        for p in QUANTILES:
            assert col.quantiles[f"p{p}"] == pytest.approx(np.quantile(data, p / 100), rel=1e-12)
        counts, edges = np.histogram(data, bins=BINS, range=(data.min(), data.max()))
        assert list(col.histogram.counts) == counts.tolist()
        assert list(col.histogram.edges) == pytest.approx(edges.tolist(), rel=1e-15)
    assert prof.column("y").nulls == ref["y_nulls"]
    cat = prof.column("c")
    values, counts = np.unique(ref["c"], return_counts=True)
    expected = sorted(zip(values.tolist(), counts.tolist(), strict=True), key=lambda p: -p[1])
    assert [tuple(t) for t in cat.top] == expected
    assert cat.distinct == 4


def test_ks_equals_scipy_on_tables(tmp_path):
    rng = np.random.default_rng(3)
    a = rng.normal(0, 1, 3000)
    b = rng.normal(0.1, 1.2, 2000)
    ia = rng.integers(0, 20, 3000)  # ties
    ib = rng.integers(2, 25, 2500)
    pa = _write_csv(tmp_path / "a.csv", {"v": a.tolist(), "i": ia.tolist()})
    pb = _write_csv(tmp_path / "b.csv", {"v": b.tolist() + [None] * 500, "i": ib.tolist()})
    with Session() as s:
        report = compare(s, s.load(single(pa)), s.load(single(pb)))
    by = {c.name: c for c in report.columns}
    assert abs(by["v"].ks - sps.ks_2samp(a, b).statistic) < 1e-9
    assert abs(by["i"].ks - sps.ks_2samp(ia, ib).statistic) < 1e-9


def test_psi_and_js_of_categories_equal_references(tmp_path):
    rng = np.random.default_rng(5)
    a = rng.choice(["x", "y", "z"], 4000, p=[0.5, 0.3, 0.2])
    b = rng.choice(["x", "y", "z", "w"], 3000, p=[0.3, 0.3, 0.3, 0.1])
    pa = _write_csv(tmp_path / "a.csv", {"c": a.tolist()})
    pb = _write_csv(tmp_path / "b.csv", {"c": b.tolist()})
    with Session() as s:
        col = compare(s, s.load(single(pa)), s.load(single(pb))).columns[0]
    keys = ["w", "x", "y", "z"]
    ca = np.array([(a == k).sum() for k in keys], dtype=float)
    cb = np.array([(b == k).sum() for k in keys], dtype=float)
    assert col.js == pytest.approx(jensenshannon(ca, cb, base=2), abs=1e-12)
    p, q = ca / ca.sum(), cb / cb.sum()
    p, q = np.maximum(p, stats.EPS), np.maximum(q, stats.EPS)
    p, q = p / p.sum(), q / q.sum()
    assert col.psi == pytest.approx(float(np.sum((q - p) * np.log(q / p))), rel=1e-12)


def test_psi_of_numbers_uses_baseline_deciles(tmp_path):
    rng = np.random.default_rng(9)
    a, b = rng.normal(0, 1, 5000), rng.normal(0.5, 1, 5000)
    pa = _write_csv(tmp_path / "a.csv", {"v": a.tolist()})
    pb = _write_csv(tmp_path / "b.csv", {"v": b.tolist()})
    with Session() as s:
        col = compare(s, s.load(single(pa)), s.load(single(pb))).columns[0]
    cuts = np.quantile(a, np.arange(1, 10) / 10)
    ca = np.histogram(a, bins=[-np.inf, *cuts, np.inf])[0].astype(float)
    cb = np.array([np.sum(np.searchsorted(cuts, b, side="left") == i) for i in range(10)], float)
    p, q = ca / ca.sum(), cb / cb.sum()
    assert col.psi == pytest.approx(float(np.sum((q - p) * np.log(q / p))), rel=1e-9)
    assert col.psi > 0.2  # a half-sigma shift is a shift
    h = col.histogram
    assert sum(h["base"]) == 5000 and sum(h["current"]) == 5000 and len(h["edges"]) == BINS + 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-5, 5), min_size=1, max_size=40),
    st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=40),
)
def test_ks_sorted_equals_scipy(a, b):
    import warnings

    with warnings.catch_warnings():  # scipy warns about its p-value on ties; the statistic stands
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = sps.ks_2samp(a, b).statistic
    assert abs(stats.ks_sorted(sorted(map(float, a)), sorted(b)) - expected) < 1e-9


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=2, max_size=8).flatmap(
    lambda p: st.tuples(st.just(p), st.lists(st.integers(0, 50), min_size=len(p), max_size=len(p)))
))  # fmt: skip
def test_js_distance_equals_scipy(pair):
    p, q = pair
    if sum(p) == 0 or sum(q) == 0:
        assert stats.js_distance(p, q) == 0.0
        return
    expected = jensenshannon(np.array(p, float), np.array(q, float), base=2)
    assert stats.js_distance(p, q) == pytest.approx(float(expected), abs=1e-9)
    assert 0.0 <= stats.js_distance(p, q) <= 1.0 + 1e-12


def test_psi_of_identical_shares_is_zero():
    assert stats.psi([10, 20, 30], [1, 2, 3]) == pytest.approx(0.0, abs=1e-15)
    assert math.isfinite(stats.psi([10, 0], [0, 10]))


def test_store_writes_whole_profiles_and_clears_what_killed_writers_left(tmp_path):
    import os

    from trail.fsutil import tmp_name
    from trail.quality.profile import Profile
    from trail.quality.store import ProfileStore
    from trail.types import Oid

    store = ProfileStore(str(tmp_path))
    oid = Oid("blake3", "ab" * 32)
    prof = Profile(3, (), "csv", 1)
    os.makedirs(os.path.dirname(store.path(oid, "csv")))
    stale = tmp_name(os.path.dirname(store.path(oid, "csv"))).replace(
        f"-{os.getpid()}-", "-999999999-"
    )  # a dead writer's temp file
    with open(stale, "w") as f:
        f.write("{half")
    assert store.get(oid, "csv") is None
    store.put(oid, prof)
    assert store.get(oid, "csv") == prof
    assert os.listdir(os.path.dirname(store.path(oid, "csv"))) == [
        os.path.basename(store.path(oid, "csv"))
    ]
    with open(store.path(oid, "csv"), "w") as f:
        f.write('{"profile": "trail-profile/1", "rows": ')  # damaged by hand: computed again
    assert store.get(oid, "csv") is None


def test_spill_folders_of_dead_sessions_are_cleared(tmp_path):
    import os

    dead = tmp_path / "999999999"
    dead.mkdir()
    (dead / "duckdb_temp_storage-0.tmp").write_bytes(b"x")
    with Session(str(tmp_path)) as s:
        s.con.execute("SELECT 1").fetchall()
    assert os.listdir(tmp_path) == []
