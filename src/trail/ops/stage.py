"""``stage add`` (write a stage into the pipeline file, comments kept) and ``stage list``."""

from __future__ import annotations

import os
import posixpath
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from trail.errors import PipelineError, UsageError
from trail.fsutil import read_text
from trail.ops.locking import locked
from trail.paths import repo_relpath
from trail.pipeline.load import DEFAULT_PARAMS, load_pipeline, load_pipelines
from trail.pipeline.model import OutKind, Pipeline, Stage
from trail.repo import Repo

_BAD_NAME_CHARS = set(string.punctuation) - {"_", "-"}


@dataclass
class StageSpec:
    """What ``stage add`` was asked for (paths as the user wrote them, relative to wdir)."""

    name: str
    cmd: Sequence[str]
    deps: Sequence[str] = ()
    params: Sequence[str] = ()
    outs: Sequence[str] = ()
    outs_no_cache: Sequence[str] = ()
    outs_persist: Sequence[str] = ()
    outs_persist_no_cache: Sequence[str] = ()
    metrics: Sequence[str] = ()
    metrics_no_cache: Sequence[str] = ()
    plots: Sequence[str] = ()
    plots_no_cache: Sequence[str] = ()
    wdir: str | None = None
    always_changed: bool = False
    desc: str | None = None


@dataclass
class StageAddResult:
    name: str
    file: str  # repo-relative pipeline file
    gitignores: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def join_cmd(words: Sequence[str]) -> str:
    """One command line from the words given on the command line (quoted as DVC quotes them)."""
    if len(words) < 2:
        return " ".join(words)
    return " ".join('""' if not w else f'"{w}"' if " " in w and '"' not in w else w for w in words)


def _params_entries(specs: Sequence[str]) -> list[Any]:
    files: dict[str, list[str] | None] = {}
    for spec in specs:
        file, sep, keys = spec.rpartition(":") if ":" in spec else ("", "", spec)
        file = file if sep else DEFAULT_PARAMS
        names = [k for k in keys.split(",") if k]
        if not names:
            files[file] = None
        elif files.get(file, []) is not None:
            prev = files.setdefault(file, [])
            assert prev is not None
            prev.extend(n for n in names if n not in prev)
    entries: list[Any] = []
    for file in sorted(files):
        selected = files[file]
        if selected and file == DEFAULT_PARAMS:
            entries = sorted(selected) + entries
        else:
            entries.append({file: sorted(selected) if selected else None})
    return entries


def _outs_entries(spec: StageSpec) -> dict[str, list[Any]]:
    flagged: list[tuple[str, OutKind, bool, bool]] = []  # path, kind, cache, persist
    for paths, kind, cache, persist in (
        (spec.outs, OutKind.OUT, True, False),
        (spec.outs_no_cache, OutKind.OUT, False, False),
        (spec.outs_persist, OutKind.OUT, True, True),
        (spec.outs_persist_no_cache, OutKind.OUT, False, True),
        (spec.metrics, OutKind.METRIC, True, False),
        (spec.metrics_no_cache, OutKind.METRIC, False, False),
        (spec.plots, OutKind.PLOT, True, False),
        (spec.plots_no_cache, OutKind.PLOT, False, False),
    ):
        flagged.extend((p, kind, cache, persist) for p in paths)
    seen: set[str] = set()
    for path, *_ in flagged:
        norm = posixpath.normpath(path)
        if norm in seen:
            raise UsageError(f"output '{path}' is given more than once")
        seen.add(norm)
    buckets: dict[str, list[Any]] = {k.value: [] for k in OutKind}
    for path, kind, cache, persist in sorted(flagged, key=lambda f: f[0]):
        flags = {"cache": False} if not cache else {}
        if persist:
            flags["persist"] = True
        buckets[kind.value].append({path: flags} if flags else path)
    return buckets


def stage_dict(spec: StageSpec) -> dict[str, Any]:
    """The stage as the pipeline file holds it, keys in DVC's order, empty ones left out."""
    outs = _outs_entries(spec)
    wdir = spec.wdir if spec.wdir not in (None, ".", "./") else None
    items = [
        ("desc", spec.desc),
        ("cmd", join_cmd(spec.cmd)),
        ("wdir", wdir),
        ("deps", sorted(spec.deps)),
        ("params", _params_entries(spec.params)),
        ("outs", outs["outs"]),
        ("metrics", outs["metrics"]),
        ("plots", outs["plots"]),
        ("always_changed", spec.always_changed),
    ]
    return {k: v for k, v in items if v}


def check_name(name: str) -> None:
    if not name or _BAD_NAME_CHARS & set(name):
        raise UsageError(
            f"invalid stage name '{name}': only letters, digits, '_' and '-' are allowed"
        )


