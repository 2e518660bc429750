"""Read a params file (yaml, json, toml, py) into a dict, for stage status and the lock file.

A small reader of the runner's own; the loader's ``pipeline.params`` covers templating.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from trail.errors import PipelineError


def load_params_file(path: str, relpath: str) -> dict[str, Any] | None:
    """The file's top-level mapping, or None when it does not exist."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return None
    ext = relpath.rsplit(".", 1)[-1].lower() if "." in relpath else ""
    try:
        data = _parse(text, ext, relpath)
    except (ValueError, SyntaxError) as exc:
        raise PipelineError(f"cannot read params: {exc}", where=relpath) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PipelineError("a params file must hold a mapping", where=relpath)
    return data


def _parse(text: str, ext: str, relpath: str) -> Any:
    if ext == "json":
        return json.loads(text) if text.strip() else None
    if ext == "toml":
        import tomllib

        return tomllib.loads(text)
    if ext == "py":
        return _python_params(text)
    from trail.yamlio import load_with_nodes

    return load_with_nodes(text, relpath)[0]


def _python_params(text: str) -> dict[str, Any]:
    """Top-level ``NAME = literal`` assignments (and class attributes, as ``Cls.attr``)."""
    values: dict[str, Any] = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef):
            inner = _python_params(ast.unparse(ast.Module(body=node.body, type_ignores=[])))
            values[node.name] = inner
            continue
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is None:
                continue
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            for t in targets:
                if isinstance(t, ast.Name):
                    values[t.id] = value
    return values
