"""Reading YAML: every trail module reads YAML through here (fast reads with libyaml keeping
line numbers, by ``yamlcore``'s YAML 1.2 parser); writing is ``yamlwrite``'s.

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
from typing import Any

from trail.errors import TrailError
from trail.errors import YamlError as YamlError  # the one YAML error, where readers look

_FORMAT = 2  # bump when the shape of what is remembered, or what is accepted, changes
_memo_dir: str | None = None


def remember_parses_in(directory: str | None) -> None:
    """Remember parsed files in ``directory`` (trail's private dir), or nowhere (``None``)."""
    global _memo_dir
    _memo_dir = directory


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


def load_results(text: str, path: str) -> Any:
    """A params or metrics document (no memo, no marks): ``yamlcore.ResultsLoader``, where a
    date stays the text it is."""
    from trail.yamlcore import ResultsLoader, parse

    return parse(text, path, True, ResultsLoader)[0]  # a SafeLoader: no Python objects
