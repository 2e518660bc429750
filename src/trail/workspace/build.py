"""Turn a workspace path into objects: hash files (stat cache first), build tree manifests.

With an object store given, new objects are stored as they are hashed, so a file is read once.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trail import hashing, manifest
from trail.errors import WorkspaceError
from trail.fsutil import read_file, translate_os_errors
from trail.parallel import bounded_map
from trail.progress import NULL, Progress, bytes_callback
from trail.state import MTIME, RACY_NS, SIZE, Known, Stat, StateDB, stat_key
from trail.types import Kind, Meta, Oid, TreeEntry
from trail.workspace.ignore import IgnoreRules
from trail.workspace.walk import walk_files

if TYPE_CHECKING:
    from trail.odb.local import LocalODB

SMALL = 1 << 20
BIG = 64 << 20  # files at least this big get a progress bar of their own
WORKERS = 4


@dataclass(frozen=True, slots=True)
class Built:
    oid: Oid
    meta: Meta
    files: dict[str, str] | None = None  # for directories: relpath → hex, in walk order

    @property
    def entries(self) -> tuple[TreeEntry, ...] | None:
        """The directory's files as manifest entries (built on demand: status never needs them)."""
        if self.files is None:
            return None
        algo = self.oid.algo
        return tuple(TreeEntry(rel, Oid(algo, h)) for rel, h in self.files.items())


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
    hexval = hash_file_cached(ctx, relpath, key)
    return Built(Oid(ctx.algo, hexval), Meta(size=key[SIZE], isexec=bool(st.st_mode & 0o100)))


def build_dir(ctx: BuildContext, relpath: str) -> Built:
    files = list(walk_files(ctx.root, relpath, ctx.ignore))
    ctx.progress.start(f"hashing {relpath}", len(files), sum(k[SIZE] for _r, k, _e in files))
    known, known_tree = ctx.state.load_dir(relpath, ctx.algo)
    hexes: dict[str, str] = {}
    todo: list[tuple[str, Stat]] = []
    for rel, key, _exec in files:
        hit = known.get(rel)
        if hit is not None and hit[:3] == key and (ctx.odb is None or _stored(ctx, hit[3])):
            hexes[rel] = hit[3]
            ctx.progress.advance(1, key[SIZE])
        else:
            todo.append((rel, key))
    unchanged = not todo and len(known) == len(files)
    if unchanged and known_tree is not None and _tree_stored(ctx, known_tree):
        # Every file is as the stat cache saw it when it hashed this very tree.
        oid = Oid(ctx.algo, known_tree, Kind.TREE)
        ordered = hexes
    else:
        learned = _hash_many(ctx, relpath, todo, hexes) if todo else {}
        ordered = {rel: hexes[rel] for rel, _k, _e in files}
        data = manifest.serialize_pairs(ordered.items(), ctx.algo)
        oid = manifest.tree_oid(data, ctx.algo)
        if ctx.odb is not None:
            ctx.odb.add_bytes(oid, data)
        keep = {rel for rel, _k, _e in files}
        snapshot = {rel: k for rel, k in known.items() if rel in keep}
        snapshot.update(learned)
        complete = len(snapshot) == len(files)
        if not unchanged or known_tree != oid.hex:
            ctx.state.save_dir(relpath, ctx.algo, snapshot, oid.hex if complete else None)
    if ctx.odb is not None:
        # every file is stored now (or was seen stored): a status right after `add` need not
        # look for 20,000 objects in the cache to say the directory is cached
        ctx.state.mark_trees_complete(ctx.algo, [oid.hex])
    size = sum(k[SIZE] for _r, k, _e in files)
    ctx.progress.finish()
    return Built(oid, Meta(size=size, nfiles=len(files)), ordered)


def _tree_stored(ctx: BuildContext, hexval: str) -> bool:
    return ctx.odb is None or ctx.odb.exists(Oid(ctx.algo, hexval, Kind.TREE))


def _stored(ctx: BuildContext, hexval: str) -> bool:
    assert ctx.odb is not None
    return ctx.odb.exists(Oid(ctx.algo, hexval))


def _hash_many(
    ctx: BuildContext, dirrel: str, todo: list[tuple[str, Stat]], hexes: dict[str, str]
) -> dict[str, Known]:
    """Hash (and store) files in threads; returns what the stat cache may remember of them."""
    learned: dict[str, Known] = {}

    def one(item: tuple[str, Stat]) -> tuple[str, str]:
        rel, key = item
        hexval, remember = _hash_one(ctx, f"{dirrel}/{rel}", key)
        if remember:
            learned[rel] = (*key, hexval)
        ctx.progress.advance(1, key[SIZE])
        return rel, hexval

    hexes.update(bounded_map(one, todo, WORKERS))
    return learned


def hash_file_cached(ctx: BuildContext, relpath: str, key: Stat) -> str:
    """A single file's hash, from the stat cache when its stat is unchanged."""
    hit = ctx.state.lookup(relpath, ctx.algo)
    if hit is not None and hit[0] == key and (ctx.odb is None or _stored(ctx, hit[1])):
        return hit[1]
    hexval, remember = _hash_one(ctx, relpath, key, ctx.progress)
    if remember:
        ctx.state.save([(relpath, ctx.algo, key, hexval)])
    return hexval


def _hash_one(
    ctx: BuildContext, relpath: str, key: Stat, progress: Progress | None = None
) -> tuple[str, bool]:
    """Hash one file (storing it when asked); says whether the stat cache may remember it.

    With ``progress``, a big file reports its bytes as it is hashed and then copied.
    """
    on_bytes = None
    if progress is not None and key[SIZE] >= BIG:
        progress.start(f"hashing {relpath}", 1, key[SIZE])
        on_bytes = bytes_callback(progress)
    algo = hashing.get(ctx.algo)
    path = os.path.join(ctx.root, relpath)
    started = time.time_ns()
    copied = False
    with translate_os_errors(path):
        if key[SIZE] <= SMALL:
            data, st = read_file(path)
            hexval = algo.hash_bytes(data)
            if ctx.odb is not None:
                ctx.odb.add_bytes(Oid(ctx.algo, hexval), data)
        else:
            hexval = algo.hash_file(path, key[SIZE], on_bytes)
            if ctx.odb is not None:
                oid = Oid(ctx.algo, hexval)
                if on_bytes is not None and progress is not None and not ctx.odb.exists(oid):
                    progress.start(f"caching {relpath}", 1, key[SIZE])
                copied = ctx.odb.add_file(oid, path, on_bytes)
            st = os.stat(path)
    if progress is not None:
        progress.finish()
    # A file that changed while we read it, or may still change within its mtime tick
    # ("racily clean", as git says), must not be remembered under this hash.
    after = stat_key(st)
    sound = after == key and started - key[MTIME] > RACY_NS
    if copied and sound:
        _vouch_for_copy(ctx, Oid(ctx.algo, hexval))
    return hexval, sound


def _vouch_for_copy(ctx: BuildContext, oid: Oid) -> None:
    """Remember a big object just copied from a file that stayed unchanged from before it was
    hashed until after the copy: its bytes are the hashed ones, so checkout need not hash it
    again (it hashes objects the stat cache cannot vouch for, e.g. ones fetched or copied in)."""
    assert ctx.odb is not None
    dst = ctx.odb.path(oid)
    with contextlib.suppress(OSError):
        ctx.state.save([(dst, oid.algo, stat_key(os.stat(dst)), oid.hex)])
