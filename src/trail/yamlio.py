"""YAML at the edges: fast reads with libyaml keeping line numbers, rewrites that keep comments.

Reads are remembered: ``remember_parses_in(dir)`` keeps the data parsed from each file's text in
that directory (one small ``marshal`` file per path, holding the text it came from), so reading an
unchanged pipeline, lock or params file again costs a string comparison instead of importing
PyYAML (~10 ms) and parsing. The data is a function of the text alone, so a remembered entry can
only be used for exactly the same text; line numbers, needed only for error messages, are found
by parsing the text again when asked.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from collections.abc import Callable
from typing import Any

from trail.errors import TrailError

_FORMAT = 2  # bump when the shape of what is remembered, or what is accepted, changes
_memo_dir: str | None = None


def remember_parses_in(directory: str | None) -> None:
    """Remember parsed files in ``directory`` (trail's private dir), or nowhere (``None``)."""
    global _memo_dir
    _memo_dir = directory


class YamlError(TrailError):
    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


class Marks:
    """Where the values of one parsed text sit, for ``line_of``; parsed again only if asked."""

    __slots__ = ("_core", "_node", "_path", "_text")

    def __init__(self, text: str, path: str, core: bool, node: Any = None) -> None:
        self._text, self._path, self._core, self._node = text, path, core, node

    def node(self) -> Any:
        if self._node is None:
            from trail.yamlcore import parse

            self._node = parse(self._text, self._path, self._core)[1]
        return self._node


def load_with_nodes(text: str, path: str, *, core: bool = False) -> tuple[Any, Marks]:
    """Parse ``text``; returns the data and its ``Marks`` (for file:line in later errors).

    ``core`` reads scalars by the YAML 1.2 core schema (see ``yamlcore.CoreLoader``).
    """
    memo = _memo_path(path, core)
    if memo is not None:
        found = _recall(memo, text)
        if found is not None:
            return found[0], Marks(text, path, core)
    from trail.yamlcore import parse

    data, node = parse(text, path, core)
    if memo is not None:
        _remember(memo, text, data)
    return data, Marks(text, path, core, node)


def _memo_path(path: str, core: bool) -> str | None:
    if _memo_dir is None:
        return None
    name = path.replace("%", "%25").replace("/", "%2F") + (".core" if core else "")
    return os.path.join(_memo_dir, name)


def _recall(memo: str, text: str) -> tuple[Any] | None:
    try:
        with open(memo, "rb") as f:
            fmt, stored, data = marshal.loads(f.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None  # missing, or written by another Python: parse instead
    return (data,) if fmt == _FORMAT and stored == text else None


def _remember(memo: str, text: str, data: Any) -> None:
    try:
        blob = marshal.dumps((_FORMAT, text, data))
    except ValueError:
        return  # dates and other values marshal cannot keep: such files are parsed each time
    from trail.fsutil import atomic_write

    with contextlib.suppress(OSError, TrailError):  # a memo that cannot be written is no loss
        os.makedirs(os.path.dirname(memo), exist_ok=True)
        atomic_write(memo, blob)


def line_of(marks: Marks | Any, *keys: str | int) -> int | None:
    """The 1-based line of the value at ``keys`` (or the nearest ancestor found)."""
    if marks is None:
        return None
    from trail.yamlcore import line_in

    return line_in(marks.node() if isinstance(marks, Marks) else marks, keys)


def dump(data: Any) -> str:
    """YAML exactly as DVC writes it (see ``yamlcore.dump``)."""
    from trail.yamlcore import dump as _dump

    return _dump(data)


def dump_preserving(original: str, data: dict[str, Any]) -> str:
    """Rewrite ``original`` to hold ``data`` while keeping its comments and key order."""
    import io

    from ruamel.yaml import YAML

    ry = YAML()
    ry.default_flow_style = False
    doc = ry.load(original)
    if not isinstance(doc, dict):
        return dump(data)
    _merge(doc, data)
    buf = io.StringIO()
    ry.dump(doc, buf)
    return buf.getvalue()


def edit_preserving(original: str, edit: Callable[[Any], None]) -> str:
    """``original`` parsed round-trip (comments and order kept), changed in place by ``edit``
    (given the document, a mapping; ``{}`` for an empty text), and written back as DVC writes
    the files it edits (ruamel's defaults, block style)."""
    import io

    from ruamel.yaml import YAML

    ry = YAML()
    ry.default_flow_style = False
    doc = ry.load(original) if original.strip() else None
    if doc is None:
        doc = {}
    edit(doc)
    buf = io.StringIO()
    ry.dump(doc, buf)
    return buf.getvalue()


def _merge(target: Any, new: Any) -> Any:
    if isinstance(target, dict) and isinstance(new, dict):
        for key in [k for k in target if k not in new]:
            del target[key]
        for key, value in new.items():
            target[key] = _merge(target[key], value) if key in target else value
        return target
    if isinstance(target, list) and isinstance(new, list):
        merged = [_merge(t, n) for t, n in zip(target, new, strict=False)]
        target[: len(merged)] = merged
        del target[len(new) :]
        target.extend(new[len(merged) :])
        return target
    return new
