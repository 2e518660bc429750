"""The experiments table: every baseline (branches, tags, commits with experiments) with its
experiments and queued runs, params, metrics and deps as columns; queueing a run with edited
params, and applying an experiment to the workspace.

``/api/experiments`` answers exactly what ``trail exp show --json`` prints (DVC's shape, which
tools built on ``dvc exp show --json`` read), through the same function, and takes ``exp
show``'s long flags as query parameters (``?all-commits=1&num=3``).
``/api/experiments/table`` is the page's own compact form: columns once, values per row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trail.web.page import Api, Call, Page

if TYPE_CHECKING:
    from trail.experiments.show import ExpRow, ExpShow

ALL = {"all_branches": True, "all_tags": True, "all_commits": True}
FLAGS = frozenset(
    ("rev", "num", "all-branches", "all-tags", "all-commits", "hide-queued", "hide-failed",
     "precision")
)  # fmt: skip


def shown(call: Call, **flags: Any) -> ExpShow:
    """``exp show``'s rows for ``flags``, one collection at a time (its parse memo is global)."""
    from trail.experiments.show import collect

    with call.ui.experiments_lock:
        return collect(call.repo, **flags)


def exp_show_json(call: Call) -> bytes:
    from trail.errors import UsageError
    from trail.experiments.show_json import dvc_json
    from trail.web.answers import to_json

    unknown = sorted(set(call.query) - FLAGS)
    if unknown:
        raise UsageError(
            f"unknown query parameter '{unknown[0]}' (exp show's flags here: "
            f"{', '.join(sorted(FLAGS))}; the page sorts and picks columns itself)"
        )
    num = call.number("num", 1)
    if num < 1:
        raise UsageError("num must be at least 1")
    rows = shown(
        call,
        rev=call.arg("rev"),
        num=num,
        all_branches=call.flag("all-branches"),
        all_tags=call.flag("all-tags"),
        all_commits=call.flag("all-commits"),
        queued=not call.flag("hide-queued"),
        failed=not call.flag("hide-failed"),
    ).rows
    call.number("precision", -1)  # checked, and like the CLI's --json, full precision: DVC's
    return to_json(dvc_json(rows))


def all_shown(call: Call) -> ExpShow:
    """Every baseline's rows, kept until the repository changes (the table and the compare
    page share them)."""
    ui = call.ui
    return ui.answers.get(("exp show", "all"), ui.watcher.version(), lambda: shown(call, **ALL))  # type: ignore[no-any-return]


def table(call: Call) -> bytes:
    from trail.web.answers import to_json

    return to_json(table_of(all_shown(call).rows))


def table_of(rows: tuple[ExpRow, ...] | list[ExpRow]) -> dict[str, Any]:
    """``{"columns": [{group, file, key, header}], "rows": [{…, "values": [...]}]}``; a key
    found in several files is headed ``file:key`` (as ``exp show`` heads it)."""
    found: list[tuple[str, str, str]] = []
    for group in ("metrics", "params"):
        seen = {(f, k) for r in rows for f, vals in getattr(r, group).items() for k in vals}
        found += [(group, f, k) for f, k in sorted(seen)]
    found += [("deps", p, p) for p in sorted({p for r in rows for p in r.deps})]
    keys = [k for g, _, k in found if g != "deps"]
    clashing = {k for k in keys if keys.count(k) > 1}
    columns = [
        {"group": g, "file": f, "key": k, "header": f"{f}:{k}" if k in clashing else k}
        for g, f, k in found
    ]
    out_rows = []
    for r in rows:
        values = [
            r.deps.get(k) if g == "deps" else getattr(r, g).get(f, {}).get(k) for g, f, k in found
        ]
        out_rows.append(
            {
                "name": r.name,
                "rev": r.rev,
                "kind": r.kind,
                "baseline": r.baseline,
                "created": r.created,
                "status": r.status,
                "errors": r.errors,
                "values": values,
            }
        )
    return {"columns": columns, "rows": out_rows}


def queue_run(call: Call) -> dict[str, Any]:
    """``exp run --queue [-n NAME] -S file:key=value …`` from the page's form."""
    from trail.errors import UsageError
    from trail.experiments.enqueue import enqueue

    sets = call.body.get("set") or []
    name = call.body.get("name") or None
    if not isinstance(sets, list) or not all(isinstance(s, str) for s in sets):
        raise UsageError("'set' must be a list of file:key=value texts")
    if name is not None and not isinstance(name, str):
        raise UsageError("'name' must be text")
    entries = enqueue(call.repo, name=name, set_params=sets)
    return {"queued": [{"id": e.id, "name": e.name, "set": list(e.set_params)} for e in entries]}


def apply_exp(call: Call) -> dict[str, Any]:
    """``exp apply NAME`` (``force`` after the user confirmed replacing their changes)."""
    from trail.errors import UsageError
    from trail.experiments.apply import apply

    name = call.body.get("name")
    if not isinstance(name, str) or not name:
        raise UsageError("name the experiment to apply")
    result = apply(call.repo, name, force=bool(call.body.get("force")))
    return {
        "applied": result.exp.name,
        "written": list(result.written),
        "removed": list(result.removed),
        "backup": result.backup,
    }


PAGE = Page(
    path="/experiments",
    title="Experiments",
    script="experiments.js",
    order=10,
    api={
        "experiments": Api(exp_show_json, cached=True),
        "experiments/table": Api(table, cached=True),
    },
    actions={"queue": queue_run, "apply": apply_exp},
)
