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
from trail.yamlio import YamlError, dump, dump_preserving, line_of, load_with_nodes

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
    try:
        data, node = load_with_nodes(text, relpath)
    except YamlError as exc:
        raise PointerFileError(relpath, str(exc).split(": ", 1)[1], exc.line) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PointerFileError(relpath, "expected a mapping at the top level", 1)
    for key in data:
        if key not in TOP_KEYS:
            raise PointerFileError(relpath, f"unknown key '{key}'", line_of(node, key))
    raw_outs = data.get("outs", [])
    if not isinstance(raw_outs, list):
        raise PointerFileError(relpath, "'outs' must be a list", line_of(node, "outs"))
    outs = tuple(_parse_out(o, relpath, node, i) for i, o in enumerate(raw_outs))
    top = {k: v for k, v in data.items() if k != "outs"}
    return PointerFile(relpath, outs, top, text)


def _parse_out(raw: Any, relpath: str, node: Any, i: int) -> Output:
    def fail(msg: str, *keys: str) -> PointerFileError:
        return PointerFileError(relpath, msg, line_of(node, "outs", i, *keys))

    if isinstance(raw, str):
        raw = {"path": raw}
    if not isinstance(raw, dict):
        raise fail("each entry of 'outs' must be a mapping")
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
        raise fail(f"'hash: {name}' but no '{key}' value", "hash")
    oid = parse_oid(str(value), name)
    algo = hashing.get(name)
    if len(oid.hex) != algo.hexlen or not all(c in "0123456789abcdef" for c in oid.hex):
        raise fail(f"'{value}' is not a valid {name} hash", key)
    return oid


def serialize(pf: PointerFile) -> str:
    data = pf.to_dict()
    if pf.text and "#" in pf.text:
        return dump_preserving(pf.text, data)
    return dump(data)


def write(root: str, pf: PointerFile) -> None:
    atomic_write_text(os.path.join(root, pf.path), serialize(pf))


def pointer_path_for(out_relpath: str, suffix: str) -> str:
    return out_relpath + suffix
