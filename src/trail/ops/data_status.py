"""``trail data status``: tracked data changed since the last Git commit, and in the workspace."""

from __future__ import annotations

from dataclasses import dataclass, field

from trail.index import collect, collect_at, outputs
from trail.ops.common import expand_files, in_cache, workspace_object
from trail.pipeline.used import lock_outputs
from trail.pointer import PointerFile
from trail.repo import Repo
from trail.types import Oid
from trail.workspace.build import Built


@dataclass
class DataStatus:
    committed: dict[str, list[str]] = field(default_factory=dict)
    uncommitted: dict[str, list[str]] = field(default_factory=dict)
    not_in_cache: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_remote: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        d: dict[str, object] = {}
        if self.not_in_cache:
            d["not_in_cache"] = self.not_in_cache
        if self.not_in_remote:
            d["not_in_remote"] = self.not_in_remote
        if self.committed:
            d["committed"] = self.committed
        if self.uncommitted:
            d["uncommitted"] = self.uncommitted
        if self.unchanged:
            d["unchanged"] = self.unchanged
        return d


def _files(repo: Repo, path: str, oid: Oid | None, built: Built | None = None) -> dict[str, Oid]:
    if built is not None and built.entries is not None:
        return {f"{path}/{e.relpath}": e.oid for e in built.entries}
    if oid is None:
        return {}
    return expand_files(repo, path, oid) or {}


def _classify(
    repo: Repo,
    path: str,
    old: Oid | None,
    new: Oid | None,
    into: dict[str, list[str]],
    granular: bool,
    built: Built | None = None,
) -> bool:
    if old == new:
        return False
    kind = "added" if old is None else "deleted" if new is None else "modified"
    some = old if old is not None else new
    shown = path + "/" if some is not None and some.is_tree else path
    into.setdefault(kind, []).append(shown)
    if granular and ((old and old.is_tree) or (new and new.is_tree)):
        before = _files(repo, path, old)
        after = _files(repo, path, new, built)
        for f in sorted(set(before) | set(after)):
            x, y = before.get(f), after.get(f)
            if x != y:
                sub = "added" if x is None else "deleted" if y is None else "modified"
                into.setdefault(sub, []).append(f)
    return True


def data_status(
    repo: Repo,
    *,
    granular: bool = False,
    unchanged: bool = False,
    not_in_remote: bool = False,
    remote: str | None = None,
) -> DataStatus:
    """Outputs of pointer files and, as DVC counts them, cached stage outputs the lock files
    record: changed since HEAD (committed) and in the workspace (uncommitted)."""
    pfs = collect(repo)
    now = {t.relpath: t.out.oid for t in outputs(pfs)}
    for path, oid, _ in lock_outputs(repo):
        now.setdefault(path, oid)
    head: dict[str, Oid] = {}
    has_git = repo.scm is not None
    if repo.scm is not None and repo.scm.has_commits():
        head = {t.relpath: t.out.oid for t in outputs(collect_at(repo, "HEAD")) if t.out.oid}
        for path, oid in _lock_outputs_at(repo, "HEAD").items():
            head.setdefault(path, oid)
    result = DataStatus()
    for path, recorded in now.items():
        if recorded is not None and _cached(repo, path, pfs) and not in_cache(repo, recorded):
            result.not_in_cache.append(path + ("/" if recorded.is_tree else ""))
        changed = has_git and _classify(
            repo, path, head.get(path), recorded, result.committed, granular
        )  # without Git there are no commits to compare with
        built = workspace_object(repo, path, recorded)
        current = built.oid if built is not None else None
        if current is not None and recorded is not None and current.kind != recorded.kind:
            current = None
        changed |= _classify(repo, path, recorded, current, result.uncommitted, granular, built)
        if not changed and unchanged:
            result.unchanged.append(path)
    for path, oid in head.items():
        if path not in now:
            _classify(repo, path, oid, None, result.committed, granular)
    if not_in_remote:
        result.not_in_remote = _not_in_remote(repo, remote, granular)
    return result


def _cached(repo: Repo, path: str, pfs: list[PointerFile]) -> bool:
    for t in outputs(pfs):
        if t.relpath == path:
            return t.out.use_cache
    return True  # lock_outputs lists cached stage outputs only


def _lock_outputs_at(repo: Repo, rev: str) -> dict[str, Oid]:
    """Cached stage outputs the lock files of Git revision ``rev`` record."""
    from trail.errors import TrailError
    from trail.oidstr import parse_oid
    from trail.ops.revisions import open_rev

    try:
        declared = open_rev(repo, rev).declared
    except TrailError:
        return {}  # a broken pipeline file at HEAD: its outputs are not counted
    cached = {
        out.path
        for pipeline in declared.pipelines
        for stage in pipeline.stages.values()
        for out in stage.outs
        if out.cache
    }
    return {
        path: parse_oid(out.hex, out.algo)
        for path, out in declared.lock_outs.items()
        if path in cached
    }


def _not_in_remote(repo: Repo, remote: str | None, granular: bool) -> list[str]:
    """Outputs (or, granular, files) some of whose objects the remote lacks."""
    from trail.ops.cloud_status import cloud_status

    lacking = {
        p for p, what in cloud_status(repo, remote=remote).changes.items() if what != "deleted"
    }
    found: list[str] = []
    for t in outputs(collect(repo)):
        oid = t.out.oid
        if oid is None or not t.out.use_cache:
            continue
        mine = sorted(p for p in lacking if p == t.relpath or p.startswith(t.relpath + "/"))
        if not mine:
            continue
        if granular and oid.is_tree:
            found.extend(p for p in mine if p != t.relpath)
        else:
            found.append(t.relpath + ("/" if oid.is_tree else ""))
    return found
