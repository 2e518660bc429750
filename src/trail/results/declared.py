"""Which files of a revision are params, metrics and plots: what its pipeline files declare,
read through the real pipeline loader (templating, ``foreach``/``matrix``, ``vars``), plus the
params values and output hashes their lock files record.

A revision is a ``FileReader`` (the workspace or a Git commit), so every file the loader needs
(the pipeline files, their ``params.yaml`` and ``vars`` files) is that revision's own.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from trail.results.loaders import ResultsFileError, flatten

if TYPE_CHECKING:
    from trail.pipeline.model import Pipeline

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
    pipelines: tuple[Pipeline, ...] = ()  # as loaded, the root file first


def control_files(pipeline_files: Sequence[str], lock_name: str) -> list[str]:
    """Files ``declared_files`` reads first: worth fetching in bulk beforehand."""
    from trail.pipeline.lockfile import lock_path_for

    out = [DEFAULT_PARAMS]
    for file in pipeline_files:
        beside = posixpath.dirname(file)
        out += [file, lock_path_for(file, lock_name), posixpath.join(beside, DEFAULT_PARAMS)]
    return list(dict.fromkeys(out))


def declared_files(reader: FileReader, pipeline_files: Sequence[str], lock_name: str) -> Declared:
    """Params, metrics and plots the pipeline files (repo-relative) of one revision declare,
    plus ``params.yaml`` at the root, and what their lock files (``lock_name`` beside each)
    record. A pipeline file inside another one's stage output is not the project's."""
    pipelines: list[Pipeline] = []
    outs: list[str] = []
    for file in sorted(pipeline_files, key=lambda p: (p.count("/"), p)):
        if any(_inside(file, out) for out in outs):
            continue
        pipeline = load_at(reader, file)
        pipelines.append(pipeline)
        outs += [o.path for s in pipeline.stages.values() for o in s.outs]
    return declared_of(reader, pipelines, lock_name)


def load_at(reader: FileReader, relpath: str) -> Pipeline:
    """The pipeline file ``relpath`` of the revision ``reader`` reads, with its vars files."""
    from trail.errors import PipelineError
    from trail.pipeline.load import load_pipeline
    from trail.yamlio import YamlError

    def read(path: str) -> str | None:
        data = reader.read([path]).get(path)
        return None if data is None else data.decode("utf-8-sig", errors="replace")

    try:
        return load_pipeline("", relpath, read=read)
    except YamlError as exc:  # results report unreadable files as ResultsFileError, file:line
        raise ResultsFileError(exc.path, exc.message, exc.line) from None
    except PipelineError as exc:
        path, _, line = (exc.where or relpath).partition(":")
        message = f"stage '{exc.stage}': {exc.message}" if exc.stage else exc.message
        raise ResultsFileError(path, message, int(line) if line.isdigit() else None) from None


def declared_of(reader: FileReader, pipelines: Sequence[Pipeline], lock_name: str) -> Declared:
    """``Declared`` of loaded ``pipelines``; ``reader`` gives their lock files."""
    from trail.pipeline.lockfile import lock_path_for
    from trail.pipeline.model import OutKind

    locks = [lock_path_for(p.file, lock_name) for p in pipelines]
    blobs = reader.read([DEFAULT_PARAMS, *locks])
    params = [DEFAULT_PARAMS] if DEFAULT_PARAMS in blobs else []
    metrics: list[str] = []
    plots: list[PlotDecl] = []
    lock_params: dict[str, dict[str, Any]] = {}
    lock_outs: dict[str, CachedOut] = {}
    for pipeline, lock in zip(pipelines, locks, strict=True):
        base = posixpath.dirname(pipeline.file) or "."
        metrics += [_join(base, p, pipeline.file) for p in _strings(pipeline.top.get("metrics"))]
        plots += [_top_plot(base, item, pipeline.file) for item in pipeline.top.get("plots") or []]
        params += [_join(base, p, pipeline.file) for p in _strings(pipeline.top.get("params"))]
        for stage in pipeline.stages.values():
            params += [p.path for p in stage.params]
            for out in stage.outs:
                if out.kind is OutKind.METRIC:
                    metrics.append(out.path)
                elif out.kind is OutKind.PLOT:
                    plots.append(PlotDecl(out.path, out.options))
        wdirs = {name: stage.wdir for name, stage in pipeline.stages.items()}
        records = _mapping(blobs.get(lock), lock)
        _lock_records(records, wdirs, base, lock_params, lock_outs)
    return Declared(
        _unique(params), _unique(metrics), tuple(plots), lock_params, lock_outs, tuple(pipelines)
    )


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


def _top_plot(base: str, item: Any, where: str) -> PlotDecl:
    """A top-level plot: a file (or directory) id is relative to the pipeline file; so are
    the files of a ``y`` mapping, whose id is a plain name."""
    if isinstance(item, Mapping) and item:
        key, props = next(iter(item.items()))
        props = props if isinstance(props, Mapping) else {}
        y = props.get("y")
        if isinstance(y, Mapping):
            props = {**props, "y": {_join(base, str(f), where): c for f, c in y.items()}}
            x = props.get("x")
            if isinstance(x, Mapping):
                props["x"] = {_join(base, str(f), where): c for f, c in x.items()}
            return PlotDecl(str(key), props, top_level=True)
        return PlotDecl(_join(base, str(key), where), props, top_level=True)
    return PlotDecl(_join(base, str(item), where), {}, top_level=True)


def _lock_records(
    lock: Mapping[str, Any],
    wdirs: Mapping[str, str],
    base: str,
    params: dict[str, dict[str, Any]],
    outs: dict[str, CachedOut],
) -> None:
    """Add the params values and output hashes a lock file records; its paths are relative to
    each stage's ``wdir`` (repo-relative, from the loaded pipeline)."""
    for name, entry in (lock.get("stages") or {}).items():
        if not isinstance(entry, Mapping):
            continue
        wdir = wdirs.get(name, base)  # a stage the pipeline file no longer has
        for path, values in (entry.get("params") or {}).items():
            if isinstance(values, Mapping):
                params.setdefault(_join(wdir, str(path)), {}).update(flatten(values))
        for out in entry.get("outs") or []:
            algo = out.get("hash") or "md5-dos2unix"
            hexdigest = out.get(algo if algo != "md5-dos2unix" else "md5")
            if isinstance(out.get("path"), str) and isinstance(hexdigest, str):
                outs[_join(wdir, out["path"])] = CachedOut(algo, hexdigest)


def _join(wdir: str, path: str, where: str = "the lock file") -> str:
    """A declared path made repo-relative; one that would leave the repository is refused."""
    from trail.paths import safe_relpath

    return safe_relpath(path if wdir == "." else posixpath.join(wdir, path), where)


def _inside(path: str, directory: str) -> bool:
    return path.startswith(directory.rstrip("/") + "/")


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