@locked
def stage_add(
    repo: Repo, spec: StageSpec, *, force: bool = False, cwd: str | None = None
) -> StageAddResult:
    """Write the stage ``spec`` into the pipeline file of ``cwd`` (the current directory)."""
    check_name(spec.name)
    if not spec.cmd or not "".join(spec.cmd).strip():
        raise UsageError("a stage needs a command")
    base = repo_relpath(repo.root, cwd or os.getcwd())
    relpath = (
        posixpath.join(base, repo.dialect.pipeline_file)
        if base != "."
        else repo.dialect.pipeline_file
    )
    wdir = posixpath.normpath(posixpath.join(base, spec.wdir or "."))
    if not os.path.isdir(repo.path(wdir)):
        raise UsageError(f"working directory '{spec.wdir}' of stage '{spec.name}' does not exist")
    path = repo.path(relpath)
    old_text = _read(path)
    new = stage_dict(spec)
    if old_text.strip():  # a broken file is reported as such, before ruamel reads it
        load_pipeline(repo.root, relpath, text=old_text)
    new_text = _rewrite(old_text, spec.name, new, force, relpath)
    _verify(repo, relpath, new_text, spec.name)
    from trail.fsutil import atomic_write_text

    atomic_write_text(path, new_text)
    result = StageAddResult(spec.name, relpath)
    _ignore_outs(repo, load_pipeline(repo.root, relpath, text=new_text).stages[spec.name], result)
    return result


def _read(path: str) -> str:
    try:
        return read_text(path, os.path.relpath(path))
    except FileNotFoundError:
        return ""


def _rewrite(text: str, name: str, new: dict[str, Any], force: bool, relpath: str) -> str:
    from trail.yamlwrite import round_trip, write

    yaml = round_trip()
    data = yaml.load(text) if text.strip() else None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PipelineError("a pipeline file must be a mapping", where=relpath)
    data["stages"] = data.get("stages") or {}
    stages = data["stages"]
    if name in stages:
        if not force:
            raise PipelineError(
                f"stage '{name}' already exists in '{relpath}' (use -f to overwrite it)"
            )
        old = stages[name]
        if isinstance(old, dict) and ("foreach" in old or "matrix" in old):
            raise PipelineError(
                f"stage '{name}' uses foreach/matrix: edit '{relpath}' by hand", where=relpath
            )
        _restore(old, new)
        _apply(new, old)
    else:
        stages[name] = new
    return write(yaml, data)


def _restore(old: Any, new: dict[str, Any]) -> None:
    """Keep what a user wrote about the stage and its outputs, as DVC does on overwrite."""
    if not isinstance(old, dict):
        return
    for key in ("desc", "meta"):
        if old.get(key):
            new[key] = old[key]
        else:
            new.pop(key, None)
    order = ["desc", "cmd", "wdir", "deps", "params", "outs", "metrics", "plots", "frozen"]
    order += ["always_changed", "meta"]
    ordered = {k: new[k] for k in order if k in new}
    new.clear()
    new.update(ordered)
    old_opts = _out_options(old)
    for kind in OutKind:
        entries = new.get(kind.value) or []
        for i, entry in enumerate(entries):
            path = entry if isinstance(entry, str) else next(iter(entry))
            old_out = old_opts.get(path, {})
            mine = {} if isinstance(entry, str) else entry[path]
            # DVC's order: annotations, then cache/persist, then remote/push.
            opts: dict[str, Any] = {
                k: old_out[k] for k in ("desc", "type", "labels", "meta") if k in old_out
            }
            opts |= mine
            opts |= {k: old_out[k] for k in ("remote", "push") if k in old_out}
            if opts:
                entries[i] = {path: opts}


