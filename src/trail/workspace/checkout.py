"""Make the workspace match an object: a file or a whole directory, without losing edits.

Content that differs from the target and is not in the cache would be lost by a checkout, so
it is refused unless ``force``. Each file is placed atomically; a killed checkout leaves every
file either old or new, and the next checkout finishes the job.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field

from trail import hashing, manifest
from trail.errors import CheckoutError, CorruptObjectError, ObjectMissingError
from trail.fsutil import remove_tree, stale_tmp
from trail.odb.local import LocalODB
from trail.parallel import bounded_map
from trail.progress import NULL, Progress, bytes_callback
from trail.state import SIZE, Stat, StateDB, stat_key
from trail.types import Oid, TreeEntry
from trail.workspace.build import BIG, SMALL, WORKERS
from trail.workspace.ignore import IgnoreRules
from trail.workspace.links import Linker, is_linked
from trail.workspace.symlinks import SymlinkedParents, check_checkout, checkout_refusal
from trail.workspace.walk import walk_files


@dataclass
class CheckoutContext:
    root: str
    odb: LocalODB
    state: StateDB
    linker: Linker
    ignore: IgnoreRules | None
    force: bool = False
    relink: bool = False
    progress: Progress = NULL


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # objects not in the cache


def _current_hash(
    ctx: CheckoutContext, relpath: str, key: Stat, algo: str, known: str | None
) -> str:
    if known is not None:
        return known
    path = os.path.join(ctx.root, relpath)
    hexval = hashing.get(algo).hash_file(path, key[SIZE])
    return hexval


def _guard_uncached(ctx: CheckoutContext, losing: list[tuple[str, str]], algo: str) -> None:
    """Refuse to overwrite content that exists nowhere else, unless forced."""
    if ctx.force:
        return
    lost = [p for p, h in losing if not ctx.odb.exists(Oid(algo, h))]
    if lost:
        raise CheckoutError(
            lost,
            "it has changes that are not in the cache: commit them first (-f would discard them "
            "for good)",
        )


def checkout_file(
    ctx: CheckoutContext, relpath: str, oid: Oid, isexec: bool, changes: Changes
) -> None:
    check_checkout(ctx.root, [(relpath, False)])
    path = os.path.join(ctx.root, relpath)
    src = ctx.odb.path(oid)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None and os.path.isdir(path):
        if not ctx.force:
            raise CheckoutError(
                [relpath],
                "a directory stands where a file is tracked: move it away first (-f would "
                "delete it and everything in it)",
            )
        remove_tree(path)
        st = None
    if st is not None:
        key = stat_key(st)
        hit = ctx.state.lookup(relpath, oid.algo)
        cur = _current_hash(ctx, relpath, key, oid.algo, hit[1] if hit and hit[0] == key else None)
        if cur == oid.hex and not (ctx.relink and not _linked_as(ctx, path)):
            return
        if cur != oid.hex:
            _guard_uncached(ctx, [(relpath, cur)], oid.algo)
    if not os.path.exists(src):
        changes.missing.append(relpath)
        return
    ctx.state.save([_place(ctx, relpath, oid, isexec, ctx.progress)])
    (changes.modified if st is not None else changes.added).append(relpath)


def _linked_as(ctx: CheckoutContext, path: str) -> bool:
    """Whether ``path`` already uses the wanted link kind (for ``--relink``)."""
    kind = ctx.linker.kind
    return is_linked(path) == (kind in ("hardlink", "symlink"))


def _place(
    ctx: CheckoutContext, relpath: str, oid: Oid, isexec: bool, progress: Progress | None = None
) -> tuple[str, str, Stat, str]:
    """Put one object in the workspace; with ``progress``, a big one reports its bytes."""
    path = os.path.join(ctx.root, relpath)
    src = ctx.odb.path(oid)
    data, size = ctx.odb.read_if_small(oid, SMALL)
    if data is not None:
        _check(ctx, oid, data)
        st = ctx.linker.write_bytes(data, src, path, isexec)
        return (relpath, oid.algo, stat_key(st), oid.hex)
    else:
        show = progress is not None and size >= BIG
        _verify_big(ctx, oid, src, progress if show else None, relpath)
        on_bytes = None
        if show and progress is not None:
            progress.start(f"checking out {relpath}", 1, size)
            on_bytes = bytes_callback(progress)
        ctx.linker.place(src, path, isexec, on_bytes)
        if show and progress is not None:
            progress.finish()
    return (relpath, oid.algo, stat_key(os.stat(path)), oid.hex)


def _check(ctx: CheckoutContext, oid: Oid, data: bytes) -> None:
    actual = hashing.get(oid.algo).hash_bytes(data)
    if actual != oid.hex:
        raise CorruptObjectError(ctx.odb.path(oid), oid.hex, actual)


def _verify_big(
    ctx: CheckoutContext, oid: Oid, src: str, progress: Progress | None, label: str
) -> None:
    """Hash a big object once; the stat cache remembers it was sound."""
    key = stat_key(os.stat(src))
    hit = ctx.state.lookup(src, oid.algo)
    if hit is not None and hit[0] == key and hit[1] == oid.hex:
        return
    on_bytes = None
    if progress is not None:
        progress.start(f"verifying the cached {label}", 1, key[SIZE])
        on_bytes = bytes_callback(progress)
    actual = ctx.odb.verify(oid, on_bytes)
    if actual != oid.hex:
        raise CorruptObjectError(src, oid.hex, actual)
    ctx.state.save([(src, oid.algo, key, actual)])


def checkout_dir(
    ctx: CheckoutContext, relpath: str, oid: Oid, changes: Changes, subpath: str | None = None
) -> None:
    """Make directory ``relpath`` match tree ``oid`` (only the part under ``subpath`` if given)."""
    check_checkout(ctx.root, [(relpath, True)])
    try:
        data = ctx.odb.read_verified(oid)
    except ObjectMissingError:
        changes.missing.append(relpath + "/")
        return
    wanted = {e.relpath: e for e in manifest.parse(data, oid.algo, ctx.odb.path(oid))}
    if subpath is not None:
        wanted = {r: e for r, e in wanted.items() if r == subpath or r.startswith(subpath + "/")}
    path = os.path.join(ctx.root, relpath)
    if os.path.exists(path) and not os.path.isdir(path):
        if not ctx.force:
            raise CheckoutError(
                [relpath],
                "a file stands where a directory is tracked: move it away first (-f would "
                "delete it)",
            )
        os.unlink(path)
    known, _tree = ctx.state.load_dir(relpath, oid.algo)
    present: dict[str, tuple[Stat, str | None]] = {}
    temps: list[str] = []
    for rel, key, _x in walk_files(ctx.root, relpath, ctx.ignore, temps):
        if subpath is not None and not (rel == subpath or rel.startswith(subpath + "/")):
            continue
        hit = known.get(rel)
        present[rel] = (key, hit[3] if hit is not None and hit[:3] == key else None)
    extra, stale, losing = [], [], []
    for rel, (key, h) in present.items():
        entry = wanted.get(rel)
        cur = h
        if entry is None or cur is None or cur != entry.oid.hex:
            cur = _current_hash(ctx, f"{relpath}/{rel}", key, oid.algo, h)
        if entry is None:
            extra.append(rel)
            losing.append((f"{relpath}/{rel}", cur))
        elif cur != entry.oid.hex:
            stale.append(rel)
            losing.append((f"{relpath}/{rel}", cur))
        elif ctx.relink and not _linked_as(ctx, os.path.join(path, rel)):
            stale.append(rel)
    _guard_uncached(ctx, losing, oid.algo)
    todo = [wanted[r] for r in sorted(wanted) if r not in present] + [wanted[r] for r in stale]
    _refuse_symlinked_parents(ctx.root, relpath, todo)  # before anything is deleted
    for tmp in temps:
        if stale_tmp(os.path.basename(tmp)):
            os.unlink(tmp)  # left by a checkout that was killed
    snapshot = dict(known)
    for rel in extra:
        os.unlink(os.path.join(path, rel))
        snapshot.pop(rel, None)
    cut = len(relpath) + 1
    for full, _algo, key, hexval in _place_many(ctx, relpath, todo, changes):
        snapshot[full[cut:]] = (*key, hexval)
    if snapshot != known:
        # After a whole checkout the directory holds exactly the tree, file for file.
        whole = subpath is None and len(snapshot) == len(wanted)
        ctx.state.save_dir(relpath, oid.algo, snapshot, oid.hex if whole else None)
    _prune_empty_dirs(path, {os.path.dirname(r) for r in extra})
    os.makedirs(path, exist_ok=True)
    if extra or todo:
        shown = f"{relpath}/{subpath}" if subpath else relpath + "/"
        (changes.modified if present else changes.added).append(shown)


CHUNK = 32  # files a thread places in a row (a big flat folder is still shared out)


def _place_many(
    ctx: CheckoutContext, dirrel: str, todo: list[TreeEntry], changes: Changes
) -> list[tuple[str, str, Stat, str]]:
    """Place every file it can; files whose objects are missing are added to ``changes``."""

    def one(e: TreeEntry) -> tuple[str, str, Stat, str] | str:
        full = f"{dirrel}/{e.relpath}"
        try:
            row: tuple[str, str, Stat, str] | str = _place(ctx, full, e.oid, False)
        except ObjectMissingError:
            row = full
        ctx.progress.advance(1)
        return row

    def folder(entries: list[TreeEntry]) -> list[tuple[str, str, Stat, str] | str]:
        return [one(e) for e in entries]

    # A thread fills one folder at a time: creating files in a folder takes its lock, so
    # threads that share folders wait for each other.
    folders: dict[str, list[TreeEntry]] = {}
    for e in todo:
        folders.setdefault(posixpath.dirname(e.relpath), []).append(e)
    chunks = [f[i : i + CHUNK] for f in folders.values() for i in range(0, len(f), CHUNK)]
    ctx.progress.start(f"checking out {dirrel}", len(todo))
    rows = []
    for placed in bounded_map(folder, chunks, WORKERS):
        for row in placed:
            if isinstance(row, str):
                changes.missing.append(row)
            else:
                rows.append(row)
    ctx.progress.finish()
    return rows


def _refuse_symlinked_parents(root: str, dirrel: str, todo: list[TreeEntry]) -> None:
    """A directory symlink inside a tracked directory must not carry a checkout elsewhere:
    files the walk did not see behind it would be overwritten, wherever it points."""
    finder = SymlinkedParents(root)
    links = {}
    for e in todo:
        full = f"{dirrel}/{e.relpath}"
        link = finder.link_above(full, dirrel)
        if link is not None:
            links[full] = link
    if links:
        raise checkout_refusal(links)


def _prune_empty_dirs(top: str, dirs: set[str]) -> None:
    for d in sorted(dirs, key=len, reverse=True):
        cur = os.path.join(top, d) if d else top
        while cur != top and cur.startswith(top):
            try:
                os.rmdir(cur)
            except OSError:
                break
            cur = os.path.dirname(cur)
