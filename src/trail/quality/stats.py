"""Pure statistics on counts (no engine, no numpy): PSI, Jensen–Shannon distance, the KS
statistic from two sorted samples, and smoothing of empty bins."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

EPS = 1e-4  # the share an empty bin gets in PSI, so one empty bin does not make it infinite


def shares(counts: Sequence[float], eps: float = 0.0) -> list[float]:
    """Counts as proportions; with ``eps``, empty bins get ``eps`` (then renormalised)."""
    total = float(sum(counts))
    if total == 0:
        return [0.0 for _ in counts]
    p = [c / total for c in counts]
    if eps:
        p = [max(x, eps) for x in p]
        s = sum(p)
        p = [x / s for x in p]
    return p


def psi(base: Sequence[float], current: Sequence[float], eps: float = EPS) -> float:
    """Population Stability Index: Σ (c − b) · ln(c / b) over the bins' shares (empty bins
    smoothed to ``eps``). 0 for the same distribution; > 0.2 is commonly read as a shift."""
    if sum(base) == 0 or sum(current) == 0:
        return 0.0
    b, c = shares(base, eps), shares(current, eps)
    return sum((ci - bi) * math.log(ci / bi) for bi, ci in zip(b, c, strict=True))


def js_distance(base: Sequence[float], current: Sequence[float]) -> float:
    """Jensen–Shannon distance with base-2 logarithms (0 … 1): the square root of the
    divergence, as ``scipy.spatial.distance.jensenshannon(p, q, base=2)``."""
    if sum(base) == 0 or sum(current) == 0:
        return 0.0
    p, q = shares(base), shares(current)
    m = [(a + b) / 2 for a, b in zip(p, q, strict=True)]

    def kl(x: list[float]) -> float:
        return sum(xi * math.log2(xi / mi) for xi, mi in zip(x, m, strict=True) if xi > 0)

    divergence = (kl(p) + kl(q)) / 2
    return math.sqrt(max(divergence, 0.0))


def ks_sorted(a: Sequence[float], b: Sequence[float]) -> float:
    """The two-sample Kolmogorov–Smirnov statistic of two sorted samples: the largest gap
    between their empirical distribution functions (for small samples; the engine computes
    the same on tables)."""
    if not a or not b:
        return 0.0
    n1, n2 = len(a), len(b)
    best = 0.0
    for x in (*a, *b):
        d = abs(bisect.bisect_right(a, x) / n1 - bisect.bisect_right(b, x) / n2)
        best = max(best, d)
    return best
