"""YAML at the edges: fast reads with libyaml keeping line numbers, rewrites that keep comments."""

from __future__ import annotations

import re
from typing import Any

import yaml

from trail.errors import TrailError

try:
    _Loader: type = yaml.CSafeLoader
    _Dumper: type = yaml.CSafeDumper
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper


def _core_int(loader: Any, node: Any) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if text.startswith(prefix):
            return sign * int(text[2:], base)
    return sign * int(text)


class CoreLoader(_Loader):  # type: ignore[misc]
    """YAML 1.2 core-schema scalars, as DVC (ruamel) reads pipeline and params files.

    PyYAML follows YAML 1.1, where ``yes``/``on`` are booleans, ``010`` is octal and ``1e-3`` is
    a string; in 1.2 (and in DVC) they are the string ``yes``, the int 10 and the float 0.001.
    """

    yaml_implicit_resolvers: dict[str, list[Any]] = {}


for _tag, _regexp, _first in (
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
    ("timestamp", r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9].*)?$", "0123456789"),
):
    CoreLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_regexp), list(_first))
CoreLoader.add_constructor("tag:yaml.org,2002:int", _core_int)


class YamlError(TrailError):
    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


def load_with_nodes(text: str, path: str, *, core: bool = False) -> tuple[Any, yaml.Node | None]:
    """Parse ``text``; returns the data and the node tree (for file:line in later errors).

    ``core`` reads scalars by the YAML 1.2 core schema (see ``CoreLoader``).
    """
    try:
        loader = (CoreLoader if core else _Loader)(text)
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


def line_of(node: yaml.Node | None, *keys: str | int) -> int | None:
    """The 1-based line of the value at ``keys`` (or the nearest ancestor found)."""
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
    return str(
        yaml.dump(
            data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True
        )
    )


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
