"""YAML at the edges: fast reads with libyaml keeping line numbers, rewrites that keep comments."""

from __future__ import annotations

from typing import Any

import yaml

from trail.errors import TrailError

try:
    _Loader: type = yaml.CSafeLoader
    _Dumper: type = yaml.CSafeDumper
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper


class YamlError(TrailError):
    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


def load_with_nodes(text: str, path: str) -> tuple[Any, yaml.Node | None]:
    """Parse ``text``; returns the data and the node tree (for file:line in later errors)."""
    try:
        loader = _Loader(text)
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
