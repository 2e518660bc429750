"""PyYAML's loaders and dumper as trail uses them; importing this module imports PyYAML (~10 ms),
so only code that really parses or writes YAML does (see ``yamlio``)."""

from __future__ import annotations

import re
from typing import Any

import yaml

try:
    Loader: type = yaml.CSafeLoader
    Dumper: type = yaml.CSafeDumper
except AttributeError:  # PyYAML built without libyaml
    Loader = yaml.SafeLoader
    Dumper = yaml.SafeDumper


def _core_int(loader: Any, node: Any) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if text.startswith(prefix):
            return sign * int(text[2:], base)
    return sign * int(text)


class _UniqueKeys:
    """Refuses a mapping that repeats a key, naming both lines, as DVC (ruamel) does: PyYAML
    would silently keep the last value."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                    continue
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key '{key_node.value}' (first on line {seen[key]})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)  # type: ignore[misc]


class PlainLoader(_UniqueKeys, Loader):  # type: ignore[misc]
    """PyYAML's safe loading (YAML 1.1 scalars), duplicate keys refused."""


class CoreLoader(_UniqueKeys, Loader):  # type: ignore[misc]
    """YAML 1.2 core-schema scalars, as DVC (ruamel) reads pipeline and params files.

    PyYAML follows YAML 1.1, where ``yes``/``on`` are booleans, ``010`` is octal and ``1e-3`` is
    a string; in 1.2 (and in DVC) they are the string ``yes``, the int 10 and the float 0.001.
    """

    yaml_implicit_resolvers: dict[str, list[Any]] = {}


class ResultsLoader(_UniqueKeys, Loader):  # type: ignore[misc]
    """``CoreLoader`` without timestamps, for params and metrics read as results: a date stays
    the text it is, so every value can be shown and written as JSON."""

    yaml_implicit_resolvers: dict[str, list[Any]] = {}


_CORE = (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^[-+]?(?:0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
        r"|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("merge", r"^(?:<<)$", "<"),
)
_TIMESTAMP = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9].*)?$"
for _loader, _extra in (
    (CoreLoader, (("timestamp", _TIMESTAMP, "0123456789"),)),
    (ResultsLoader, ()),
):
    for _tag, _regexp, _first in (*_CORE, *_extra):
        _loader.add_implicit_resolver(
            f"tag:yaml.org,2002:{_tag}", re.compile(_regexp), list(_first)
        )
    _loader.add_constructor("tag:yaml.org,2002:int", _core_int)


def parse(text: str, path: str, core: bool) -> tuple[Any, Any]:
    """``(data, node tree)`` of ``text``; a syntax error becomes ``YamlError`` with its line."""
    from trail.yamlio import YamlError

    try:
        loader = (CoreLoader if core else PlainLoader)(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = f"invalid YAML: {exc.problem or exc}"
        ctx = exc.context_mark
        if exc.context and ctx is not None and ctx.line + 1 != line:
            message += f" ({exc.context} from line {ctx.line + 1})"
        raise YamlError(path, line, message) from None
    except yaml.YAMLError as exc:
        raise YamlError(path, None, f"invalid YAML: {exc}") from None
    return data, node


def line_in(node: Any, keys: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the value at ``keys`` in a node tree (or its nearest ancestor)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if k.value == key:
                    line, nxt = k.start_mark.line + 1, v
                    break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
        if node is None:
            break
    return line


def dump(data: Any) -> str:
    """Block-style YAML laid out as DVC writes it (sequences not indented under their key)."""
    text = yaml.dump(
        data, Dumper=Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True
    )
    return str(text)
