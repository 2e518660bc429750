"""Writing YAML: the one writer of pointer files, lock files and run-cache entries (``dump``)
and of the files trail edits while keeping comments and order (ruamel round-trip). Every ruamel
instance trail uses comes from ``round_trip``, set up as DVC sets up its own, so both tools
write the same bytes. Reading is ``yamlio``'s."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import Any

import yaml

from trail.yamlcore import CoreLoader, Dumper


def round_trip(*, preserve_quotes: bool = False, width: int | None = None) -> Any:
    """A ruamel ``YAML`` for round-trip edits, as DVC writes what it edits: ruamel's defaults,
    block style. ``preserve_quotes`` and ``width`` keep more of a hand-written file as it was.
    (A fresh instance each time: a ruamel ``YAML`` holds state while it loads and dumps.)"""
    from ruamel.yaml import YAML

    ry = YAML()
    ry.default_flow_style = False
    if preserve_quotes:
        ry.preserve_quotes = True
    if width is not None:
        ry.width = width
    return ry


def commented_map() -> type:
    """ruamel's mapping type, for keys an edit adds (it keeps their comments and order)."""
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap


def write(ry: Any, doc: Any) -> str:
    """``doc`` as the ruamel instance ``ry`` writes it."""
    buf = io.StringIO()
    ry.dump(doc, buf)
    return buf.getvalue()


def dump(data: Any) -> str:
    """YAML exactly as DVC writes it (ruamel.yaml, block style): the one writer of pointer files,
    lock files and run-cache entries.

    Most of them hold only short plain strings, numbers and booleans; for those PyYAML, told to
    resolve scalars by YAML 1.2 and to write floats and nulls as ruamel does, gives the same bytes
    without importing ruamel (~20 ms). Anything else (long, quoted or unusual text) goes through
    ruamel. Strings YAML 1.2 would read as something else are quoted (``'1e3'``, ``'null'``),
    others are not (``on``, ``yes``), as DVC writes them.
    """
    if _simple(data):
        text = yaml.dump(
            data, Dumper=_fast_dumper(), sort_keys=False, default_flow_style=False, width=80
        )
        return str(text)
    return write(round_trip(), data)


def _simple(value: Any, col: int = 0) -> bool:
    """Only values both writers lay out alike: plain text, numbers and booleans on lines inside
    the 80 columns where the two wrap differently; no nulls. ``col`` is where the value's keys
    (a mapping) or dashes (a sequence, not indented under its key) start."""
    if isinstance(value, dict):
        return all(_simple_text(k) and _fits(v, col, _width(k) + 2) for k, v in value.items())
    if isinstance(value, list):
        return all(_fits(v, col, 2) for v in value)
    return False


def _fits(value: Any, col: int, lead: int) -> bool:
    if isinstance(value, dict):
        return _simple(value, col + 2)
    if isinstance(value, list):
        return _simple(value, col if lead > 2 else col + 2)
    if isinstance(value, str):
        if not _simple_text(value):
            return False
    elif value is None or not isinstance(value, bool | int | float):
        return False
    return col + lead + _width(value) <= 79


def _width(value: Any) -> int:
    """Columns a scalar takes when written (quotes around text YAML 1.2 reads otherwise)."""
    if not isinstance(value, str):
        return len(repr(value))
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return len(value) + (2 if tag != _STR_TAG else 0)


class _Resolver(yaml.resolver.BaseResolver):
    yaml_implicit_resolvers = CoreLoader.yaml_implicit_resolvers


_RESOLVER = _Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def _simple_text(text: Any) -> bool:
    if not isinstance(text, str) or not text or len(text) > 70:
        return False
    ok = all(c.isalnum() or c in " _./@+=,-" for c in text)
    return ok and text[0].isalnum() and text[-1] != " " and text.isascii()


@functools.cache
def _fast_dumper() -> type:
    class FastDumper(Dumper):  # type: ignore[misc]
        # Quote exactly the strings YAML 1.2 would read as something else ('1e3', not 'yes').
        yaml_implicit_resolvers = CoreLoader.yaml_implicit_resolvers

    def float_repr(dumper: Any, value: float) -> Any:
        if value != value:
            text = ".nan"
        elif value in (float("inf"), float("-inf")):
            text = ".inf" if value > 0 else "-.inf"
        else:
            text = repr(value).lower()  # 1e-05, as ruamel writes it (PyYAML: 1.0e-05)
        return dumper.represent_scalar("tag:yaml.org,2002:float", text)

    def none_repr(dumper: Any, _value: None) -> Any:
        return dumper.represent_scalar("tag:yaml.org,2002:null", "")  # ruamel: an empty value

    FastDumper.add_representer(float, float_repr)
    FastDumper.add_representer(type(None), none_repr)
    return FastDumper


def dump_preserving(original: str, data: dict[str, Any]) -> str:
    """Rewrite ``original`` to hold ``data`` while keeping its comments and key order."""
    ry = round_trip()
    doc = ry.load(original)
    if not isinstance(doc, dict):
        return dump(data)
    _merge(doc, data)
    return write(ry, doc)


def edit_preserving(original: str, edit: Callable[[Any], None]) -> str:
    """``original`` parsed round-trip (comments and order kept), changed in place by ``edit``
    (given the document, a mapping; ``{}`` for an empty text), and written back as DVC writes
    the files it edits (ruamel's defaults, block style)."""
    ry = round_trip()
    doc = ry.load(original) if original.strip() else None
    if doc is None:
        doc = {}
    edit(doc)
    return write(ry, doc)


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
