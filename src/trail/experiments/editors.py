"""Edits of params files that keep what the format allows: YAML comments and order (ruamel,
as DVC writes them), TOML comments (tomlkit), JSON key order and indentation, and Python
source as written (only the literal being changed is replaced).

Every edit is first checked on the plain data (YAML read as DVC reads it): the key must exist
(or not, for ``+key``), and a new value must have the old one's kind (a number stays a number;
a string param given ``3`` gets the text ``"3"``).
"""

from __future__ import annotations

import ast
import copy
import json
import os
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

from trail.experiments.errors import SetParamError
from trail.experiments.setparams import SetParam

_ABSENT = object()


def edit(path: str, data: bytes, edits: Sequence[SetParam]) -> bytes:
    """The bytes of ``path`` after ``edits`` (in order), or ``SetParamError``."""
    from trail.errors import PipelineError
    from trail.results.loaders import ResultsFileError, file_format

    fmt = file_format(path)
    if fmt not in ("yaml", "json", "toml", "py"):
        raise SetParamError(edits[0].spec, f"'{path}' is not a params file (yaml/json/toml/py)")
    try:
        plain = _plain(path, fmt, data)
    except (ResultsFileError, PipelineError) as exc:
        raise SetParamError(edits[0].spec, str(exc)) from None
    plain = {} if plain is None else plain
    if not isinstance(plain, dict):
        raise SetParamError(edits[0].spec, f"'{path}' does not hold a mapping of params")
    plain = copy.deepcopy(plain)
    checked = [(s, _check(plain, s, path)) for s in edits]
    text = data.decode("utf-8-sig")
    writer = {"yaml": _yaml, "json": _json, "toml": _toml, "py": _python}[fmt]
    return writer(text, checked, path).encode("utf-8")


# -- checks on plain data -----------------------------------------------------------------


def _plain(path: str, fmt: str, data: bytes) -> Any:
    """The file's values as trail reads params (Python: as the pipeline reads them, with
    ``self.x`` of ``__init__``)."""
    if fmt == "py":
        from trail.pipeline.params import parse_params

        return parse_params(data.decode("utf-8-sig"), path)
    from trail.results.loaders import parse_structured

    return parse_structured(path, data)


def plan(root: str, sets: Sequence[SetParam]) -> dict[str, bytes]:
    """The new contents of each params file ``sets`` changes (repo-relative path → bytes).
    Every edit is checked first: a missing file, key or a value of the wrong type raises
    ``SetParamError`` before anything is written."""
    by_file: dict[str, list[SetParam]] = {}
    for s in sets:
        if len(s.values) > 1:
            raise SetParamError(
                s.spec, "several values make a grid: queue it with `trail exp run --queue`"
            )
        by_file.setdefault(_relpath(root, s), []).append(s)
    out = {}
    for path, edits in by_file.items():
        try:
            with open(os.path.join(root, path), "rb") as f:
                data = f.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise SetParamError(edits[0].spec, f"params file '{path}' does not exist") from None
        out[path] = edit(path, data, edits)
    return out


def write(root: str, contents: Mapping[str, bytes]) -> None:
    """Write the planned files, each atomically."""
    from trail.fsutil import atomic_write

    for path, data in contents.items():
        full = os.path.join(root, path)
        atomic_write(full, data, mode=os.stat(full).st_mode & 0o7777)


def _relpath(root: str, s: SetParam) -> str:
    """The file of an edit, relative to the repository root (as typed, from the cwd)."""
    from trail.errors import PathOutsideRepoError
    from trail.paths import repo_relpath

    try:
        return repo_relpath(root, s.file)
    except PathOutsideRepoError:
        raise SetParamError(s.spec, f"'{s.file}' is outside the repository") from None


