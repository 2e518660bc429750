"""The deps and outs ``exp show`` reports for one revision, as DVC reports them: every dep of a
stage the pipeline file declares now (params files excluded) and every output of its stages
and pointer files (metrics and plots excluded), each with the hash, size and file count its
lock entry or pointer file records (``None`` where nothing was recorded yet). A lock entry of a
stage the pipeline no longer has, or a dep the stage no longer declares, is not reported."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trail.pipeline.model import Pipeline
    from trail.pointer import PointerFile


@dataclass(frozen=True, slots=True)
class DataInfo:
    """A dep or out of a revision: its recorded hash (``…dir`` for directories) and meta."""

    hash: str | None
    size: int | None = None
    nfiles: int | None = None
    use_cache: bool = True
    is_data_source: bool = False  # tracked by a pointer file, not produced by a stage


def stage_data(
    pipelines: Sequence[Pipeline], locks: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, DataInfo], dict[str, DataInfo]]:
    """(deps, outs) of the stages of ``pipelines``; ``locks[i]`` is the parsed lock file
    beside ``pipelines[i]``. Paths are repo-relative."""
    from trail.pipeline.model import OutKind

    deps: dict[str, DataInfo] = {}
    outs: dict[str, DataInfo] = {}
    for pipeline, lock in zip(pipelines, locks, strict=True):
        entries = lock.get("stages") if isinstance(lock, Mapping) else None
        entries = entries if isinstance(entries, Mapping) else {}
        for name, stage in pipeline.stages.items():
            entry = entries.get(name)
            entry = entry if isinstance(entry, Mapping) else {}
            recorded_deps = _by_path(entry.get("deps"))
            recorded_outs = _by_path(entry.get("outs"))
            for dep in stage.deps:
                deps.setdefault(dep.path, _info(recorded_deps.get(_norm(dep.declared))))
            for out in stage.outs:
                if out.kind is OutKind.OUT:
                    found = _info(recorded_outs.get(_norm(out.declared)), use_cache=out.cache)
                    outs.setdefault(out.path, found)
    return deps, outs


def pointer_outs(pfs: Iterable[PointerFile]) -> dict[str, DataInfo]:
    """Outputs of pointer files (data sources), repo-relative."""
    from trail.oidstr import format_oid

    found: dict[str, DataInfo] = {}
    for pf in pfs:
        for out in pf.outs:
            value = None if out.oid is None else format_oid(out.oid)
            info = DataInfo(value, out.meta.size, out.meta.nfiles, out.use_cache, True)
            found.setdefault(pf.out_relpath(out), info)
    return found


def _by_path(items: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {
        posixpath.normpath(str(i["path"])): i
        for i in items
        if isinstance(i, Mapping) and isinstance(i.get("path"), str)
    }


def _info(item: Mapping[str, Any] | None, use_cache: bool = True) -> DataInfo:
    if item is None:
        return DataInfo(None, use_cache=use_cache)
    algo = item.get("hash") or "md5"
    value = item.get("md5" if algo == "md5-dos2unix" else algo)
    size, nfiles = item.get("size"), item.get("nfiles")
    return DataInfo(
        str(value) if value is not None else None,
        size if isinstance(size, int) else None,
        nfiles if isinstance(nfiles, int) else None,
        use_cache,
    )


def _norm(path: str) -> str:
    return posixpath.normpath(path)
