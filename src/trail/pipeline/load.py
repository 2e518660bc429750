"""Reading pipeline files (``trail.yaml``/``dvc.yaml``) into resolved ``model.Stage``s.

A file is parsed with libyaml keeping node marks, checked against the schema, then each stage is
templated (``params.yaml`` beside the file and the ``vars`` as the context) and ``foreach``/
``matrix`` groups are expanded. Every error names ``file:line`` and the stage.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from trail.errors import PipelineError
from trail.fsutil import read_text
from trail.pipeline import schema, templating
from trail.pipeline.model import Dep, OutKind, ParamsDep, Pipeline, Stage, StageOut, Where
from trail.pipeline.params import read_params
from trail.pipeline.templating import TemplateError
from trail.yamlio import line_of, load_with_nodes

if TYPE_CHECKING:
    from trail.repo import Repo

DEFAULT_PARAMS = "params.yaml"
_OUT_FLAGS = ("cache", "persist", "push", "remote")


TextReader = Callable[[str], "str | None"]  # repo-relative path → its text, None when absent
_TOP_TEMPLATED = ("params", "metrics", "plots")  # top-level sections DVC templates too


class _File:
    """One pipeline file being loaded: where it is and its node tree, for errors; the files it
    names come from disk under ``root``, or from ``read`` (another revision's files)."""

    def __init__(self, root: str, relpath: str, node: Any, read: TextReader | None) -> None:
        self.root, self.relpath, self.node, self.read = root, relpath, node, read
        self.dir = posixpath.dirname(relpath) or "."
        self.imports: dict[str, bool] = {}  # vars files of the file's context: path → whole?

    def exists(self, relpath: str) -> bool:
        if self.read is None:
            return os.path.isfile(self.abspath(relpath))
        return self.read(relpath) is not None

    def read_params(self, relpath: str, stage: str | None) -> Any:
        if self.read is None:
            return read_params(self.abspath(relpath), relpath, stage=stage)
        from trail.pipeline.params import ParamsFileError, parse_params

        text = self.read(relpath)
        if text is None:
            raise ParamsFileError(f"params file '{relpath}' does not exist", stage=stage)
        return parse_params(text, relpath, stage=stage)

    def where(self, *keys: str | int) -> str:
        line = line_of(self.node, *keys)
        return f"{self.relpath}:{line}" if line else self.relpath

    def join(self, base: str, path: str) -> str:
        """Repo-relative posix path of ``path`` written relative to repo-relative ``base``."""
        return posixpath.normpath(posixpath.join(base, path))

    def abspath(self, relpath: str) -> str:
        return os.path.join(self.root, relpath)


def load_pipeline(
    root: str, relpath: str, *, text: str | None = None, read: TextReader | None = None
) -> Pipeline:
    """The stages of the pipeline file at repo-relative ``relpath`` (``text`` if given).

    ``read`` serves the files the pipeline names (its text too, unless given): the files of
    a Git revision; without it they are read from disk under ``root``.
    """
    if text is None and read is not None:
        text = read(relpath)
        if text is None:
            raise PipelineError(f"'{relpath}' does not exist")
    if text is None:
        text = read_text(os.path.join(root, relpath), relpath)
    data, node = load_with_nodes(text, relpath, core=True)
    if data is None:
        return Pipeline(relpath, {})
    schema.validate(data, node, relpath)
    pf = _File(root, relpath, node, read)
    context = _global_context(pf, data)
    stages: dict[str, Stage] = {}
    for name, definition in (data.get("stages") or {}).items():
        for stage in _expand(pf, name, definition, context):
            stages[stage.name] = stage
    top = {k: v for k, v in data.items() if k != "stages"}
    for key in _TOP_TEMPLATED:
        if key in top:
            top[key] = _resolve_top(pf, key, top[key], context)
    return Pipeline(relpath, stages, top)


def _resolve_top(pf: _File, key: str, value: Any, context: dict[str, Any]) -> Any:
    """Top-level ``params``/``metrics``/``plots`` are templated with the file's vars, as DVC
    does (``metrics: [${dir}/m.json]``)."""
    try:
        return templating.resolve(value, context, key)
    except TemplateError as exc:
        raise PipelineError(exc.message, where=pf.where(key, *exc.path)) from None


def _global_context(pf: _File, data: Mapping[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    entries = list(data.get("vars") or [])
    default = pf.join(pf.dir, DEFAULT_PARAMS)
    if pf.exists(default):
        _load_vars(pf, context, [DEFAULT_PARAMS], pf.dir, (), None, pf.imports)  # implicitly
    _load_vars(pf, context, entries, pf.dir, ("vars",), None, pf.imports)
    return context


def _load_vars(
    pf: _File,
    context: dict[str, Any],
    entries: list[Any],
    wdir: str,
    keys: tuple[str | int, ...],
    stage: str | None,
    imports: dict[str, bool],
) -> None:
    for i, entry in enumerate(entries):
        try:
            if isinstance(entry, dict):
                templating.merge_vars(context, entry, "inline vars")
                continue
            if templating.REF.search(entry):
                raise TemplateError("'vars' cannot use ${} references")
            path, _, selected = entry.partition(":")
            full = pf.join(wdir, path)
            if imports.get(full) and not selected:
                continue  # a whole file named again (as params.yaml often is): loaded already
            if full in imports:
                raise TemplateError(f"'{path}' is already loaded: it cannot be loaded again")
            imports[full] = not selected
            data = pf.read_params(full, stage)
            if data is None:
                data = {}  # an empty file
            if not isinstance(data, Mapping):
                raise TemplateError(f"vars file '{path}' must hold a mapping")
            if selected:
                data = _pick(data, path, selected.split(","))
            templating.merge_vars(context, data, path)
        except TemplateError as exc:
            raise PipelineError(exc.message, where=pf.where(*keys, i), stage=stage) from None
        except PipelineError as exc:
            raise PipelineError(exc.message, where=pf.where(*keys, i), stage=stage) from None


def _pick(data: Mapping[str, Any], path: str, names: list[str]) -> dict[str, Any]:
    from trail.pipeline.params import MISSING, lookup

    picked: dict[str, Any] = {}
    for name in (n.strip() for n in names if n.strip()):
        value = lookup(data, name)
        if value is MISSING:
            raise TemplateError(f"'{name}' is not in vars file '{path}'")
        cur = picked
        *parents, last = name.split(".")
        for part in parents:
            cur = cur.setdefault(part, {})
        cur[last] = value
    return picked


def _expand(pf: _File, name: str, definition: Any, context: dict[str, Any]) -> list[Stage]:
    keys: tuple[str | int, ...] = ("stages", name)
    try:
        if "foreach" in definition:
            raw = templating.resolve(definition["foreach"], context, "foreach")
            items = templating.foreach_items(raw)
            body, keys = definition["do"], (*keys, "do")
        elif "matrix" in definition:
            raw = templating.resolve(definition["matrix"], context, "matrix")
            items = templating.matrix_items(raw)
            body = {k: v for k, v in definition.items() if k != "matrix"}
        else:
            return [_stage(pf, name, definition, context, keys)]
    except TemplateError as exc:
        kw = "foreach" if "foreach" in definition else "matrix"
        raise PipelineError(exc.message, where=pf.where(*keys, kw, *exc.path), stage=name) from None
    stages = []
    for key, added in items:
        local = {**context, **added}
        stages.append(_stage(pf, f"{name}@{key}", body, local, keys))
    return stages


def _stage(
    pf: _File, name: str, d: dict[str, Any], context: dict[str, Any], keys: tuple[str | int, ...]
) -> Stage:
    def fail(message: str, *sub: str | int) -> PipelineError:
        return PipelineError(message, where=pf.where(*keys, *sub), stage=name)

    def res(key: str) -> Any:
        try:
            return templating.resolve(d.get(key), context, key)
        except TemplateError as exc:
            raise fail(exc.message, key, *exc.path) from None

    wdir_decl = res("wdir")
    if wdir_decl is not None and not isinstance(wdir_decl, str):
        raise fail("'wdir' must be a string", "wdir")
    wdir = pf.join(pf.dir, str(wdir_decl or "."))
    if _outside(wdir):
        raise fail("'wdir' is outside the repository", "wdir")
    if d.get("vars"):
        context = dict(context)
        _load_vars(pf, context, list(d["vars"]), wdir, (*keys, "vars"), name, dict(pf.imports))
    cmd = res("cmd")
    return Stage(
        name=name,
        file=pf.relpath,
        wdir=wdir,
        cmd=_commands(cmd),
        raw_cmd=cmd if isinstance(cmd, list) else templating.to_text(cmd),
        deps=tuple(_dep(pf, wdir, str(p)) for p in res("deps") or ()),
        params=_params(pf, wdir, res("params") or [], fail),
        outs=tuple(_outs(pf, wdir, res, fail)),
        frozen=bool(res("frozen")),
        always_changed=bool(res("always_changed")),
        desc=res("desc"),
        meta=d.get("meta"),
        where=Where(pf.relpath, marks=pf.node, keys=tuple(keys)),
    )


def _commands(cmd: Any) -> tuple[str, ...]:
    if isinstance(cmd, list):
        return tuple(templating.to_text(c) for c in cmd)
    text = templating.to_text(cmd)
    lines: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.endswith("\\"):  # a shell line continued on the next one
            pending += line + "\n"
            continue
        if (pending + line).strip():
            lines.append(pending + line)
        pending = ""
    if pending.strip():
        lines.append(pending.rstrip("\n"))
    return tuple(lines) or (text,)


def _outside(path: str) -> bool:
    return path == ".." or path.startswith("../") or path.startswith("/")


def _is_external(path: str) -> bool:
    return "://" in path or os.path.isabs(path)


def _dep(pf: _File, wdir: str, declared: str) -> Dep:
    if _is_external(declared):
        return Dep(declared, declared)
    return Dep(declared, pf.join(wdir, declared))


def _params(pf: _File, wdir: str, entries: list[Any], fail: Any) -> tuple[ParamsDep, ...]:
    files: dict[str, list[str] | None] = {}
    for i, entry in enumerate(entries):
        if isinstance(entry, str):
            keys = files.setdefault(DEFAULT_PARAMS, [])
            if keys is not None and entry not in keys:
                keys.append(entry)
            continue
        if not isinstance(entry, dict):
            raise fail("a params entry must be a key or {file: [keys]}", "params", i)
        for file, selected in entry.items():
            if selected is None or selected == []:
                files[file] = None
            elif isinstance(selected, list) and all(isinstance(k, str) for k in selected):
                prev = files.setdefault(file, [])
                if prev is not None:
                    prev.extend(k for k in selected if k not in prev)
            else:
                raise fail(f"params of '{file}' must be a list of keys or null", "params", i)
    return tuple(
        ParamsDep(f, pf.join(wdir, f), None if k is None else tuple(k)) for f, k in files.items()
    )


def _outs(pf: _File, wdir: str, res: Any, fail: Any) -> list[StageOut]:
    outs = []
    for kind in OutKind:
        for i, entry in enumerate(res(kind.value) or ()):
            items = entry.items() if isinstance(entry, dict) else [(entry, {})]
            for declared, opts in items:
                if not isinstance(declared, str) or _is_external(declared):
                    raise fail(
                        f"output '{declared}' must be a path inside the repository", kind.value, i
                    )
                path = pf.join(wdir, declared)
                if _outside(path):
                    raise fail(f"output '{declared}' is outside the repository", kind.value, i)
                outs.append(_out(declared, path, kind, opts or {}))
    return outs


def _out(declared: str, path: str, kind: OutKind, opts: dict[str, Any]) -> StageOut:
    rest = {k: v for k, v in opts.items() if k not in _OUT_FLAGS}
    return StageOut(
        declared=declared,
        path=path,
        kind=kind,
        cache=bool(opts.get("cache", True)),
        persist=bool(opts.get("persist", False)),
        push=bool(opts.get("push", True)),
        remote=opts.get("remote"),
        options=rest,
    )


def _search(repo: Repo, visit: Callable[[str], Iterable[str]]) -> None:
    """Call ``visit`` on each pipeline file, parents before children; it returns the outputs
    of the file's stages, and those directories are not entered (they hold data)."""
    from trail.workspace.ignore import ALWAYS_IGNORED, is_nested_repo

    filename = repo.dialect.pipeline_file
    suffix = repo.dialect.pointer_suffix
    ignore = repo.ignore_rules()
    skip: set[str] = set()
    stack = ["."]
    while stack:
        dirrel = stack.pop()
        try:
            with os.scandir(repo.path(dirrel)) as it:
                entries = sorted(it, key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        ignore.load_dir(dirrel, any(e.name == ignore.filename for e in entries))
        names = {e.name for e in entries}
        subdirs = []
        for entry in entries:
            rel = entry.name if dirrel == "." else f"{dirrel}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                # A directory tracked by a pointer file beside it holds data, not pipelines.
                if entry.name not in ALWAYS_IGNORED and entry.name + suffix not in names:
                    subdirs.append(rel)
            elif entry.name == filename and not (ignore.active and ignore.ignored(rel, False)):
                skip.update(visit(rel))
        for rel in reversed(subdirs):
            if _under(rel, skip) or (ignore.active and ignore.ignored(rel, True)):
                continue
            if is_nested_repo(repo.path(rel)):
                continue  # another repository's pipelines are its own
            stack.append(rel)


def _under(rel: str, paths: set[str]) -> bool:
    while rel:
        if rel in paths:
            return True
        rel = rel.rpartition("/")[0]
    return False


def _order(relpath: str) -> tuple[int, str]:
    return relpath.count("/"), relpath


def find_pipeline_files(repo: Repo) -> list[str]:
    """Repo-relative paths of every pipeline file, skipping ignored dirs and tracked outputs
    (of pointer files; stage outputs need the files loaded: see ``load_pipelines``)."""
    found: list[str] = []

    def visit(relpath: str) -> tuple[str, ...]:
        found.append(relpath)
        return ()

    _search(repo, visit)
    return sorted(found, key=_order)


def load_pipelines(repo: Repo) -> list[Pipeline]:
    """Every pipeline of the workspace: the root file first, then those in subdirectories.

    Directories that a stage writes as an output are not searched, nor ignored ones.
    """
    pipelines: list[Pipeline] = []

    def visit(relpath: str) -> list[str]:
        pipeline = load_pipeline(repo.root, relpath)
        pipelines.append(pipeline)
        return [o.path for s in pipeline.stages.values() for o in s.outs]

    _search(repo, visit)
    return sorted(pipelines, key=lambda p: _order(p.file))
