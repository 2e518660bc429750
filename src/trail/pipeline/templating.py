"""``${}`` templating of pipeline files, with DVC's typing rules.

A string that is exactly one reference (``${train.epochs}``) becomes the referenced value with its
type; a reference inside longer text becomes text (booleans as ``true``/``false``); a mapping
inside ``cmd`` expands to ``--key value`` flags; ``\\${`` is an escaped, literal ``${``. Lists and
mappings may only be whole values of ``foreach``/``matrix`` (and mappings of ``cmd``).

``foreach`` and ``matrix`` generate stages named as DVC names them: ``name@<item>`` for a list of
scalars, ``name@<index>`` for a list of lists or mappings, ``name@<key>`` for a mapping, and
``name@v1-v2`` for a matrix (``key<i>`` for a composite value).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from itertools import product
from typing import Any

REF = re.compile(r"(?<!\\)\$\{(?P<inner>.*?)\}")
_PART = re.compile(r"\.?([^.\[\]]+)|\[([^.\[\]]+)\]")
_MISSING = object()


class TemplateError(Exception):
    """A reference that cannot be resolved; ``path`` is the key path inside the stage."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message, self.path = message, path


def parse_ref(expr: str) -> list[str]:
    """``a.b[0]`` → ``["a", "b", "0"]``; an invalid reference raises ``TemplateError``."""
    text = expr.strip()
    parts: list[str] = []
    pos = 0
    while pos < len(text):
        m = _PART.match(text, pos)
        if m is None or (pos == 0 and text.startswith((".", "["))):
            raise TemplateError(f"invalid reference '${{{expr}}}'")
        parts.append((m.group(1) or m.group(2)).strip())
        pos = m.end()
    if not parts:
        raise TemplateError("empty reference '${}'")
    return parts


def select(context: Mapping[str, Any], expr: str) -> Any:
    """The value ``expr`` names in ``context``."""
    cur: Any = context
    for part in parse_ref(expr):
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and _is_index(part, len(cur)):
            cur = cur[int(part)]
        else:
            raise TemplateError(f"could not find '{expr.strip()}' in vars or params")
    return cur


def _is_index(part: str, size: int) -> bool:
    return part.lstrip("-").isdigit() and -size <= int(part) < size


def to_text(value: Any) -> str:
    """How a value reads inside a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return _flags(value)
    return str(value)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            yield from _flatten(value, full)
        else:
            yield full, value


def _flags(data: Mapping[str, Any]) -> str:
    words: list[str] = []
    for key, value in _flatten(data):
        if isinstance(value, bool):
            if value:
                words.append(f"--{key}")
        elif isinstance(value, str):
            words.append(f"--{key} {shlex.quote(value)}")
        elif isinstance(value, list):
            items = []
            for item in value:
                if isinstance(item, (list, dict)):
                    raise TemplateError(f"cannot interpolate nested list in '{key}'")
                items.append(shlex.quote(item) if isinstance(item, str) else str(item))
            words.append(" ".join([f"--{key}", *items]) if items else "")
        else:
            words.append(f"--{key} {value}")
    return " ".join(w for w in words if w)


def _check_type(value: Any, key: str | None, expr: str) -> None:
    if value is None or isinstance(value, (str, int, float, bool)):
        return
    if key in ("foreach", "matrix"):
        return
    if isinstance(value, Mapping) and key == "cmd":
        return
    kind = "mapping" if isinstance(value, Mapping) else type(value).__name__
    raise TemplateError(f"cannot interpolate '${{{expr}}}': it is a {kind}, not a plain value")


def resolve_str(text: str, context: Mapping[str, Any], key: str | None = None) -> Any:
    """Resolve the references of one string (see the module docstring for the rules)."""
    matches = list(REF.finditer(text))
    if not matches:
        return text.replace("\\${", "${") if "\\${" in text else text
    if len(matches) == 1 and matches[0].group(0) == text:
        expr = matches[0]["inner"]
        value = select(context, expr)
        _check_type(value, key, expr)
        return value
    out, pos = [], 0
    for m in matches:
        value = select(context, m["inner"])
        _check_type(value, key, m["inner"])
        out += [text[pos : m.start()], to_text(value)]
        pos = m.end()
    out.append(text[pos:])
    return "".join(out).replace("\\${", "${")


def resolve(value: Any, context: Mapping[str, Any], key: str | None = None) -> Any:
    """Resolve every string in ``value``; ``key`` is the stage key it sits under."""
    return _resolve(value, context, key, ())


def _resolve(value: Any, context: Mapping[str, Any], key: str | None, path: tuple[Any, ...]) -> Any:
    try:
        if isinstance(value, str):
            return resolve_str(value, context, key)
    except TemplateError as exc:
        raise TemplateError(exc.message, path) from None
    if isinstance(value, dict):
        return {
            _resolve(k, context, key, path): _resolve(v, context, key, (*path, k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_resolve(v, context, key, (*path, i)) for i, v in enumerate(value)]
    return value


def is_composite(value: Any) -> bool:
    return isinstance(value, (Mapping, list))


def foreach_items(iterable: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(generated key, context additions)`` per element of a resolved ``foreach`` value."""
    if isinstance(iterable, Mapping):
        return [(to_text(k), {"key": k, "item": v}) for k, v in iterable.items()]
    if not isinstance(iterable, list):
        raise TemplateError(f"'foreach' must be a list or a mapping, not {type(iterable).__name__}")
    if any(is_composite(v) for v in iterable):
        return [(str(i), {"item": v}) for i, v in enumerate(iterable)]
    return [(to_text(v), {"item": v}) for v in iterable]


def matrix_items(matrix: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(generated key, context additions)`` per combination of a resolved ``matrix``."""
    for name, values in matrix.items():
        if not isinstance(values, list):
            raise TemplateError(f"matrix '{name}' must be a list", (name,))
    out = []
    axes = [list(enumerate(v)) for v in matrix.values()]
    for combination in product(*axes):
        item: dict[str, Any] = {}
        fragments = []
        for name, (i, v) in zip(matrix, combination, strict=True):
            item[name] = v
            fragments.append(f"{name}{i}" if is_composite(v) else to_text(v))
        key = "-".join(fragments)
        out.append((key, {"key": key, "item": item}))
    return out


def merge_vars(into: dict[str, Any], new: Mapping[str, Any], source: str) -> None:
    """Merge ``new`` into ``into``; redefining a plain value is an error, as in DVC."""
    for key, value in new.items():
        old = into.get(key, _MISSING)
        if isinstance(old, dict) and isinstance(value, Mapping):
            merge_vars(old, value, source)
        elif old is not _MISSING:
            raise TemplateError(f"cannot redefine '{key}' from '{source}'")
        else:
            into[key] = _copy(value)


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