def _locate(doc: Any, s: SetParam, path: str, create: Any = None) -> tuple[Any, str | int]:
    """(container, last key) of ``s.key`` in ``doc``; with ``create`` missing mappings on the
    way are made by calling it."""
    if isinstance(doc, Mapping) and s.key in doc:
        return doc, s.key  # a key that itself holds dots
    parts = s.key.split(".")
    cur = doc
    for i, part in enumerate(parts[:-1]):
        nxt = _get(cur, part)
        if nxt is _ABSENT and create is not None and isinstance(cur, MutableMapping):
            cur[part] = create()
            nxt = cur[part]
        if nxt is _ABSENT:
            where = ".".join(parts[: i + 1])
            raise SetParamError(s.spec, f"'{where}' is not in {path}{_hint(s)}")
        if not isinstance(nxt, Mapping | list) and not _is_seq(nxt):
            where = ".".join(parts[: i + 1])
            raise SetParamError(s.spec, f"'{where}' in {path} is a {_kind(nxt)}, not a mapping")
        cur = nxt
    last = parts[-1]
    if _is_seq(cur):
        if not last.isdigit():
            raise SetParamError(s.spec, f"'{s.key}' indexes a list of {path} with '{last}'")
        return cur, int(last)
    return cur, last


def _is_seq(value: Any) -> bool:
    return isinstance(value, MutableSequence) and not isinstance(value, str | bytes)


def _get(container: Any, key: str | int) -> Any:
    if _is_seq(container):
        index = int(key) if isinstance(key, int) or key.isdigit() else -1
        return container[index] if 0 <= index < len(container) else _ABSENT
    if isinstance(container, Mapping):
        return container.get(key, _ABSENT)
    return _ABSENT


def _hint(s: SetParam) -> str:
    return f" (add it with +{s.key}=…)" if s.op == "set" else ""


def _check(plain: dict[str, Any], s: SetParam, path: str) -> Any:
    """The value to write for ``s`` (None for a delete), applied to ``plain`` as well so the
    next edit sees it."""
    parent, last = _locate(plain, s, path, create=dict if s.op in ("add", "upsert") else None)
    old = _get(parent, last)
    if s.op in ("set", "delete") and old is _ABSENT:
        raise SetParamError(s.spec, f"'{s.key}' is not in {path}{_hint(s)}")
    if s.op == "add" and old is not _ABSENT:
        raise SetParamError(s.spec, f"'{s.key}' is already in {path} (set it with {s.key}=…)")
    if s.op == "delete":
        del parent[last]
        return None
    new = s.value if old is _ABSENT else _coerce(old, s, path)
    if _is_seq(parent) and old is _ABSENT:
        raise SetParamError(s.spec, f"'{s.key}': index {last} is past the end of its list")
    parent[last] = new
    return new


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


def _coerce(old: Any, s: SetParam, path: str) -> Any:
    new = s.value
    old_kind, new_kind = _kind(old), _kind(new)
    if old_kind == new_kind or "null" in (old_kind, new_kind):
        return new
    if old_kind == "string" and new_kind in ("number", "boolean"):
        return s.texts[0]  # a string param given 3 means the text "3"
    raise SetParamError(
        s.spec, f"'{s.key}' in {path} is a {old_kind} ({old!r}), not a {new_kind} ({new!r})"
    )


# -- writers --------------------------------------------------------------------------------


def _apply(doc: Any, checked: list[tuple[SetParam, Any]], path: str, make: Any) -> None:
    for s, value in checked:
        parent, last = _locate(doc, s, path, create=make)
        if s.op == "delete":
            del parent[last]
        else:
            parent[last] = value


def _yaml(text: str, checked: list[tuple[SetParam, Any]], path: str) -> str:
    from trail.yamlwrite import commented_map, round_trip, write

    ry = round_trip()  # DVC's own settings for -S, so both tools write the same bytes
    doc = ry.load(text) or commented_map()()
    _apply(doc, checked, path, commented_map())
    return write(ry, doc)


def _json(text: str, checked: list[tuple[SetParam, Any]], path: str) -> str:
    doc = json.loads(text) if text.strip() else {}
    _apply(doc, checked, path, dict)
    indent = _json_indent(text)
    out = json.dumps(doc, indent=indent, ensure_ascii=False)
    return out + ("\n" if text.endswith("\n") else "")


