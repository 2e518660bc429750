"""``exp show --json`` and ``--csv`` in DVC 3's shapes, which the tools built on DVC read (the
VS Code extension, CML, Studio): one function each, used by the CLI, the API and the web UI.

JSON: a list with the workspace, then one entry per baseline whose ``experiments`` are groups
(``{"revs": [one experiment], "executor", "name"}``) in DVC's order: running, finished,
queued, failed, each newest first. CSV: DVC's columns (``Experiment,rev,typ,Created,parent``,
``State,Executor`` when some run is queued, running or failed, then metrics and params in the
order their files hold them, then deps sorted), DVC's cells.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trail.experiments.show import ExpRow
from trail.experiments.show_data import DataInfo

UNDER_BASELINE = ("experiment", "queued")
QUEUE_EXECUTOR = "dvc-task"  # DVC's name for its queue's runs; the tools key on it
BASE_HEADERS = ("Experiment", "rev", "typ", "Created", "parent", "State", "Executor")


@dataclass(frozen=True)
class Group:
    """A baseline (or the workspace) and the rows shown under it, in DVC's order."""

    row: ExpRow
    children: tuple[ExpRow, ...] = ()


def groups(rows: Sequence[ExpRow]) -> list[Group]:
    """Rows in display order (``show.collect``) grouped under their baselines."""
    out: list[Group] = []
    for row in rows:
        if row.kind in UNDER_BASELINE and out:
            out[-1] = Group(out[-1].row, (*out[-1].children, row))
        else:
            out.append(Group(row))
    return [Group(g.row, tuple(_dvc_order(g.children))) for g in out]


def _dvc_order(children: Iterable[ExpRow]) -> list[ExpRow]:
    rank = {"running": 0, None: 1, "queued": 2, "failed": 3, "killed": 3}
    newest = sorted(children, key=lambda r: (_stamp(r) or 0, r.rev), reverse=True)
    return sorted(newest, key=lambda r: rank.get(r.status, 3))


def _stamp(row: ExpRow) -> int | None:
    # DVC shows (and sorts by) the commit's own time; trail's finer creation time is its own
    if row.commit_time is not None:
        return row.commit_time
    return None if row.created is None else int(row.created)


def timestamp(row: ExpRow) -> str | None:
    """A commit's time as DVC writes it: ISO 8601, local time, no zone."""
    when = _stamp(row)
    return None if when is None else dt.datetime.fromtimestamp(when).isoformat()


def dvc_json(
    rows: Sequence[ExpRow], *, param_deps: bool = False, sha_only: bool = False
) -> list[dict[str, Any]]:
    """``dvc exp show --json`` of ``rows``."""
    out = []
    for group in groups(rows):
        row = group.row
        if row.kind == "workspace":
            out.append(_state(row, None, param_deps, experiments=None))
            continue
        name = None if sha_only else _baseline_name(row)
        # DVC reads a baseline whole even with --param-deps; only its experiments are filtered
        exps = [
            {
                "revs": [_state(child, child.name, param_deps, experiments=None)],
                "executor": _executor(child),
                "name": child.name,
            }
            for child in group.children
        ]
        out.append(_state(row, name, False, experiments=exps or None))
    return out


def _baseline_name(row: ExpRow) -> str | None:
    return None if row.name == row.rev[:7] else row.name  # no branch or tag names it


def _state(
    row: ExpRow, name: str | None, param_deps: bool, experiments: list[Any] | None
) -> dict[str, Any]:
    broken = [msg for f, msg in row.errors.items() if row.error_groups.get(f) == "pipeline"]
    return {
        "rev": row.rev,
        "name": name,
        "data": None if broken else _data(row, param_deps),
        "error": {"msg": broken[0], "type": "ResultsFileError"} if broken else None,
        "experiments": experiments,
    }


def _data(row: ExpRow, param_deps: bool) -> dict[str, Any]:
    params = row.params_tree
    if param_deps:
        params = {
            f: _only(tree, row.param_deps[f]) for f, tree in params.items() if f in row.param_deps
        }
    queued = row.status is not None
    data = {
        "rev": row.rev,
        "timestamp": timestamp(row),
        "params": _files(params, _errors(row, "params")),
        "metrics": {} if queued else _files(row.metrics_tree, _errors(row, "metrics")),
        "deps": {p: _dep(i) for p, i in row.dep_info.items()},
        "outs": {p: _out(i) for p, i in row.out_info.items()},
        "meta": {},
    }
    if row.profiles:  # ``--profile PATH`` (trail's): table → figure → value, beside DVC's keys
        data["profiles"] = row.profiles
    return data


