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
from trail.errors import FileChangedError, WorkspaceError
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
    hexval, key = hash_file_cached(ctx, relpath, stat_key(st))
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
        restat: dict[str, Stat] = {}
        learned = _hash_many(ctx, relpath, todo, hexes, restat) if todo else {}
        if restat:  # files that changed while they were stored were read again
            files = [(r, restat.get(r, k), e) for r, k, e in files]
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
    ctx: BuildContext,
    dirrel: str,
    todo: list[tuple[str, Stat]],
    hexes: dict[str, str],
    restat: dict[str, Stat],
) -> dict[str, Known]:
    """Hash (and store) files in threads; returns what the stat cache may remember of them.
    Files read again because they changed meanwhile get their new stat in ``restat``."""
    learned: dict[str, Known] = {}

    def one(item: tuple[str, Stat]) -> tuple[str, str]:
        rel, before = item
        hexval, key, remember = _hash_one(ctx, f"{dirrel}/{rel}", before)
        if remember:
            learned[rel] = (*key, hexval)
        if key != before:
            restat[rel] = key
        ctx.progress.advance(1, key[SIZE])
        return rel, hexval

    hexes.update(bounded_map(one, todo, WORKERS))
    return learned


def hash_file_cached(ctx: BuildContext, relpath: str, key: Stat) -> tuple[str, Stat]:
    """A single file's hash, from the stat cache when its stat is unchanged; with the stat
    the hash belongs to (a file stored while it changed was read again)."""
    hit = ctx.state.lookup(relpath, ctx.algo)
    if hit is not None and hit[0] == key and (ctx.odb is None or _stored(ctx, hit[1])):
        return hit[1], key
    hexval, key, remember = _hash_one(ctx, relpath, key, ctx.progress)
    if remember:
        ctx.state.save([(relpath, ctx.algo, key, hexval)])
    return hexval, key


TRIES = 3  # reads of a file that keeps changing while it is stored, before giving up on it


def _hash_one(
    ctx: BuildContext, relpath: str, key: Stat, progress: Progress | None = None
) -> tuple[str, Stat, bool]:
    """Hash one file (storing it when asked): its hash, the stat the hash belongs to, and
    whether the stat cache may remember it.

    Stored objects are named by the hash of the very bytes stored, so the cache never holds an
    object whose bytes differ from its name. A file whose stat changed while it was read and
    stored is read again (its new stat first); one that keeps changing is refused, naming it.
    With ``progress``, a big file reports its bytes.
    """
    path = os.path.join(ctx.root, relpath)
    started = time.time_ns()
    copied = False
    with translate_os_errors(path):
        for attempt in range(TRIES):
            if attempt:
                key = stat_key(os.stat(path))
                started = time.time_ns()
            if ctx.odb is None:
                hexval, st = _hash_only(ctx, path, key, progress, relpath)
                break
            if key[SIZE] <= SMALL:
                data, st = read_file(path)
                if stat_key(st) != key:
                    continue
                hexval = hashing.get(ctx.algo).hash_bytes(data)
                ctx.odb.add_bytes(Oid(ctx.algo, hexval), data)
                break
            stored = _store_big(ctx, path, key, progress, relpath)
            if stored is not None:
                hexval, copied = stored
                st = os.stat(path)
                break
        else:
            raise FileChangedError(relpath, TRIES)
    # A file that changed while we read it, or may still change within its mtime tick
    # ("racily clean", as git says), must not be remembered under this hash.
    sound = stat_key(st) == key and started - key[MTIME] > RACY_NS
    if copied:
        _vouch_for_copy(ctx, Oid(ctx.algo, hexval))
    return hexval, key, sound


def _hash_only(
    ctx: BuildContext, path: str, key: Stat, progress: Progress | None, relpath: str
) -> tuple[str, os.stat_result]:
    algo = hashing.get(ctx.algo)
    if key[SIZE] <= SMALL:
        data, st = read_file(path)
        return algo.hash_bytes(data), st
    on_bytes = None
    if progress is not None and key[SIZE] >= BIG:
        progress.start(f"hashing {relpath}", 1, key[SIZE])
        on_bytes = bytes_callback(progress)
    hexval = algo.hash_file(path, key[SIZE], on_bytes)
    if on_bytes is not None and progress is not None:
        progress.finish()
    return hexval, os.stat(path)


def _store_big(
    ctx: BuildContext, path: str, key: Stat, progress: Progress | None, relpath: str
) -> tuple[str, bool] | None:
    """Copy a big file into the cache and name it by the hash of the copy; None when the
    file changed during the copy (nothing is stored then)."""
    assert ctx.odb is not None
    on_bytes = None
    if progress is not None and key[SIZE] >= BIG:
        progress.start(f"adding {relpath}", 1, 2 * key[SIZE])  # copied, then hashed
        on_bytes = bytes_callback(progress)
    try:
        return ctx.odb.add_copy(
            path, ctx.algo, on_bytes, unchanged=lambda: stat_key(os.stat(path)) == key
        )
    finally:
        if on_bytes is not None and progress is not None:
            progress.finish()


def _vouch_for_copy(ctx: BuildContext, oid: Oid) -> None:
    """Remember a big object just stored: it was named by hashing the stored bytes
    themselves, so checkout (and push) need not hash it again (they hash objects the stat
    cache cannot vouch for, e.g. ones fetched or copied in)."""
    assert ctx.odb is not None
    dst = ctx.odb.path(oid)
    with contextlib.suppress(OSError):
        ctx.state.save([(dst, oid.algo, stat_key(os.stat(dst)), oid.hex)])
