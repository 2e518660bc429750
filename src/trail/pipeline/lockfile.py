"""The lock file (``trail.lock``/``dvc.lock``): what each stage last ran with and produced.

Written exactly as DVC 3 writes it: ``schema: '2.0'`` then ``stages:``; an entry holds ``cmd``,
``deps``, ``params``, ``outs``; deps and outs sorted by path, each item ``path, hash, <algo>,
size, nfiles, isexec``; params per file, the default file first, then alphabetical, keys sorted at
the top level only. Existing entries keep their place; new ones are appended in the order given.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trail import hashing
from trail.errors import PipelineError
from trail.fsutil import atomic_write_text, read_text
from trail.oidstr import format_oid, parse_oid
from trail.types import Meta, Oid

SCHEMA = "2.0"
DEFAULT_PARAMS = "params.yaml"


@dataclass(frozen=True, slots=True)
class LockItem:
    """One dep or out of a lock entry: its path as declared and what it hashed to."""

    path: str
    oid: Oid | None
    meta: Meta = field(default_factory=Meta)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path}
        if self.oid is None:
            return d
        legacy = self.oid.algo == "md5-dos2unix"
        if not legacy:
            d["hash"] = self.oid.algo
        d["md5" if legacy else self.oid.algo] = format_oid(self.oid)
        if self.meta.size is not None:
            d["size"] = self.meta.size
        if self.meta.nfiles is not None:
            d["nfiles"] = self.meta.nfiles
        if self.meta.isexec:
            d["isexec"] = True
        return d


@dataclass(frozen=True)
class LockEntry:
    """What a stage ran with (resolved cmd, deps, params) and what it produced (outs)."""

    cmd: str | list[str]
    deps: tuple[LockItem, ...] = ()
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    outs: tuple[LockItem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"cmd": self.cmd}
        if self.deps:
            d["deps"] = [i.to_dict() for i in sorted(self.deps, key=lambda i: i.path)]
        if self.params:
            d["params"] = order_params(self.params)
        if self.outs:
            d["outs"] = [i.to_dict() for i in sorted(self.outs, key=lambda i: i.path)]
        return d

    def dep(self, path: str) -> LockItem | None:
        return next((i for i in self.deps if i.path == path), None)

    def out(self, path: str) -> LockItem | None:
        return next((i for i in self.outs if i.path == path), None)


def order_params(params: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Params files default first, then alphabetical; keys sorted at the top level only."""

    def file_key(name: str) -> tuple[bool, str]:
        return (posixpath.basename(name) != DEFAULT_PARAMS, name)

    return {f: {k: params[f][k] for k in sorted(params[f])} for f in sorted(params, key=file_key)}


def lock_path_for(pipeline_file: str, lock_name: str) -> str:
    """The lock file beside a pipeline file (both repo-relative)."""
    return posixpath.join(posixpath.dirname(pipeline_file), lock_name)


def read(root: str, relpath: str) -> dict[str, LockEntry]:
    """Entries of the lock file at ``relpath`` by stage name, in file order ({} when absent)."""
    try:
        text = read_text(os.path.join(root, relpath), relpath)
    except FileNotFoundError:
        return {}
    return parse(text, relpath)


def parse(text: str, relpath: str) -> dict[str, LockEntry]:
    from trail.yamlio import line_of, load_with_nodes

    data, node = load_with_nodes(text, relpath, core=True)
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("stages", {}), dict):
        raise PipelineError("not a lock file (expected 'schema' and 'stages')", where=relpath)
    if str(data.get("schema", SCHEMA)) != SCHEMA:
        line = line_of(node, "schema")
        raise PipelineError(
            f"unsupported lock file schema '{data['schema']}' (expected '{SCHEMA}')",
            where=f"{relpath}:{line}",
        )
    entries: dict[str, LockEntry] = {}
    for name, raw in (data.get("stages") or {}).items():
        try:
            entries[str(name)] = parse_entry(raw, relpath, str(name))
        except PipelineError as exc:  # the line is looked up only for the message
            where = f"{relpath}:{line_of(node, 'stages', name)}"
            raise PipelineError(exc.message, where=where, stage=exc.stage) from None
    return entries


def parse_entry(raw: Any, where: str, name: str) -> LockEntry:
    if not isinstance(raw, dict) or "cmd" not in raw:
        raise PipelineError("lock entry without 'cmd'", where=where, stage=name)
    params = raw.get("params") or {}
    if not isinstance(params, dict) or not all(isinstance(v, dict) for v in params.values()):
        raise PipelineError("'params' must map files to values", where=where, stage=name)
    return LockEntry(
        cmd=raw["cmd"],
        deps=tuple(_parse_item(i, where, name) for i in raw.get("deps") or ()),
        params={str(k): dict(v) for k, v in params.items()},
        outs=tuple(_parse_item(i, where, name) for i in raw.get("outs") or ()),
    )


def _parse_item(raw: Any, where: str, name: str) -> LockItem:
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
        raise PipelineError("a dep or out without 'path'", where=where, stage=name)
    algo = raw.get("hash")
    if algo is None:
        algo, key = ("md5-dos2unix", "md5") if "md5" in raw else (None, None)
    else:
        key = "md5" if algo == "md5-dos2unix" else algo
    if algo is not None and algo not in hashing.ALGORITHMS:
        raise PipelineError(f"unknown hash name '{algo}'", where=where, stage=name)
    value = raw.get(key) if key else None
    if isinstance(value, int) and algo:  # an all-digit hex reads as a number in YAML
        value = str(value).zfill(hashing.get(algo).hexlen)
    oid = parse_oid(str(value), str(algo)) if value is not None and algo else None
    meta = Meta(size=raw.get("size"), nfiles=raw.get("nfiles"), isexec=bool(raw.get("isexec")))
    return LockItem(raw["path"], oid, meta)


def serialize(entries: Mapping[str, LockEntry]) -> str:
    from trail.yamlwrite import dump

    data = {"schema": SCHEMA, "stages": {n: e.to_dict() for n, e in entries.items()}}
    return dump(data)


def merge(
    old: Mapping[str, LockEntry], new: Mapping[str, LockEntry], order: Sequence[str]
) -> dict[str, LockEntry]:
    """``old`` with ``new`` applied: known names keep their place, others follow in ``order``."""
    merged = {n: new.get(n, e) for n, e in old.items()}
    for name in order:
        if name in new and name not in merged:
            merged[name] = new[name]
    for name, entry in new.items():  # names missing from ``order`` still get written
        merged.setdefault(name, entry)
    return merged


def update(
    root: str, relpath: str, new: Mapping[str, LockEntry], order: Sequence[str] = ()
) -> None:
    """Write ``new`` entries into the lock file at ``relpath`` (atomically)."""
    if not new:
        return
    write(root, relpath, merge(read(root, relpath), new, order))


def write(root: str, relpath: str, entries: Mapping[str, LockEntry]) -> None:
    """Replace the lock file at ``relpath`` with ``entries`` (atomically)."""
    text = serialize(entries)
    atomic_write_text(os.path.join(root, relpath), text)
    from trail.yamlio import load_with_nodes

    load_with_nodes(text, relpath, core=True)  # remembered: the next run reads it without PyYAML
