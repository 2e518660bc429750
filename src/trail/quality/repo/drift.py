"""``trail data drift``: compare two versions of a table (any two of: a tracked path at a
revision or experiment, a workspace path, any path or URL)."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from typing import TYPE_CHECKING

from trail.errors import UsageError
from trail.progress import NULL, Progress
from trail.quality.repo import targets
from trail.quality.repo.profile import size_of, tmp_dir
from trail.repo import Repo

if TYPE_CHECKING:
    from trail.quality.drift import DriftReport


def sides(baseline: str, current: str) -> tuple[targets.Spec, targets.Spec]:
    """Both sides; a bare ``@rev`` takes the other side's path."""
    a, b = targets.parse(baseline), targets.parse(current)
    if a.path is None and b.path is None:
        raise UsageError("name a path on at least one side (e.g. data/train.csv@v1 @HEAD)")
    if a.path is None:
        a = targets.Spec(b.path, a.rev)
    if b.path is None:
        b = targets.Spec(a.path, b.rev)
    return a, b


def drift(
    repo: Repo | None,
    baseline: str,
    current: str,
    *,
    thresholds: Mapping[str, float] | None = None,
    progress: Progress = NULL,
) -> DriftReport:
    a, b = sides(baseline, current)
    return drift_of(repo, a, b, thresholds=thresholds, progress=progress)


def drift_of(
    repo: Repo | None,
    a: targets.Spec,
    b: targets.Spec,
    *,
    thresholds: Mapping[str, float] | None = None,
    progress: Progress = NULL,
) -> DriftReport:
    """Drift from the table ``a`` names to the one ``b`` names."""
    from trail.quality.drift import compare
    from trail.quality.engine import Session

    with ExitStack() as stack:
        base = targets.resolve(repo, a, stack, progress=progress)
        cur = targets.resolve(repo, b, stack, progress=progress)
        size = size_of(base.source.files) + size_of(cur.source.files)
        progress.start(f"Comparing {base.source.label} → {cur.source.label}", 1, size)
        try:
            with Session(tmp_dir(repo)) as session:
                tb = session.load(base.source)
                progress.advance(0, int(size * 0.3))
                tc = session.load(cur.source)
                progress.advance(0, int(size * 0.3))
                step = int(size * 0.4 / max(1, len(tc.columns)))
                return compare(
                    session, tb, tc, thresholds, on_column=lambda _c: progress.advance(0, step)
                )
        finally:
            progress.finish()