def _errors(row: ExpRow, group: str) -> dict[str, str]:
    return {f: msg for f, msg in row.errors.items() if row.error_groups.get(f) == group}


def _files(trees: Mapping[str, Any], errors: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {f: {"data": t} for f, t in trees.items()}
    out.update({f: {"error": {"type": "ResultsFileError", "msg": m}} for f, m in errors.items()})
    return out


def _only(tree: Mapping[str, Any], keys: Iterable[str], prefix: str = "") -> dict[str, Any]:
    """The part of a nested params tree whose dotted keys some stage depends on."""
    wanted = set(keys)
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if name in wanted:
            out[key] = value
        elif isinstance(value, Mapping) and any(w.startswith(f"{name}.") for w in wanted):
            out[key] = _only(value, wanted, f"{name}.")
    return out


def _dep(info: DataInfo) -> dict[str, Any]:
    return {"hash": info.hash, "size": info.size, "nfiles": info.nfiles}


def _out(info: DataInfo) -> dict[str, Any]:
    return {**_dep(info), "use_cache": info.use_cache, "is_data_source": info.is_data_source}


def _executor(row: ExpRow) -> dict[str, Any] | None:
    if row.status is None:
        return None
    local = {"root": None, "log": None, "pid": None, "returncode": None, "task_id": row.rev}
    state = "failed" if row.status == "killed" else row.status
    return {"state": state, "name": QUEUE_EXECUTOR, "local": local}


# ---- CSV ---------------------------------------------------------------------------------


def dvc_csv(
    rows: Sequence[ExpRow],
    *,
    precision: int | None = None,
    keep: Sequence[str] = (),
    drop: Sequence[str] = (),
    only_changed: bool = False,
    sort_by: str | None = None,
    descending: bool = False,
    param_deps: bool = False,
    sha_only: bool = False,
) -> str:
    """``dvc exp show --csv`` of ``rows``."""
    import csv
    import io

    headers, cells = dvc_table(
        rows, precision=precision, sort_by=sort_by, descending=descending,
        param_deps=param_deps, sha_only=sha_only,
    )  # fmt: skip
    keep_re = re.compile("|".join(keep)) if keep else None
    protected = {h for h in headers if keep_re is not None and keep_re.match(h)}
    dropped = {h for h in ("State", "Executor") if all(r[headers.index(h)] == "" for r in cells)}
    if only_changed:
        dropped |= {h for i, h in enumerate(headers) if len({r[i] for r in cells}) == 1}
    if drop:
        drop_re = re.compile("|".join(drop))
        dropped |= {h for h in headers if drop_re.match(h)}
    shown = [i for i, h in enumerate(headers) if h not in dropped or h in protected]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([headers[i] for i in shown])
    writer.writerows([[row[i] for i in shown] for row in cells])
    return buf.getvalue()


def dvc_table(
    rows: Sequence[ExpRow],
    *,
    precision: int | None = None,
    sort_by: str | None = None,
    descending: bool = False,
    param_deps: bool = False,
    sha_only: bool = False,
    fill: str = "",
) -> tuple[list[str], list[list[str]]]:
    """DVC's table of experiments: headers and cells, before columns are dropped."""
    states = dvc_json(rows, param_deps=param_deps, sha_only=sha_only)
    metrics: dict[str, dict[str, None]] = {}
    params: dict[str, dict[str, None]] = {}
    deps: set[str] = set()
    for state in _all_states(states):
        _names(metrics, state["data"]["metrics"])
        _names(params, state["data"]["params"])
        deps.update(state["data"]["deps"])
    count: dict[str, int] = {h: 1 for h in BASE_HEADERS}
    for names in (*metrics.values(), *params.values()):
        for name in names:
            count[name] = count.get(name, 0) + 1

    def headers_of(table: dict[str, dict[str, None]]) -> list[tuple[str, str, str]]:
        return [
            (f, n, n if count[n] == 1 else f"{f}:{n}") for f, names in table.items() for n in names
        ]

    m_cols, p_cols, d_cols = headers_of(metrics), headers_of(params), sorted(deps)
    headers = [*BASE_HEADERS, *(h for *_, h in m_cols), *(h for *_, h in p_cols), *d_cols]

    def cells(state: dict[str, Any], first: dict[str, str]) -> list[str]:
        row = dict.fromkeys(headers, fill)
        row.update(first)
        data = state["data"]
        row["Created"] = data["timestamp"] or fill
        for group, cols in (("metrics", m_cols), ("params", p_cols)):
            for f, n, h in cols:
                entry = data[group].get(f)
                if entry is None:
                    continue
                flat = _flat(entry.get("data", {}))
                value = flat.get(n)
                row[h] = _cell(value, precision) if value is not None else (
                    "!" if entry.get("error") else fill
                )  # fmt: skip
        for path in d_cols:
            dep = data["deps"].get(path)
            if dep:
                row[path] = dep["hash"] or fill
        return list(row.values())

    out = []
    for state in states:
        base = {"Experiment": "", "typ": "baseline", "parent": ""}
        rev = state["rev"]
        base["rev"] = state["name"] or (rev if rev == "workspace" else rev[:7])
        out.append(cells(state, base))
        groups_ = state["experiments"] or []
        if sort_by:
            groups_ = _sorted(groups_, sort_by, metrics, params, descending)
        for i, group in enumerate(groups_):
            exp = group["revs"][0]
            first = {
                "Experiment": exp["name"] or "",
                "rev": exp["rev"][:7],
                "typ": "branch_base" if i == len(groups_) - 1 else "branch_commit",
                "parent": "",
            }
            executor = group["executor"]
            if executor:
                first["State"] = executor["state"].capitalize()
                first["Executor"] = executor["name"].capitalize()
            out.append(cells(exp, first))
    return headers, out


def _all_states(states: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for state in states:
        yield state
        for group in state["experiments"] or []:
            yield from group["revs"]


def _names(table: dict[str, dict[str, None]], files: Mapping[str, Any]) -> None:
    for path, entry in files.items():
        data = entry.get("data", {})
        if isinstance(data, Mapping):
            table.setdefault(path, {}).update(dict.fromkeys(_flat(data)))


def _flat(tree: Mapping[str, Any]) -> dict[str, Any]:
    """DVC's flattening: nested mappings become dotted keys (empty ones stay values)."""
    from trail.results.loaders import flatten

    return flatten(tree)


def _cell(value: Any, precision: int | None) -> str:
    def fmt(v: Any) -> Any:
        if isinstance(v, float) and precision:
            return _normalize_float(v, precision)
        if isinstance(v, list):
            return [fmt(x) for x in v]
        return v

    return str(fmt(value))


def _normalize_float(value: float, precision: int) -> str:
    """``precision`` significant digits, as DVC prints floats in its tables (``%g``)."""
    return f"{value:.{precision}g}"


def _sorted(
    groups_: list[dict[str, Any]],
    sort_by: str,
    metrics: Mapping[str, Mapping[str, None]],
    params: Mapping[str, Mapping[str, None]],
    descending: bool,
) -> list[dict[str, Any]]:
    path, name, typ = _sort_column(sort_by, metrics, params)

    def key(group: dict[str, Any]) -> tuple[bool, Any]:
        data = group["revs"][0]["data"][typ].get(path, {}).get("data", {})
        value = _flat(data).get(name)
        return value is None, value

    return sorted(groups_, key=key, reverse=descending)


def _sort_column(
    sort_by: str,
    metrics: Mapping[str, Mapping[str, None]],
    params: Mapping[str, Mapping[str, None]],
) -> tuple[str, str, str]:
    from trail.errors import UsageError

    parts = sort_by.split(":")
    matches: set[tuple[str, str, str]] = set()
    for split in range(len(parts)):
        path, name = ":".join(parts[:split]), ":".join(parts[split:])
        if not path:
            sort_by = name
        for typ, table in (("metrics", metrics), ("params", params)):
            if path in table and name in table[path]:
                matches.add((path, name, typ))
    if not matches:
        for typ, table in (("metrics", metrics), ("params", params)):
            matches |= {(p, sort_by, typ) for p, names in table.items() if sort_by in names}
    if len(matches) == 1:
        return matches.pop()
    if matches:
        both = ", ".join(sorted(f"{p}:{n}" for p, n, _ in matches))
        raise UsageError(f"Ambiguous sort column '{sort_by}' matched '{both}'")
    raise UsageError(f"Unknown sort column '{sort_by}'")
