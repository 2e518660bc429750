"""Turn a workspace path into objects: hash files (stat cache first), build tree manifests.

With an object store given, new objects are stored as they are hashed, so a file is read once.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trail import hashing, manifest
from trail.errors import WorkspaceError
from trail.fsutil import translate_os_errors
from trail.progress import NULL, Progress
from trail.state import RACY_NS, Stat, StateDB, stat_key
from trail.types import Meta, Oid, TreeEntry
from trail.workspace.ignore import IgnoreRules
from trail.workspace.walk import walk_files

if TYPE_CHECKING:
    from trail.odb.local import LocalODB

SMALL = 1 << 20
WORKERS = 4


@dataclass(frozen=True, slots=True)
class Built:
    oid: Oid
    meta: Meta
    entries: tuple[TreeEntry, ...] | None = None  # for directories
    manifest: bytes | None = None


@dataclass
class BuildContext:
    root: str
    algo: str
    state: StateDB
    ignore: IgnoreRules | None
    odb: LocalODB | None = None  # store while hashing when set
    progress: Progress = NULL


def build(ctx: BuildContext, relpath: str) -> Built:
    """Hash the file or directory at repo-relative ``relpath`` (storing it when ``ctx.odb``)."""
    path = os.path.join(ctx.root, relpath)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise WorkspaceError(f"'{relpath}' does not exist") from None
    if os.path.isdir(path):
        return build_dir(ctx, relpath)
    key = stat_key(st)
    hexval = _hash_one(ctx, relpath, key)
    ctx.progress.advance(1, key.size)
    return Built(Oid(ctx.algo, hexval), Meta(size=key.size, isexec=bool(st.st_mode & 0o100)))


def build_dir(ctx: BuildContext, relpath: str) -> Built:
    files = list(walk_files(ctx.root, relpath, ctx.ignore))
    ctx.progress.start(f"hashing {relpath}", len(files), sum(k.size for _r, k, _e in files))
    known = ctx.state.lookup_prefix(relpath, ctx.algo)
    hexes: dict[str, str] = {}
    todo: list[tuple[str, Stat]] = []
    for rel, key, _exec in files:
        hit = known.get(rel)
        if hit is not None and hit[0] == key and (ctx.odb is None or _stored(ctx, hit[1])):
            hexes[rel] = hit[1]
            ctx.progress.advance(1, key.size)
        else:
            todo.append((rel, key))
    if todo:
        _hash_many(ctx, relpath, todo, hexes)
    entries = tuple(TreeEntry(rel, Oid(ctx.algo, hexes[rel])) for rel, _k, _e in files)
    data = manifest.serialize(entries, ctx.algo)
    oid = manifest.tree_oid(data, ctx.algo)
    if ctx.odb is not None:
        ctx.odb.add_bytes(oid, data)
    size = sum(k.size for _r, k, _e in files)
    ctx.progress.finish()
    return Built(oid, Meta(size=size, nfiles=len(files)), entries, data)


def _stored(ctx: BuildContext, hexval: str) -> bool:
    assert ctx.odb is not None
    return ctx.odb.exists(Oid(ctx.algo, hexval))


def _hash_many(
    ctx: BuildContext, dirrel: str, todo: list[tuple[str, Stat]], hexes: dict[str, str]
) -> None:
    rows: list[tuple[str, str, Stat, str]] = []

    def one(item: tuple[str, Stat]) -> tuple[str, str]:
        rel, key = item
        hexval = _hash_one(ctx, f"{dirrel}/{rel}", key, rows)
        ctx.progress.advance(1, key.size)
        return rel, hexval

    if len(todo) < 16:
        hexes.update(map(one, todo))
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(WORKERS) as pool:
            hexes.update(pool.map(one, todo))
    ctx.state.save(rows)


def _hash_one(
    ctx: BuildContext,
    relpath: str,
    key: Stat,
    rows: list[tuple[str, str, Stat, str]] | None = None,
) -> str:
    """Hash one file (storing it when asked); records the stat cache unless racily clean."""
    algo = hashing.get(ctx.algo)
    if rows is None:
        hit = ctx.state.lookup(relpath, ctx.algo)
        if hit is not None and hit[0] == key and (ctx.odb is None or _stored(ctx, hit[1])):
            return hit[1]
    path = os.path.join(ctx.root, relpath)
    started = time.time_ns()
    with translate_os_errors(path):
        if key.size <= SMALL:
            with open(path, "rb") as f:
                data = f.read()
            hexval = algo.hash_bytes(data)
            if ctx.odb is not None:
                ctx.odb.add_bytes(Oid(ctx.algo, hexval), data)
        else:
            hexval = algo.hash_file(path, key.size)
            if ctx.odb is not None:
                ctx.odb.add_file(Oid(ctx.algo, hexval), path)
    # Re-stat: a file that changed while we read it must not be remembered under the old hash.
    after = stat_key(os.stat(path))
    if after == key and started - key.mtime_ns > RACY_NS:
        row = (relpath, ctx.algo, key, hexval)
        if rows is None:
            ctx.state.save([row])
        else:
            rows.append(row)
    return hexval
