"""Quality: the tables among the tracked outputs of a revision, a table's profile at a revision
(per column figures and histograms) and drift between two revisions (PSI, KS, Jensen–Shannon,
null-rate change and schema changes per column, thresholds crossed marked, both sides'
histograms overlaid) — what ``trail data profile`` and ``trail data drift`` compute.

Paths outside the tracked outputs of a revision are refused with 403, as on the Data page.
Without the ``data`` extra (DuckDB) the tables still list, stored profiles still show, and the
page says which extra computing the rest needs.
"""

from __future__ import annotations

from typing import Any

from trail.web.page import Api, Call, Page


def _rev(call: Call, name: str = "rev") -> str | None:
    """A revision of the query; the workspace (the default) is None."""
    value = call.arg(name) or "workspace"
    return None if value == "workspace" else value


def engine_missing() -> str | None:
    """What to install when the engine that computes profiles and drift is missing."""
    import importlib.util

    from trail.quality.errors import EngineMissingError

    return None if importlib.util.find_spec("duckdb") is not None else str(EngineMissingError())


def tables(call: Call) -> dict[str, Any]:
    from trail.quality.repo.pages import tables_page

    return {**tables_page(call.repo, _rev(call)), "engine_missing": engine_missing()}


def profile(call: Call) -> dict[str, Any]:
    from trail.quality.repo.pages import profile_page

    return profile_page(call.repo, call.need("path"), _rev(call))


def drift(call: Call) -> dict[str, Any]:
    """``base`` → ``current`` (each a revision, default the workspace); a threshold per metric
    may be given as ``psi=0.3`` and so on."""
    from trail.quality.repo.pages import drift_page

    return drift_page(
        call.repo, call.need("path"), _rev(call, "base"), _rev(call, "current"), thresholds(call)
    )


def thresholds(call: Call) -> dict[str, float]:
    from trail.errors import UsageError
    from trail.quality.drift import METRICS

    found = {}
    for name in METRICS:
        text = call.arg(name)
        if not text:
            continue
        try:
            found[name] = float(text)
        except ValueError:
            raise UsageError(f"threshold '{name}' must be a number, not {text!r}") from None
    return found


PAGE = Page(
    path="/quality",
    title="Quality",
    script="quality.js",
    order=55,
    charts=True,
    api={
        "quality/tables": Api(tables, cached=True),
        "quality/profile": Api(profile, cached=True),
        "quality/drift": Api(drift, cached=True),
    },
)
