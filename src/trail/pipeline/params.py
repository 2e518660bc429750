"""Params files: YAML, JSON, TOML and Python, read into plain data; dotted keys picked from them.

The reader is chosen by the file's suffix as DVC does (``.json``, ``.toml``, ``.py``; anything
else is YAML). A Python file contributes its top-level assignments of literals and, per class,
the literal class attributes and ``self.x = <literal>`` of ``__init__``.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Mapping
from typing import Any

from trail.errors import PipelineError
from trail.fsutil import read_text

_MISSING = object()


class ParamsFileError(PipelineError):
    """A params file is missing or cannot be read."""


def read_params(path: str, display: str | None = None, *, stage: str | None = None) -> Any:
    """The data of the params file at ``path``; ``display`` is how errors name it."""
    name = display or path
    try:
        text = read_text(path, name)
    except FileNotFoundError:
        raise ParamsFileError(f"params file '{name}' does not exist", stage=stage) from None
    except IsADirectoryError:
        raise ParamsFileError(f"params file '{name}' is a directory", stage=stage) from None
    return parse_params(text, name, stage=stage)


def parse_params(text: str, name: str, *, stage: str | None = None) -> Any:
    """Parse params text by the suffix of ``name``."""
    suffix = os.path.splitext(name)[1].lower()
    try:
        if suffix == ".json":
            import json

            return json.loads(text)
        if suffix == ".toml":
            import tomllib

            return tomllib.loads(text)
        if suffix == ".py":
            return _python_params(text, name)
        from trail.yamlio import load_with_nodes

        return load_with_nodes(text, name, core=True)[0]
    except PipelineError:
        raise
    except Exception as exc:  # each parser has its own error type; all mean "unreadable"
        from trail.errors import TrailError

        detail = str(exc) if isinstance(exc, TrailError) else f"{type(exc).__name__}: {exc}"
        raise ParamsFileError(f"cannot read params file '{name}': {detail}", stage=stage) from None


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _MISSING


def _assigned(stmt: ast.stmt) -> list[tuple[ast.expr, ast.expr]]:
    if isinstance(stmt, ast.Assign):
        return [(t, stmt.value) for t in stmt.targets]
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        return [(stmt.target, stmt.value)]
    return []


def _python_params(text: str, name: str) -> dict[str, Any]:
    try:
        tree = ast.parse(text, filename=name)
    except SyntaxError as exc:
        raise ParamsFileError(f"cannot read params file '{name}:{exc.lineno}': {exc.msg}") from None
    out: dict[str, Any] = {}
    for stmt in tree.body:
        for target, value in _assigned(stmt):
            if isinstance(target, ast.Name) and (v := _literal(value)) is not _MISSING:
                out[target.id] = v
        if isinstance(stmt, ast.ClassDef):
            out[stmt.name] = _class_params(stmt)
    return out


def _class_params(cls: ast.ClassDef) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for stmt in cls.body:
        for target, value in _assigned(stmt):
            if isinstance(target, ast.Name) and (v := _literal(value)) is not _MISSING:
                attrs[target.id] = v
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
            for sub in ast.walk(stmt):
                if not isinstance(sub, ast.stmt):
                    continue
                for target, value in _assigned(sub):
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "self"
                        and (v := _literal(value)) is not _MISSING
                    ):
                        attrs[target.attr] = v
    return attrs


def lookup(data: Any, key: str) -> Any:
    """The value at dotted ``key`` (``a.b.0``), or ``MISSING``."""
    if isinstance(data, Mapping) and key in data:
        return data[key]  # a key that itself holds a dot
    cur = data
    for part in key.split("."):
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return _MISSING
    return cur


MISSING = _MISSING


def select(data: Any, keys: Iterable[str]) -> tuple[dict[str, Any], list[str]]:
    """``({key: value}, [missing keys])`` for the dotted ``keys`` of ``data``."""
    found: dict[str, Any] = {}
    missing: list[str] = []
    for key in keys:
        value = lookup(data, key)
        if value is _MISSING:
            missing.append(key)
        else:
            found[key] = value
    return found, missing


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as one level of dotted keys; lists and scalars are leaves."""
    if not isinstance(data, Mapping):
        return {prefix: data} if prefix else {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, full))
        else:
            out[full] = value
    return out
