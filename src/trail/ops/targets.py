"""What a user's targets name, for every command that takes them (checkout, commit, status,
unprotect, push, pull, fetch, remove, repro): one resolver, so each accepts what DVC accepts.

A target is, in this order of preference:

- a pointer file (``data.trail``): its outputs;
- an output a pointer file tracks, or a path inside a tracked directory (only that part);
- a stage: ``train``, ``dvc.yaml:train``, ``sub/dvc.yaml:train``, a ``foreach`` group
  (``build`` for ``build@us``, ``build@eu``), or a pipeline file (all its stages) — its outputs
  as the lock file records them;
- an output of a stage, or a path inside one;
- a directory holding any of these: all of them.

Paths are relative to the current directory, as the user typed them. The pipeline files are
read only when a target is not a pointer file or its output, so a plain ``checkout data``
loads no YAML machinery.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trail.errors import PipelineError, WorkspaceError
from trail.index import Tracked, collect, outputs
from trail.paths import is_inside, repo_relpath
from trail.repo import Repo
from trail.types import Oid

if TYPE_CHECKING:
    from trail.pipeline.lockfile import LockEntry
    from trail.pipeline.model import Pipeline, Stage, StageOut
    from trail.pointer import PointerFile


class TargetError(WorkspaceError):
    """A target that names no output, pointer file or stage."""

    def __init__(self, target: str, suffix: str) -> None:
        self.target = target
        super().__init__(
            f"'{target}' is not tracked by trail: it is no output, {suffix} file or stage "
            "(see `trail stage list`)"
        )


@dataclass(frozen=True)
class Scope:
    """How targets are read: ``glob`` expands wildcards (in paths and stage names),
    ``recursive`` takes a directory for every pointer file and pipeline file below it,
    ``with_deps`` adds the stages a named stage depends on (DVC's ``-R``, ``--glob``, ``-d``)."""

    glob: bool = False
    recursive: bool = False
    with_deps: bool = False


DEFAULT_SCOPE = Scope()


@dataclass(frozen=True)
class OutputTarget:
    """One output a target names: where it is recorded (a pointer file's output ``tracked``,
    or a stage's ``out`` in a lock file) and the part of it named (``subpath``)."""

    relpath: str
    oid: Oid | None
    isexec: bool = False
    subpath: str | None = None
    tracked: Tracked | None = None
    stage: Stage | None = None
    out: StageOut | None = None
    size: int | None = None

    @property
    def cached(self) -> bool:
        if self.tracked is not None:
            return self.tracked.out.use_cache
        return self.out is not None and self.out.cache


@dataclass
class Targets:
    outputs: list[OutputTarget] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)  # stages named (or their pipeline file)

    @property
    def involved_stages(self) -> list[Stage]:
        """The stages named and those writing an output named (what ``status`` and
        ``commit`` look at)."""
        found = list(self.stages)
        for o in self.outputs:
            if o.stage is not None and o.stage not in found:
                found.append(o.stage)
        return found

    @property
    def tracked(self) -> list[Tracked]:
        """Outputs of pointer files, each once (a part of one counts as the whole)."""
        found: list[Tracked] = []
        for o in self.outputs:
            if o.tracked is not None and o.tracked not in found:
                found.append(o.tracked)
        return found

    @property
    def stage_outputs(self) -> list[OutputTarget]:
        return [o for o in self.outputs if o.stage is not None]

    def add(self, found: Iterable[OutputTarget]) -> None:
        self.outputs.extend(o for o in found if o not in self.outputs)


