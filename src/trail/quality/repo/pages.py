"""What the web UI's data pages show, as plain JSON-ready dicts (the UI only draws them).

- ``profile_page(repo, "data/train.csv", rev="v1")``: a table's profile at a revision.
- ``drift_page(repo, "data/train.csv", "v1", "HEAD")``: drift between two revisions, with
  both sides' histograms over common bins (``columns[i].histogram``: ``edges`` + ``base`` +
  ``current`` counts for numbers and dates, ``values`` + counts for text; ``None`` stands for
  every other value).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trail.repo import Repo


def profile_page(repo: Repo, path: str, rev: str | None = None) -> dict[str, Any]:
    from trail.quality.repo.profile import profile

    result = profile(repo, path, rev=rev)
    return {
        "target": result.label,
        "rev": rev,
        "hash": str(result.oid) if result.oid is not None else None,
        "stored": result.stored,
        **result.data,
    }


def drift_page(
    repo: Repo,
    path: str,
    baseline_rev: str | None,
    current_rev: str | None,
    thresholds: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """``None`` for a revision means the workspace."""
    from trail.quality.repo.drift import drift

    def side(rev: str | None) -> str:
        return f"{path}@{rev}" if rev else path

    report = drift(repo, side(baseline_rev), side(current_rev), thresholds=thresholds)
    return report.to_dict()
