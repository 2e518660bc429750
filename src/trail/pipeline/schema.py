"""What a pipeline file may hold: the keys and types DVC 3.67 accepts, and nothing else.

Checked on the file as written (before templating), as DVC does, so a ``${}`` value where a
boolean is expected is an error. Each error names ``file:line``, the stage and the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trail.errors import PipelineError
from trail.yamlio import line_of

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class MapOf:
    """A mapping with string keys, each value of one spec."""

    value: Any


@dataclass(frozen=True)
class Keys:
    """A mapping with known keys only."""

    fields: dict[str, Any]
    required: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OneOf:
    options: tuple[Any, ...]


NULL = type(None)
ANNOTATION = {"desc": str, "type": str, "labels": ListOf(str), "meta": object}
OUT_OPTIONS = {
    **ANNOTATION,
    "cache": bool,
    "persist": bool,
    "checkpoint": bool,
    "remote": str,
    "push": bool,
}
PLOT_PROPS = {
    "template": str,
    "x": str,
    "y": str,
    "x_label": str,
    "y_label": str,
    "title": str,
    "header": bool,
}
OUT_ENTRY = OneOf((str, MapOf(Keys(OUT_OPTIONS))))
# DVC's schema also lets a list of definitions through, then fails on it: refused here.
PLOT_ENTRY = OneOf((str, MapOf(Keys(OUT_OPTIONS | PLOT_PROPS))))
VARS = ListOf(OneOf((str, MapOf(object))))
STAGE = Keys(
    {
        "cmd": OneOf((str, ListOf(object))),
        "wdir": str,
        "deps": ListOf(str),
        "params": ListOf(OneOf((str, MapOf(object)))),
        "vars": VARS,
        "frozen": bool,
        "meta": object,
        "desc": str,
        "always_changed": bool,
        "outs": ListOf(OUT_ENTRY),
        "metrics": ListOf(OUT_ENTRY),
        "plots": ListOf(PLOT_ENTRY),
        "matrix": MapOf(OneOf((str, ListOf(object)))),
    },
    required=frozenset({"cmd"}),
)
FOREACH = Keys(
    {"foreach": OneOf((MapOf(object), ListOf(object), str)), "do": STAGE},
    required=frozenset({"foreach", "do"}),
)
PLOT_DEFINITION = Keys(
    {
        "x": OneOf((str, MapOf(str))),
        "y": OneOf((str, ListOf(str), MapOf(OneOf((str, ListOf(str)))))),
        "x_label": str,
        "y_label": str,
        "title": str,
        "template": str,
    }
)
ARTIFACT = Keys({"path": str, **ANNOTATION}, required=frozenset({"path"}))
TOP = Keys(
    {
        "stages": MapOf(object),  # each stage is checked on its own, naming it
        "vars": VARS,
        "params": ListOf(str),
        "metrics": ListOf(str),
        "plots": ListOf(OneOf((str, MapOf(OneOf((PLOT_DEFINITION, NULL)))))),
        "artifacts": MapOf(ARTIFACT),
        "datasets": object,
    }
)

_NAMES = {str: "a string", bool: "a boolean", NULL: "null", object: "anything"}


def describe(spec: Any) -> str:
    if isinstance(spec, ListOf):
        return "a list"
    if isinstance(spec, (MapOf, Keys)):
        return "a mapping"
    if isinstance(spec, OneOf):
        return " or ".join(dict.fromkeys(describe(o) for o in spec.options))
    return _NAMES.get(spec, str(spec))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _outer_match(value: Any, spec: Any) -> bool:
    if isinstance(spec, ListOf):
        return isinstance(value, list)
    if isinstance(spec, (MapOf, Keys)):
        return isinstance(value, dict)
    if isinstance(spec, OneOf):
        return any(_outer_match(value, o) for o in spec.options)
    if spec is object:
        return True
    if spec is NULL:
        return value is None
    if spec is str:
        return isinstance(value, str)
    if spec is bool:
        return isinstance(value, bool)
    return False


def check(value: Any, spec: Any, path: Path) -> tuple[Path, str] | None:
    """The first problem of ``value`` against ``spec``: (where, what), or None."""
    if not _outer_match(value, spec):
        return path, f"must be {describe(spec)}, not {_kind(value)}"
    if isinstance(spec, OneOf):
        matching = [o for o in spec.options if _outer_match(value, o)]
        problems = [check(value, o, path) for o in matching]
        return None if any(p is None for p in problems) else problems[0]
    if isinstance(spec, ListOf):
        for i, item in enumerate(value):
            if problem := check(item, spec.item, (*path, i)):
                return problem
    elif isinstance(spec, MapOf):
        for key, item in value.items():
            if not isinstance(key, str):
                return path, f"key {key!r} must be a string"
            if problem := check(item, spec.value, (*path, key)):
                return problem
    elif isinstance(spec, Keys):
        return _check_keys(value, spec, path)
    return None


def _check_keys(value: dict[Any, Any], spec: Keys, path: Path) -> tuple[Path, str] | None:
    for key, item in value.items():
        if key not in spec.fields:
            known = ", ".join(spec.fields)
            return (*path, key), f"unknown key '{key}' (known: {known})"
        if problem := check(item, spec.fields[key], (*path, key)):
            return problem
    for key in sorted(spec.required - value.keys()):
        return path, f"missing required key '{key}'"
    return None


def _raise(node: Any, file: str, problem: tuple[Path, str], stage: str | None) -> None:
    path, message = problem
    keys = [k for k in path if isinstance(k, str)]
    # Name the key concerned unless the message already does.
    if keys and "key '" not in message and len(path) > (2 if stage else 0):
        message = f"'{'.'.join(str(k) for k in path[2 if stage else 0 :])}' {message}"
    line = line_of(node, *path)
    raise PipelineError(message, where=f"{file}:{line}" if line else file, stage=stage)


def validate(data: Any, node: Any, file: str) -> None:
    """Raise ``PipelineError`` for the first key or value DVC 3.67 would refuse."""
    if not isinstance(data, dict):
        line = line_of(node)
        where = f"{file}:{line}" if line else file
        raise PipelineError(f"a pipeline file must be a mapping, not {_kind(data)}", where=where)
    if top_problem := check(data, TOP, ()):
        _raise(node, file, top_problem, None)
    for name, stage in (data.get("stages") or {}).items():
        spec = (
            FOREACH if isinstance(stage, dict) and ("foreach" in stage or "do" in stage) else STAGE
        )
        problem: tuple[Path, str] | None
        if "@" in name or ":" in name:  # they separate generated names and file names
            problem = ("stages", name), "a stage name cannot contain '@' or ':'"
        elif isinstance(stage, dict) and "foreach" in stage and "matrix" in stage:
            problem = ("stages", name, "matrix"), "cannot be used together with 'foreach'"
        else:
            problem = check(stage, spec, ("stages", name))
        if problem:
            _raise(node, file, problem, name)