class _Pipelines:
    """The pipelines and their lock files, read on first use."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._pipelines: list[Pipeline] | None = None
        self._locks: dict[str, dict[str, LockEntry]] = {}

    @property
    def pipelines(self) -> list[Pipeline]:
        if self._pipelines is None:
            from trail.ops.common import has_pipeline_file

            if not has_pipeline_file(self.repo):
                self._pipelines = []
            else:
                from trail.pipeline.load import load_pipelines

                self._pipelines = load_pipelines(self.repo)
        return self._pipelines

    def stages(self) -> list[Stage]:
        return [s for p in self.pipelines for s in p.stages.values()]

    def outputs_of(self, stage: Stage, subpath_of: str | None = None) -> list[OutputTarget]:
        """The stage's outputs with what its lock entry records (``subpath_of``: only the one
        holding that path, and only the part of it)."""
        from trail.pipeline import lockfile

        path = lockfile.lock_path_for(stage.file, self.repo.dialect.lock_file)
        if path not in self._locks:
            self._locks[path] = dict(lockfile.read(self.repo.root, path))
        entry = self._locks[path].get(stage.name)
        found = []
        for out in stage.outs:
            sub = None
            if subpath_of is not None:
                if not is_inside(subpath_of, out.path):
                    continue
                sub = subpath_of[len(out.path) + 1 :] or None
            item = entry.out(out.declared) if entry is not None else None
            oid = item.oid if item is not None else None
            isexec = bool(item.meta.isexec) if item is not None else False
            size = item.meta.size if item is not None else None
            found.append(OutputTarget(out.path, oid, isexec, sub, stage=stage, out=out, size=size))
        return found


def resolve(
    repo: Repo,
    targets: Sequence[str],
    *,
    pfs: list[PointerFile] | None = None,
    cwd: str | None = None,
    scope: Scope = DEFAULT_SCOPE,
) -> Targets:
    """What ``targets`` name (see the module's docstring); raises ``TargetError`` for one that
    names nothing, before anything is done."""
    pfs = collect(repo) if pfs is None else pfs
    tracked = outputs(pfs)
    lazy = _Pipelines(repo)
    result = Targets()
    if scope.glob:
        targets = _expand_globs(repo, targets, tracked, lazy, cwd)
    if scope.recursive:
        targets = _expand_dirs(repo, targets, tracked, lazy, cwd)
    for raw in targets:
        found = _by_pointer(repo, raw, tracked, cwd)
        if found is None:
            found = _by_stage(repo, raw, tracked, lazy, cwd)
        if found is None:
            raise TargetError(raw, repo.dialect.pointer_suffix)
        result.add(found[0])
        for s in found[1]:
            if s not in result.stages:
                result.stages.append(s)
    if scope.with_deps and result.stages:
        _add_upstream(result, lazy)
    return result


def _expand_globs(
    repo: Repo, targets: Sequence[str], tracked: list[Tracked], lazy: _Pipelines, cwd: str | None
) -> list[str]:
    """Wildcards matched against paths on disk, tracked paths and stage names."""
    import fnmatch
    import glob as globmod

    here = cwd or os.getcwd()
    found: list[str] = []
    for raw in targets:
        if not any(c in raw for c in "*?["):
            found.append(raw)
            continue
        hits = [os.path.relpath(p, here) for p in sorted(globmod.glob(os.path.join(here, raw)))]
        rel = posixpath.normpath(posixpath.join(repo_relpath(repo.root, here), raw))
        known = [t.relpath for t in tracked] + [t.pf.path for t in tracked]
        hits += [os.path.relpath(repo.path(p), here) for p in known if fnmatch.fnmatch(p, rel)]
        stages = [s for s in lazy.stages() if fnmatch.fnmatch(s.name, raw)]
        hits += [s.addressing for s in stages]
        if not hits:
            raise TargetError(raw, repo.dialect.pointer_suffix)
        found.extend(h for h in hits if h not in found)
    return found


def _expand_dirs(
    repo: Repo, targets: Sequence[str], tracked: list[Tracked], lazy: _Pipelines, cwd: str | None
) -> list[str]:
    """A directory stands for every pointer file and every stage of a pipeline file below
    it; other targets stay as they are."""
    here = cwd or os.getcwd()
    found: list[str] = []
    for raw in targets:
        rel = repo_relpath(repo.root, raw, cwd)
        if not os.path.isdir(repo.path(rel)) or any(t.relpath == rel for t in tracked):
            found.append(raw)
            continue
        inside = [os.path.relpath(repo.path(t.pf.path), here) for t in tracked]
        inside = [p for p, t in zip(inside, tracked, strict=True) if is_inside(t.pf.path, rel)]
        inside += [s.addressing for s in lazy.stages() if is_inside(s.file, rel)]
        if not inside:
            raise TargetError(raw, repo.dialect.pointer_suffix)
        found.extend(p for p in dict.fromkeys(inside) if p not in found)
    return found


def _add_upstream(result: Targets, lazy: _Pipelines) -> None:
    """The stages the named ones depend on, and their outputs."""
    from trail.pipeline.dag import ancestors, build_dag

    dag = build_dag(lazy.stages())
    for stage in list(result.stages):
        for key in sorted(ancestors(dag, stage.addressing)):
            up = dag.stages[key]
            if up not in result.stages:
                result.stages.append(up)
                result.add(lazy.outputs_of(up))


def _by_pointer(
    repo: Repo, raw: str, tracked: list[Tracked], cwd: str | None
) -> tuple[list[OutputTarget], list[Stage]] | None:
    """A pointer file, an output one tracks, or a path inside one."""
    if ":" in raw and not os.path.lexists(os.path.join(cwd or os.getcwd(), raw)):
        return None  # ``dvc.yaml:train``
    rel = repo_relpath(repo.root, raw, cwd)
    matched = [t for t in tracked if t.pf.path == rel]
    if not matched and rel.endswith(repo.dialect.pointer_suffix) and os.path.isfile(repo.path(rel)):
        from trail import pointer

        matched = outputs([pointer.load(repo.root, rel)])
    if matched:
        return [_of_tracked(t) for t in matched], []
    found = []
    for t in tracked:
        if t.relpath == rel:
            found.append(_of_tracked(t))
        elif is_inside(rel, t.relpath):
            found.append(_of_tracked(t, rel[len(t.relpath) + 1 :]))
    return (found, []) if found else None


def _of_tracked(t: Tracked, subpath: str | None = None) -> OutputTarget:
    meta = t.out.meta
    return OutputTarget(t.relpath, t.out.oid, meta.isexec, subpath, tracked=t, size=meta.size)


def _by_stage(
    repo: Repo, raw: str, tracked: list[Tracked], lazy: _Pipelines, cwd: str | None
) -> tuple[list[OutputTarget], list[Stage]] | None:
    """A stage (or a pipeline file), an output of one, or a directory holding outputs."""
    try:
        stages = select_stages(repo, lazy.pipelines, [raw], cwd=cwd)
    except PipelineError:
        stages = []
    if stages:
        return [o for s in stages for o in lazy.outputs_of(s)], stages
    if ":" in raw:
        select_stages(repo, lazy.pipelines, [raw], cwd=cwd)  # says what is wrong with it
    rel = repo_relpath(repo.root, raw, cwd)
    found = []
    for stage in lazy.stages():
        for out in stage.outs:
            if is_inside(rel, out.path):
                found.extend(lazy.outputs_of(stage, rel))
                break
    if found:
        return found, []
    if os.path.isdir(repo.path(rel)):  # a directory: every output below it
        inside = _inside_dir(rel, tracked, lazy)
        if inside:
            return inside, []
    return None


def _inside_dir(rel: str, tracked: list[Tracked], lazy: _Pipelines) -> list[OutputTarget]:
    found = [_of_tracked(t) for t in tracked if is_inside(t.pf.path, rel)]
    for stage in lazy.stages():
        found.extend(o for o in lazy.outputs_of(stage) if is_inside(o.relpath, rel))
    return found


def select_stages(
    repo: Repo, pipelines: Sequence[Pipeline], targets: Sequence[str], *, cwd: str | None = None
) -> list[Stage]:
    """Stages named by ``targets``: ``name``, ``file:name``, ``name@*``-style group names, or a
    pipeline file (all its stages); paths relative to ``cwd``. A bare name not in the pipeline
    file of ``cwd`` may name the one stage of that name elsewhere."""
    by_file = {p.file: p for p in pipelines}
    base = repo_relpath(repo.root, cwd or os.getcwd())
    chosen: list[Stage] = []
    for target in targets:
        found = _select_one(repo, by_file, target, base)
        chosen.extend(s for s in found if s not in chosen)
    return chosen


def _select_one(repo: Repo, by_file: dict[str, Pipeline], target: str, base: str) -> list[Stage]:
    file, sep, name = target.rpartition(":")
    if not sep:
        as_file = posixpath.normpath(posixpath.join(base, target))
        if as_file in by_file:
            return list(by_file[as_file].stages.values())
        file, name = repo.dialect.pipeline_file, target
    relfile = posixpath.normpath(posixpath.join(base, file))
    pipeline = by_file.get(relfile)
    if pipeline is not None:
        if name in pipeline.stages:
            return [pipeline.stages[name]]
        group = [s for n, s in pipeline.stages.items() if n.startswith(name + "@")]
        if group:
            return group
    if not sep:
        elsewhere = [s for p in by_file.values() for n, s in p.stages.items() if n == name]
        if len(elsewhere) == 1:
            return elsewhere
        if elsewhere:
            names = ", ".join(s.addressing for s in elsewhere)
            raise PipelineError(f"'{target}' names several stages: {names}")
    if pipeline is None:
        raise PipelineError(f"'{target}' does not exist: no pipeline file '{relfile}'")
    raise PipelineError(f"stage '{name}' not found in '{relfile}' (see `trail stage list`)")


def stage_outputs(repo: Repo) -> list[OutputTarget]:
    """Every output of every stage, with what the lock files record."""
    lazy = _Pipelines(repo)
    return [o for s in lazy.stages() for o in lazy.outputs_of(s)]
