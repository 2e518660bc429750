"""Params of one revision as files of nested values, chosen as DVC's ``params show`` chooses
them: named files whole; otherwise every stage's params (only the keys it names, or the whole
file for ``{file: null}``), plus ``params.yaml`` and the top-level ``params:`` files whole
(unless only stage dependencies are asked for)."""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Sequence
from typing import Any

from trail.repo import Repo
from trail.results.collect import MissingFileError
from trail.results.declared import DEFAULT_PARAMS, Declared
from trail.results.loaders import load_params_tree

Wanted = dict[str, set[str] | None]  # file → keys (None: the whole file)


def params_show(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    stages: Collection[str] | None = None,
    rev: str | None = None,
    deps: bool = False,
) -> dict[str, dict[str, Any]]:
    """File (repo-relative) → its params, nested; ``rev`` None is the workspace."""
    from trail.ops.revisions import open_rev

    revision = open_rev(repo, rev)
    wanted: Wanted = {}
    for target in targets:
        _want(wanted, target, None)
    if not targets or stages:
        _stage_params(wanted, revision.declared, stages)
    if not (targets or deps or stages):
        for file in _top_level(revision.declared):
            _want(wanted, file, None)
    blobs = revision.read(list(wanted))
    out: dict[str, dict[str, Any]] = {}
    for path, keys in wanted.items():
        if path not in blobs:
            if path in targets:
                raise MissingFileError(path, [revision.name])
            continue  # a declared file may not exist (yet)
        out[path] = _pick(load_params_tree(path, blobs[path]), keys)
    return out


def _want(wanted: Wanted, path: str, keys: Collection[str] | None) -> None:
    if path in wanted and wanted[path] is None:
        return  # already whole
    wanted[path] = None if keys is None else (wanted.get(path) or set()) | set(keys)


def _stage_params(wanted: Wanted, declared: Declared, stages: Collection[str] | None) -> None:
    """Params of the ``stages`` named (all with None); a name no stage has is an error, as
    it is for every command that takes stages."""
    found: set[str] = set()
    for pipeline in declared.pipelines:
        for stage in pipeline.stages.values():
            if stages and stage.name not in stages and stage.addressing not in stages:
                continue
            found.update((stage.name, stage.addressing))
            for dep in stage.params:
                _want(wanted, dep.path, dep.keys)
    unknown = [s for s in stages or () if s not in found]
    if unknown:
        from trail.errors import PipelineError

        names = ", ".join(f"'{s}'" for s in unknown)
        raise PipelineError(f"no stage named {names} (see `trail stage list`)")


def _top_level(declared: Declared) -> list[str]:
    files = [DEFAULT_PARAMS] if DEFAULT_PARAMS in declared.params else []
    for pipeline in declared.pipelines:
        base = posixpath.dirname(pipeline.file)
        for item in pipeline.top.get("params") or []:
            if isinstance(item, str):
                files.append(posixpath.normpath(posixpath.join(base, item)))
    return files


def _pick(tree: dict[str, Any], keys: set[str] | None) -> dict[str, Any]:
    """Only ``keys`` (dotted) of ``tree``, nested as they were; missing ones are left out."""
    if keys is None:
        return tree
    from trail.pipeline.params import MISSING, lookup

    picked: dict[str, Any] = {}
    for key in sorted(keys):
        value = lookup(tree, key)
        if value is MISSING:
            continue
        cur = picked
        *parents, last = key.split(".") if key not in tree else [key]
        for part in parents:
            cur = cur.setdefault(part, {})
        cur[last] = value
    return picked
