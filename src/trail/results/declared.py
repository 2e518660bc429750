"""Which files of a revision are params, metrics and plots, read from the raw pipeline and
lock files.

Kept small and apart on purpose: once ``trail.pipeline``'s loader lands it can replace
``declared_files``. Only the root pipeline file is read, paths as written (joined to a stage's
``wdir``); ``${…}`` templating, ``foreach`` and ``matrix`` are not expanded here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from trail.results.loaders import ResultsFileError, flatten

DEFAULT_PARAMS = "params.yaml"


class FileReader(Protocol):
    """The files of one revision (the workspace or a Git commit)."""

    name: str

    def read(self, paths: list[str]) -> dict[str, bytes]:
        """Contents of those of ``paths`` that exist (repo-relative posix paths)."""
        ...

    def list_files(self, directory: str) -> list[str]:
        """Files under ``directory``, repo-relative, sorted."""
        ...


@dataclass(frozen=True, slots=True)
class PlotDecl:
    """One plot: an id (a file or a name) and its props; ``y`` may map files to columns."""

    id: str
    props: Mapping[str, Any]
    top_level: bool = False


@dataclass(frozen=True, slots=True)
class CachedOut:
    algo: str
    hex: str


@dataclass(frozen=True)
class Declared:
    params: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    plots: tuple[PlotDecl, ...] = ()
    lock_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock_outs: dict[str, CachedOut] = field(default_factory=dict)


def declared_files(reader: FileReader, pipeline_file: str, lock_file: str) -> Declared:
    """Params, metrics and plots named by ``pipeline_file`` (plus ``params.yaml``) at one
    revision, and the params values and output hashes its ``lock_file`` records."""
    blobs = reader.read([pipeline_file, lock_file, DEFAULT_PARAMS])
    pipe = _mapping(blobs.get(pipeline_file), pipeline_file)
    lock = _mapping(blobs.get(lock_file), lock_file)
    return declared_from(pipe, lock, DEFAULT_PARAMS in blobs, pipeline_file)


def declared_from(
    pipe: Mapping[str, Any], lock: Mapping[str, Any], has_params: bool, pipeline_file: str
) -> Declared:
    """``declared_files`` from the parsed pipeline and lock files (for callers that parse
    each distinct file once across many revisions)."""
    params = [DEFAULT_PARAMS] if has_params else []
    metrics = [_join(".", p, pipeline_file) for p in _strings(pipe.get("metrics"))]
    plots = [_top_plot(item) for item in pipe.get("plots") or []]
    params += [_join(".", p, pipeline_file) for p in _strings(pipe.get("params"))]
    for stage in (pipe.get("stages") or {}).values():
        if isinstance(stage, Mapping):
            wdir = str(stage.get("wdir") or ".")
            params += [
                _join(wdir, p, pipeline_file) for p in _stage_params_files(stage.get("params"))
            ]
            metrics += [_join(wdir, p, pipeline_file) for p, _ in _entries(stage.get("metrics"))]
            plots += [
                PlotDecl(_join(wdir, p, pipeline_file), props)
                for p, props in _entries(stage.get("plots"))
            ]
    wdirs = {
        name: str(stage.get("wdir") or ".")
        for name, stage in (pipe.get("stages") or {}).items()
        if isinstance(stage, Mapping)
    }
    lock_params, lock_outs = _lock_records(lock, wdirs)
    return Declared(_unique(params), _unique(metrics), tuple(plots), lock_params, lock_outs)


def _mapping(data: bytes | None, path: str) -> Mapping[str, Any]:
    if data is None:
        return {}
    from trail.results.loaders import parse_structured

    doc = parse_structured(path, data)
    if doc is None:
        return {}
    if not isinstance(doc, Mapping):
        raise ResultsFileError(path, "expected a mapping at the top level", 1)
    return doc


def _strings(items: Any) -> list[str]:
    return [str(i) for i in items or [] if isinstance(i, str)]


def _entries(items: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """``outs``-like lists: ``path`` or ``{path: {props}}``."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    for item in items or []:
        if isinstance(item, str):
            out.append((item, {}))
        elif isinstance(item, Mapping):
            out += [(str(k), v if isinstance(v, Mapping) else {}) for k, v in item.items()]
    return out


def _stage_params_files(items: Any) -> list[str]:
    """A bare key lives in ``params.yaml``; ``{file: [keys]}`` or ``{file: null}`` name files."""
    files = []
    for item in items or []:
        if isinstance(item, str):
            files.append(DEFAULT_PARAMS)
        elif isinstance(item, Mapping):
            files += [str(k) for k in item]
    return files


def _top_plot(item: Any) -> PlotDecl:
    if isinstance(item, Mapping) and item:
        key, props = next(iter(item.items()))
        return PlotDecl(str(key), props if isinstance(props, Mapping) else {}, top_level=True)
    return PlotDecl(str(item), {}, top_level=True)


def _lock_records(
    lock: Mapping[str, Any], wdirs: Mapping[str, str]
) -> tuple[dict[str, dict[str, Any]], dict[str, CachedOut]]:
    """Params values and output hashes recorded by the lock file; its paths are relative to
    each stage's ``wdir`` in the pipeline file."""
    params: dict[str, dict[str, Any]] = {}
    outs: dict[str, CachedOut] = {}
    for name, entry in (lock.get("stages") or {}).items():
        if not isinstance(entry, Mapping):
            continue
        wdir = wdirs.get(name, ".")
        for path, values in (entry.get("params") or {}).items():
            if isinstance(values, Mapping):
                params.setdefault(_join(wdir, str(path)), {}).update(flatten(values))
        for out in entry.get("outs") or []:
            algo = out.get("hash") or "md5-dos2unix"
            hexdigest = out.get(algo if algo != "md5-dos2unix" else "md5")
            if isinstance(out.get("path"), str) and isinstance(hexdigest, str):
                outs[_join(wdir, out["path"])] = CachedOut(algo, hexdigest)
    return params, outs


def _join(wdir: str, path: str, where: str = "the lock file") -> str:
    """A declared path made repo-relative; one that would leave the repository is refused."""
    from trail.paths import safe_relpath

    return safe_relpath(path if wdir == "." else posixpath.join(wdir, path), where)


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