def _json_indent(text: str) -> int | str | None:
    """The indentation of the original file (None: all on one line)."""
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            lead = line[: len(line) - len(stripped)]
            return "\t" if lead.startswith("\t") else len(lead)
    return None


def _toml(text: str, checked: list[tuple[SetParam, Any]], path: str) -> str:
    import tomlkit

    doc = tomlkit.parse(text)
    for s, value in checked:
        if value is None and s.op != "delete":
            raise SetParamError(s.spec, "TOML has no null value")
    _apply(doc, checked, path, tomlkit.table)
    return tomlkit.dumps(doc)


def _python(text: str, checked: list[tuple[SetParam, Any]], path: str) -> str:
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    # Replaced source ranges (1-based lines) by where they start: a later edit of the same
    # key replaces an earlier one.
    spans: dict[tuple[int, int], tuple[int, int, int, int, str]] = {}
    added: list[str] = []
    for s, value in checked:
        node = _py_value_node(tree, s.key)
        if s.op == "delete":
            stmt = _py_statement(tree, node)
            if stmt is None:
                raise SetParamError(s.spec, f"cannot delete '{s.key}' from {path}")
            spans[stmt.lineno, 0] = (stmt.lineno, 0, (stmt.end_lineno or stmt.lineno) + 1, 0, "")
        elif node is not None:
            end = (node.end_lineno or node.lineno, node.end_col_offset or 0)
            spans[node.lineno, 0] = (node.lineno, node.col_offset, *end, repr(value))
        elif "." in s.key:
            raise SetParamError(s.spec, f"cannot add '{s.key}' to {path}: only top-level names")
        else:
            added.append(f"{s.key} = {value!r}\n")
    data = [line.encode("utf-8") for line in lines] + [b""]
    for l1, c1, l2, c2, new in sorted(spans.values(), reverse=True):
        before = data[l1 - 1][:c1]
        after = data[l2 - 1][c2:] if l2 - 1 < len(data) else b""
        data[l1 - 1 : l2] = [before + new.encode("utf-8") + after]
    out = b"".join(data).decode("utf-8")
    if added:
        out += ("" if not out or out.endswith("\n") else "\n") + "".join(added)
    try:
        ast.parse(out)
    except SyntaxError as exc:  # never write a file Python cannot read
        raise SetParamError(
            checked[0][0].spec, f"editing {path} would break it: {exc.msg}"
        ) from None
    return out


def _py_value_node(tree: ast.Module, key: str) -> ast.expr | None:
    """The literal assigned to ``NAME`` or ``Class.attr`` (class body or ``self.attr`` in
    ``__init__``), as trail reads Python params."""
    parts = key.split(".")
    if len(parts) == 1:
        return _assigned_in(tree.body, parts[0])
    if len(parts) != 2:
        return None
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == parts[0]:
            found = _assigned_in(stmt.body, parts[1])
            if found is not None:
                return found
            for sub in stmt.body:
                if isinstance(sub, ast.FunctionDef) and sub.name == "__init__":
                    return _self_assigned(sub, parts[1])
    return None


def _assigned_in(body: list[ast.stmt], name: str) -> ast.expr | None:
    found = None
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            found = value  # the last assignment wins, as when the file runs
    return found


def _self_assigned(func: ast.FunctionDef, attr: str) -> ast.expr | None:
    for sub in ast.walk(func):
        if isinstance(sub, ast.Assign):
            for t in sub.targets:
                if (
                    isinstance(t, ast.Attribute)
                    and isinstance(t.value, ast.Name)
                    and t.value.id == "self"
                    and t.attr == attr
                ):
                    return sub.value
    return None


def _py_statement(tree: ast.Module, value: ast.expr | None) -> ast.stmt | None:
    """The top-level or class-level assignment whose value is ``value`` (one target only)."""
    if value is None:
        return None
    for stmt in ast.walk(tree):
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is value:
            single = not isinstance(stmt, ast.Assign) or len(stmt.targets) == 1
            return stmt if single else None
    return None