def _out_options(stage: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for kind in OutKind:
        for entry in stage.get(kind.value) or []:
            if isinstance(entry, dict):
                for path, opts in entry.items():
                    found[path] = dict(opts) if isinstance(opts, dict) else {}
    return found


def _apply(src: Any, dest: Any) -> None:
    """Make ``dest`` (a ruamel tree, with its comments) equal to ``src``."""
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(dest.get(key), dict):
            _apply(value, dest[key])
        elif key not in dest or value != dest[key]:
            dest[key] = value
    for key in [k for k in dest if k not in src]:
        del dest[key]


def _verify(repo: Repo, relpath: str, text: str, name: str) -> None:
    """Load the new file and check the whole graph before anything is written."""
    from trail.pipeline.dag import build_dag

    mine = load_pipeline(repo.root, relpath, text=text)
    others = [p for p in load_pipelines(repo) if p.file != relpath]
    build_dag([s for p in [*others, mine] for s in p.stages.values()])
    _check_tracked(repo, mine.stages[name])


def _check_tracked(repo: Repo, stage: Stage) -> None:
    """An output must not be data a pointer file tracks, nor a file Git tracks."""
    from trail import index
    from trail.paths import is_inside

    tracked = index.outputs(index.collect(repo))
    for out in stage.outs:
        for t in tracked:
            if is_inside(out.path, t.relpath) or is_inside(t.relpath, out.path):
                raise PipelineError(
                    f"output '{out.path}' is already tracked by '{t.pf.path}' "
                    f"(run `trail remove {t.pf.path}` first)",
                    stage=stage.name,
                )
        if out.cache and repo.scm is not None and repo.scm.is_tracked(out.path):
            raise PipelineError(
                f"output '{out.path}' is tracked by Git: run `git rm -r --cached '{out.path}'` "
                "and commit, or make it an uncached output (-O)",
                stage=stage.name,
            )


def _ignore_outs(repo: Repo, stage: Stage, result: StageAddResult) -> None:
    if repo.scm is None:
        return
    from trail.workspace import gitignore

    for out in sorted(stage.outs, key=lambda o: o.declared):
        parent = posixpath.dirname(out.path)
        if out.cache and parent and not os.path.isdir(repo.path(parent)):
            # As DVC: the folder appears when the stage runs, and so does the entry.
            result.warnings.append(
                f"'{parent}' does not exist yet: '{out.path}' is git-ignored when the stage runs"
            )
        elif out.cache:
            changed = gitignore.ignore(repo.root, out.path)
            if changed and changed not in result.gitignores:
                result.gitignores.append(changed)


# ---- stage list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StageInfo:
    name: str  # as a user addresses it
    description: str


def describe(stage: Stage) -> str:
    """One line about a stage: its description, else what it writes or reads."""
    if stage.desc:
        return stage.desc.splitlines()[0] if stage.desc.strip() else ""
    outs = [o.declared for o in stage.outs if o.kind is OutKind.OUT]
    reports = [o.declared for o in stage.outs if o.kind is not OutKind.OUT]
    parts = []
    if outs:
        parts.append("Outputs " + ", ".join(outs))
    if reports:
        parts.append("Reports " + ", ".join(reports))
    if parts:
        return "; ".join(parts)
    if stage.deps:
        return "Depends on " + ", ".join(d.declared for d in stage.deps)
    return "No outputs or dependencies"


def stage_list(
    repo: Repo, targets: Sequence[str] = (), *, all_files: bool = False, cwd: str | None = None
) -> list[StageInfo]:
    """The stages of the pipeline file here; with ``all_files`` every stage and pointer file
    (DVC lists those as stages too), by file; or those ``targets`` name. Names are relative
    to ``cwd``, as a user would type them there."""
    base = repo_relpath(repo.root, cwd or os.getcwd())
    if not all_files and not targets:  # only the file here: a broken file elsewhere is no matter
        here = posixpath.normpath(posixpath.join(base, repo.dialect.pipeline_file))
        if not os.path.exists(repo.path(here)):
            raise PipelineError(f"no pipeline file '{here}' here (try --all)")
        stages = load_pipeline(repo.root, here).stages.values()
        return [StageInfo(_display(repo, s.file, s.name, base), describe(s)) for s in stages]
    from trail import index
    from trail.pointer import PointerFile

    pipelines = load_pipelines(repo)
    pointers = index.collect(repo)
    found: list[tuple[str, StageInfo]] = []
    by_path = {pf.path: pf for pf in pointers}
    if all_files:
        items: list[Stage | PointerFile] = [s for p in pipelines for s in p.stages.values()]
        items += pointers
    else:
        items = []
        for target in targets:
            path = repo_relpath(repo.root, target, cwd)
            if path in by_path:
                items.append(by_path[path])
            else:
                items += select_stages(repo, pipelines, [target], cwd=cwd)
    for item in items:
        if isinstance(item, Stage):
            name = _display(repo, item.file, item.name, base)
            found.append((item.file, StageInfo(name, describe(item))))
        else:
            outs = ", ".join(o.path for o in item.outs)
            found.append((item.path, StageInfo(_relative(item.path, base), f"Outputs {outs}")))
    if all_files:
        found.sort(key=lambda f: f[0])  # by file; stable, so file order within one
    return [info for _, info in found]


def _relative(path: str, base: str) -> str:
    return path if base == "." else posixpath.relpath(path, base)


def _display(repo: Repo, file: str, name: str, base: str) -> str:
    """How a stage is named from directory ``base``: ``name`` for the pipeline file there."""
    if posixpath.dirname(file) == ("" if base == "." else base) and (
        posixpath.basename(file) == repo.dialect.pipeline_file
    ):
        return name
    return f"{_relative(file, base)}:{name}"


def select_stages(
    repo: Repo, pipelines: Sequence[Pipeline], targets: Sequence[str], *, cwd: str | None = None
) -> list[Stage]:
    """Stages named by ``targets`` (see ``trail.ops.targets``, where every command's targets
    are resolved)."""
    from trail.ops import targets as resolver

    return resolver.select_stages(repo, pipelines, targets, cwd=cwd)
