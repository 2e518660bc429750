"""Compare: two or more rows of the experiments table side by side — params and metrics with
differences marked, their plots overlaid, parallel coordinates and a scatter (drawn by the
page from the rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trail.web.page import Api, Call, Page
from trail.web.pages.experiments import all_shown, table_of
from trail.web.pages.plots import drawn

if TYPE_CHECKING:
    from trail.experiments.show import ExpRow


def compare(call: Call) -> dict[str, Any]:
    from trail.errors import UsageError

    wanted = call.args("exp")
    if not wanted:
        raise UsageError("pick experiments to compare: /compare?exp=a&exp=b")
    rows = list(all_shown(call).rows)
    chosen = [_find(rows, w) for w in wanted]
    names = [r.name for r in rows]
    revs = [_rev_for(r, names) for r in chosen if r.status is None]
    plots = drawn(call.repo, list(dict.fromkeys(revs))) if revs else {"plots": [], "revs": []}
    return {"table": table_of(chosen), "plots": plots}


def _find(rows: list[ExpRow], wanted: str) -> ExpRow:
    from trail.errors import UsageError

    by_name = [r for r in rows if r.name == wanted]
    if len(by_name) == 1:
        return by_name[0]
    by_rev = [r for r in rows if len(wanted) >= 4 and r.rev.startswith(wanted)]
    if len({r.rev for r in by_rev}) == 1:
        return by_rev[0]
    if by_name or by_rev:
        raise UsageError(f"'{wanted}' names several rows: use the commit id")
    raise UsageError(f"no experiment or baseline '{wanted}' in the table")


def _rev_for(row: ExpRow, names: list[str]) -> str:
    """How ``plots diff`` is told about a row: by its name (the label the plots show) when
    that name means it alone, else by its experiment ref or commit."""
    if row.kind == "workspace":
        return "workspace"
    if names.count(row.name) == 1:
        return row.name
    if row.kind == "experiment":
        return f"refs/exps/{row.baseline[:2]}/{row.baseline[2:]}/{row.name}"
    return row.rev


PAGE = Page(
    path="/compare",
    title="Compare",
    script="compare.js",
    order=20,
    charts=True,
    api={"compare": Api(compare, cached=True)},
)
