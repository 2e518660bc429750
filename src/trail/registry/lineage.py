"""Where an artifact came from at a commit: every stage upstream of it (command, deps with their
hashes, params values and outs hashes, as that commit's lock files record them), the data files
pointer files track that those stages read, and the imports among them with their source
repository and revision. Everything is read from Git at that commit, never from the workspace.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trail.oidstr import format_oid
from trail.paths import is_inside
from trail.pipeline import lockfile
from trail.pipeline.model import Pipeline, Stage
from trail.repo import Repo
from trail.types import Oid


def oid_text(oid: Oid | None) -> str | None:
    """``md5:ab12…`` (``….dir`` for a directory): the algorithm travels with the hash."""
    return None if oid is None else f"{oid.algo}:{format_oid(oid)}"


@dataclass
class Lineage:
    source: str  # how the artifact is kept: "stage", "data", "import" or "git"
    produced_by: str | None = None
    hash: str | None = None
    stages: list[dict[str, Any]] = field(default_factory=list)
    data: list[dict[str, Any]] = field(default_factory=list)
    imports: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "hash": self.hash,
            "produced_by": self.produced_by,
            "stages": self.stages,
            "data": self.data,
            "imports": self.imports,
        }


def lineage_at(repo: Repo, commit: str, path: str) -> Lineage:
    """The lineage of the artifact at repo-relative ``path`` as commit ``commit`` records it."""
    from trail.index import collect_at
    from trail.ops.revisions import open_rev
    from trail.pipeline.dag import ancestors, build_dag, run_order

    rev = open_rev(repo, commit)
    pipelines = list(rev.declared.pipelines)
    dag = build_dag(s for p in pipelines for s in p.stages.values())
    producers = [
        name
        for out, name in dag.producer.items()
        if out == path or is_inside(path, out) or is_inside(out, path)
    ]
    wanted = set(producers)
    for name in producers:
        wanted |= ancestors(dag, name)
    order = [n for n in run_order(dag, producers)] if producers else []
    locks = _locks(rev.reader, pipelines, repo.dialect.lock_file)
    stages = [_stage(dag.stages[n], locks, dag.producer) for n in order if n in wanted]
    consumed = [path] + [d["path"] for s in stages for d in s["deps"]]
    result = Lineage("stage" if producers else "git", producers[0] if producers else None)
    if producers:
        result.hash = _out_hash(stages, path)
    for pf in collect_at(repo, commit):
        for out in pf.outs:
            where = pf.out_relpath(out)
            if not any(is_inside(c, where) or is_inside(where, c) for c in consumed):
                continue
            entry = {"path": where, "file": pf.path, "hash": oid_text(out.oid)}
            source = _import_source(pf.top.get("deps"))
            if source is not None:
                result.imports.append({**entry, **source})
            else:
                result.data.append(entry)
            if where == path or is_inside(path, where):
                result.source = "import" if source is not None else "data"
                result.hash = entry["hash"]
    result.stages = stages
    return result


def _locks(
    reader: Any, pipelines: Iterable[Pipeline], lock_name: str
) -> dict[str, dict[str, lockfile.LockEntry]]:
    paths = {p.file: lockfile.lock_path_for(p.file, lock_name) for p in pipelines}
    blobs = reader.read(list(paths.values()))
    found = {}
    for file, lock in paths.items():
        data = blobs.get(lock)
        found[file] = lockfile.parse(data.decode("utf-8"), lock) if data is not None else {}
    return found


def _stage(
    stage: Stage, locks: Mapping[str, Mapping[str, lockfile.LockEntry]], producer: Mapping[str, str]
) -> dict[str, Any]:
    entry = locks.get(stage.file, {}).get(stage.name)
    here = stage.wdir

    def rel(p: str) -> str:
        return posixpath.normpath(posixpath.join(here, p)) if here != "." else p

    def kind(p: str) -> str:
        made = any(is_inside(p, out) or is_inside(out, p) for out in producer)
        return "data" if made else "code"

    if entry is None:  # declared at that commit, never run (or its lock entry not committed)
        deps = [{"path": d.path, "hash": None, "kind": kind(d.path)} for d in stage.deps]
        outs = [{"path": o.path, "hash": None} for o in stage.outs]
        return _stage_dict(stage, " && ".join(stage.cmd), deps, {}, outs, ran=False)
    deps = [
        {"path": rel(i.path), "hash": oid_text(i.oid), "kind": kind(rel(i.path))}
        for i in entry.deps
    ]
    outs = [{"path": rel(i.path), "hash": oid_text(i.oid)} for i in entry.outs]
    params = {rel(f): dict(v) for f, v in entry.params.items()}
    return _stage_dict(stage, entry.cmd, deps, params, outs, ran=True)


def _stage_dict(
    stage: Stage,
    cmd: Any,
    deps: list[dict[str, Any]],
    params: dict[str, Any],
    outs: list[dict[str, Any]],
    *,
    ran: bool,
) -> dict[str, Any]:
    return {
        "name": stage.addressing,
        "file": stage.file,
        "cmd": cmd,
        "deps": deps,
        "params": params,
        "outs": outs,
        "recorded": ran,
    }


def _out_hash(stages: list[dict[str, Any]], path: str) -> str | None:
    for stage in stages:
        for out in stage["outs"]:
            if out["path"] == path:
                return str(out["hash"]) if out["hash"] else None
    return None


def _import_source(deps: Any) -> dict[str, Any] | None:
    """Where an import pointer file's data came from: a repository and revision, or a URL."""
    if not isinstance(deps, list) or not deps or not isinstance(deps[0], Mapping):
        return None
    dep = deps[0]
    repo = dep.get("repo")
    if isinstance(repo, Mapping):
        return {
            "repo": {k: repo.get(k) for k in ("url", "rev", "rev_lock") if k in repo},
            "source_path": dep.get("path"),
        }
    checks = {k: dep[k] for k in ("md5", "etag", "checksum") if k in dep}
    return {"url": dep.get("path"), **checks}
