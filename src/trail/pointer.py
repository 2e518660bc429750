"""Pointer files (``data.trail``, ``data.dvc``): read strictly, written as DVC writes them.

Entries are DVC 3's: ``<algo>: <hex>[.dir], size, nfiles, isexec, hash: <algo>, path`` and then
per-output options. An entry with no ``hash:`` key is DVC 2's (md5 of dos2unix'ed text).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from trail import hashing
from trail.errors import PointerFileError, UnsafePathError
from trail.fsutil import atomic_write_text
from trail.manifest import format_oid, parse_oid
from trail.paths import safe_relpath
from trail.types import Meta, Oid

TOP_KEYS = ("desc", "md5", "cmd", "wdir", "frozen", "deps", "outs", "always_changed", "meta")
OPTION_KEYS = ("desc", "type", "labels", "meta", "cache", "persist", "remote", "push")
HASH_KEYS = ("md5", "blake3", "etag", "checksum")
OUT_KEYS = frozenset(
    (
        "path",
        "hash",
        "size",
        "nfiles",
        "isexec",
        "files",
        "cloud",
        "version_aware",
        *HASH_KEYS,
        *OPTION_KEYS,
    )
)
_TYPES: dict[str, type | tuple[type, ...]] = {
    "path": str,
    "hash": str,
    "size": int,
    "nfiles": int,
    "isexec": bool,
    "desc": str,
    "type": str,
    "labels": list,
    "meta": dict,
    "cache": bool,
    "persist": bool,
    "remote": str,
    "push": bool,
    "md5": str,
    "blake3": str,
}


@dataclass(frozen=True)
class Output:
    path: str  # as written: posix, relative to the pointer file's directory
    oid: Oid | None
    meta: Meta = field(default_factory=Meta)
    options: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # keys trail keeps but does not use

    @property
    def use_cache(self) -> bool:
        return bool(self.options.get("cache", True))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.oid is not None:
            legacy = self.oid.algo == "md5-dos2unix"
            d["md5" if legacy else self.oid.algo] = format_oid(self.oid)
            if self.meta.size is not None:
                d["size"] = self.meta.size
            if self.meta.nfiles is not None:
                d["nfiles"] = self.meta.nfiles
            if self.meta.isexec:
                d["isexec"] = True
            d.update(self.extra)
            if not legacy:
                d["hash"] = self.oid.algo
        else:
            d.update(self.extra)  # ``hash: md5`` of an import not downloaded yet
        d["path"] = self.path
        for key in OPTION_KEYS:
            if key in self.options:
                d[key] = self.options[key]
        return d


@dataclass(frozen=True)
class PointerFile:
    path: str  # repo-relative posix path of the pointer file itself
    outs: tuple[Output, ...]
    top: dict[str, Any] = field(default_factory=dict)  # other top-level keys, kept as read
    text: str | None = None  # the text read, so a rewrite can keep comments

    @property
    def dir(self) -> str:
        d = os.path.dirname(self.path)
        return d or "."

    def out_relpath(self, out: Output) -> str:
        """The output's path relative to the repository root."""
        return out.path if self.dir == "." else f"{self.dir}/{out.path}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for key in TOP_KEYS:
            if key == "outs":
                d["outs"] = [o.to_dict() for o in self.outs]
            elif key in self.top:
                d[key] = self.top[key]
        for key, value in self.top.items():
            if key not in d:
                d[key] = value
        return d

    def with_outs(self, outs: tuple[Output, ...]) -> PointerFile:
        return replace(self, outs=outs)


def load(root: str, relpath: str) -> PointerFile:
    path = os.path.join(root, relpath)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise PointerFileError(relpath, "does not exist") from None
    except UnicodeDecodeError:
        raise PointerFileError(relpath, "is not UTF-8 text") from None
    return parse(text, relpath)


def parse(text: str, relpath: str) -> PointerFile:
    data = _fast_load(text)
    if data is not None:
        try:
            return _from_data(data, relpath, None, text)
        except PointerFileError:
            pass  # parse again with YAML, which knows the lines, for the message
    from trail.yamlio import YamlError, load_with_nodes

    try:
        data, node = load_with_nodes(text, relpath, core=True)  # YAML 1.2, as DVC reads it
    except YamlError as exc:
        raise PointerFileError(relpath, exc.message, exc.line) from None
    return _from_data(data, relpath, node, text)


def _from_data(data: Any, relpath: str, node: Any, text: str) -> PointerFile:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PointerFileError(relpath, "expected a mapping at the top level", 1)
    for key in data:
        if key not in TOP_KEYS:
            raise PointerFileError(relpath, f"unknown key '{key}'", _line(node, key))
    raw_outs = data.get("outs", [])
    if not isinstance(raw_outs, list):
        raise PointerFileError(relpath, "'outs' must be a list", _line(node, "outs"))
    outs = tuple(_parse_out(o, relpath, node, i) for i, o in enumerate(raw_outs))
    if "deps" in data:
        from trail.importdeps import parse_deps

        parse_deps(data["deps"], relpath, _line(node, "deps"))
    top = {k: v for k, v in data.items() if k != "outs"}
    return PointerFile(relpath, outs, top, text)


