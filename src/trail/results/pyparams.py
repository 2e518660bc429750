"""Params from a Python file: module-level ``NAME = literal`` and class attributes
(``Train.lr``), read with ``ast`` — the file is never run."""

from __future__ import annotations

import ast
from typing import Any

from trail.errors import ResultsFileError


def parse_python(path: str, text: str) -> dict[str, Any]:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise ResultsFileError(path, f"invalid Python: {exc.msg}", exc.lineno) from None
    return _assignments(tree.body)


def _assignments(body: list[ast.stmt]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for node in body:
        if isinstance(node, ast.ClassDef):
            inner = _assignments(node.body)
            if inner:
                found[node.name] = inner
            continue
        target, value = _target_and_value(node)
        if target is None or value is None:
            continue
        try:
            found[target] = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue  # computed values are code, not params
    return found


def _target_and_value(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    return None, None
