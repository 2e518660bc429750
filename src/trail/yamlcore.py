"""The one YAML reader: PyYAML's fast C parser set to the YAML 1.2 core schema, as DVC (ruamel)
reads. Importing this module imports PyYAML (~10 ms), so it is imported only by ``yamlio`` (the
remembered reads everything else calls) and ``yamlwrite`` (whose fast path quotes by these
resolvers), and by code that needs the node tree itself (``ops.freeze``)."""

from __future__ import annotations

import re
from typing import Any

import yaml

# The node types, for the few callers that walk the tree (their spans give exact edits).
from yaml import CollectionNode as CollectionNode
from yaml import MappingNode as MappingNode
from yaml import ScalarNode as ScalarNode
from yaml import SequenceNode as SequenceNode

from trail.errors import YamlError

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
# The timestamp forms of yaml.org/type/timestamp.html, as ruamel (DVC) resolves them: a date is
# ``YYYY-MM-DD`` with two-digit month and day; ``2001-1-1`` alone is text.
_TIMESTAMP = (
    r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)"
    r"[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$"
)
for _loader, _extra in (
    (CoreLoader, (("timestamp", _TIMESTAMP, "0123456789"),)),
    (ResultsLoader, ()),
):
    for _tag, _regexp, _first in (*_CORE, *_extra):
        _loader.add_implicit_resolver(
            f"tag:yaml.org,2002:{_tag}", re.compile(_regexp), list(_first)
        )
    _loader.add_constructor("tag:yaml.org,2002:int", _core_int)


def parse(text: str, path: str, core: bool, loader: type | None = None) -> tuple[Any, Any]:
    """``(data, node tree)`` of ``text``; a syntax error becomes ``YamlError`` with its line, as
    does a document whose aliases would expand without bound (see ``check_aliases``).
    ``loader`` overrides the class ``core`` picks."""
    try:
        loader_obj = (loader or (CoreLoader if core else PlainLoader))(text)
        try:
            node = loader_obj.get_single_node()
            if node is not None and "*" in text:  # no alias without an asterisk
                check_aliases(node, path)
            data = loader_obj.construct_document(node) if node is not None else None
        finally:
            loader_obj.dispose()
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


# Values that aliases may add to a document once expanded. Anchors that share a block of
# settings add hundreds; a "billion laughs" (nine aliases of nine aliases of ...) adds 10^9, and
# every reader that walks the data (templating, flattening params) would hang on it.
MAX_ALIASED_VALUES = 100_000


def check_aliases(root: Any, path: str) -> None:
    """Refuse a node tree whose aliases expand past ``MAX_ALIASED_VALUES`` extra values, or
    that holds itself (a recursive alias): one pass over the distinct nodes."""
    sizes: dict[int, int] = {}  # id(node) -> values it stands for, expanded
    open_nodes: set[int] = set()  # the nodes being expanded: the ancestors of the current one
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        kids = _children(node)
        if done:
            open_nodes.discard(key)
            sizes[key] = size = 1 + sum(sizes[id(k)] for k in kids)
            if size - len(sizes) > MAX_ALIASED_VALUES:
                raise YamlError(
                    path,
                    node.start_mark.line + 1,
                    f"aliases expand to more than {MAX_ALIASED_VALUES:,} values (a YAML alias "
                    "bomb?): refusing to read it",
                )
            continue
        if key in sizes:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for kid in kids:
            if id(kid) in open_nodes:
                raise YamlError(
                    path, kid.start_mark.line + 1, "a recursive alias (a value that holds itself)"
                )
            if id(kid) not in sizes:
                stack.append((kid, False))


def _children(node: Any) -> list[Any]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def line_in(node: Any, keys: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the value at ``keys`` in a node tree (or its nearest ancestor)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in keys:
        if isinstance(node, MappingNode):
            nxt = None
            for k, v in node.value:
                if k.value == key:
                    line, nxt = k.start_mark.line + 1, v
                    break
            node = nxt
        elif isinstance(node, SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
        if node is None:
            break
    return line