def _line(node: Any, *keys: str | int) -> int | None:
    if node is None:
        return None
    from trail.yamlio import line_of

    return line_of(node, *keys)


_PLAIN_FIRST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_PLAIN_REST = _PLAIN_FIRST | frozenset("0123456789./-")
_YAML_WORDS = frozenset(("y", "n", "yes", "no", "on", "off", "null", "true", "false"))
_HEX = frozenset("0123456789abcdef")


def _scalar(value: str) -> object:
    """A value of the canonical layout, or ``_NOT_PLAIN`` when only YAML can say what it is."""
    if value.isascii() and value.isdigit() and (value == "0" or value[0] != "0"):
        return int(value)
    if value in ("true", "false"):
        return value == "true"
    head = value[:-4] if value.endswith(".dir") else value
    if head and len(head) in (32, 64) and set(head) <= _HEX:
        return value
    if (
        value
        and value[0] in _PLAIN_FIRST
        and set(value) <= _PLAIN_REST
        and value.lower() not in _YAML_WORDS
    ):
        return value
    return _NOT_PLAIN


_NOT_PLAIN = object()


def _fast_load(text: str) -> dict[str, Any] | None:
    """Read the layout trail and DVC write for a plain ``add`` without loading a YAML library.

    Anything else (comments, quoting, nesting, other keys) returns None and YAML reads it.
    """
    lines = text.split("\n")
    if not lines or lines[0] != "outs:" or lines[-1] != "":
        return None
    outs: list[dict[str, Any]] = []
    for line in lines[1:-1]:
        if line.startswith("- "):
            cur: dict[str, Any] = {}
            outs.append(cur)
        elif not line.startswith("  ") or not outs:
            return None
        key, sep, value = line[2:].partition(": ")
        if not sep or not key.isidentifier() or key in cur:
            return None
        parsed = _scalar(value)
        if parsed is _NOT_PLAIN:
            return None
        cur[key] = parsed
    return {"outs": outs}


def _parse_out(raw: Any, relpath: str, node: Any, i: int) -> Output:
    def fail(msg: str, *keys: str) -> PointerFileError:
        return PointerFileError(relpath, msg, _line(node, "outs", i, *keys))

    if isinstance(raw, str):
        raw = {"path": raw}
    if not isinstance(raw, dict):
        raise fail("each entry of 'outs' must be a mapping")
    name = raw.get("hash")
    if isinstance(name, str) and name not in hashing.ALGORITHMS:
        raise fail(f"unknown hash name '{name}' (known: blake3, md5)", "hash")
    for key, value in raw.items():
        if key not in OUT_KEYS:
            raise fail(f"unknown key '{key}' in outs", key)
        want = _TYPES.get(key)
        if want is not None and (
            not isinstance(value, want) or (want is int and isinstance(value, bool))
        ):
            raise fail(f"'{key}' must be {_type_name(want)}, not {value!r}", key)
    if "path" not in raw:
        raise fail("an entry of 'outs' has no 'path'")
    try:
        path = safe_relpath(raw["path"], relpath)
    except UnsafePathError as exc:
        raise fail(str(exc), "path") from None
    oid = _parse_hash(raw, fail)
    meta = Meta(size=raw.get("size"), nfiles=raw.get("nfiles"), isexec=bool(raw.get("isexec")))
    options = {k: raw[k] for k in OPTION_KEYS if k in raw}
    known = {"path", "hash", "size", "nfiles", "isexec", *HASH_KEYS, *OPTION_KEYS}
    extra = {k: v for k, v in raw.items() if k not in known}
    if oid is None and "hash" in raw:
        extra["hash"] = raw["hash"]
    return Output(path, oid, meta, options, extra)


def _type_name(t: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        bool: "true or false",
        list: "a list",
        dict: "a mapping",
    }
    return names.get(t, str(t)) if isinstance(t, type) else "valid"


def _parse_hash(raw: dict[str, Any], fail: Any) -> Oid | None:
    name = raw.get("hash")
    if name is None:
        if "md5" not in raw:
            return None
        name, key = "md5-dos2unix", "md5"  # DVC 2 entry
    elif name not in hashing.ALGORITHMS:
        raise fail(f"unknown hash name '{name}' (known: blake3, md5)", "hash")
    else:
        key = "md5" if name == "md5-dos2unix" else name
    value = raw.get(key)
    if value is None:
        return None  # DVC writes just ``hash: md5`` for an import not downloaded yet
    oid = parse_oid(str(value), name)
    algo = hashing.get(name)
    if len(oid.hex) != algo.hexlen or not all(c in "0123456789abcdef" for c in oid.hex):
        raise fail(f"'{value}' is not a valid {name} hash", key)
    return oid


def serialize(pf: PointerFile) -> str:
    from trail.yamlwrite import dump, dump_preserving

    data = pf.to_dict()
    if pf.text and "#" in pf.text:
        return dump_preserving(pf.text, data)
    return dump(data)


def write(root: str, pf: PointerFile) -> None:
    atomic_write_text(os.path.join(root, pf.path), serialize(pf))


def pointer_path_for(out_relpath: str, suffix: str) -> str:
    return out_relpath + suffix
