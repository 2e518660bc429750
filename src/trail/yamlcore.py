"""PyYAML's loaders and dumper as trail uses them; importing this module imports PyYAML (~10 ms),
so only code that really parses or writes YAML does (see ``yamlio``)."""

from __future__ import annotations

import functools
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


class CoreLoader(Loader):  # type: ignore[misc]
    """YAML 1.2 core-schema scalars, as DVC (ruamel) reads pipeline and params files.

    PyYAML follows YAML 1.1, where ``yes``/``on`` are booleans, ``010`` is octal and ``1e-3`` is
    a string; in 1.2 (and in DVC) they are the string ``yes``, the int 10 and the float 0.001.
    """

    yaml_implicit_resolvers: dict[str, list[Any]] = {}


class ResultsLoader(Loader):  # type: ignore[misc]
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
    from trail.yamlio import YamlError

    try:
        loader_obj = (loader or (CoreLoader if core else Loader))(text)
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
    from trail.yamlio import YamlError

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
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


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
    import io

    from ruamel.yaml import YAML

    ruamel = YAML()
    ruamel.default_flow_style = False
    buf = io.StringIO()
    ruamel.dump(data, buf)
    return buf.getvalue()


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
