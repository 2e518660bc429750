"""The Git merge driver for pointer files: when both sides changed a tracked directory, the
changes are merged file by file against the common ancestor — files added, removed or changed
on one side, or changed the same way on both. The same file changed differently on the two
sides is a conflict: Git then leaves the file for the user, as with any conflict."""

from __future__ import annotations

from dataclasses import dataclass, replace

from trail import manifest, pointer
from trail.errors import TrailError
from trail.pointer import Output, PointerFile
from trail.repo import Repo
from trail.types import Kind, Meta, Oid


class MergeConflictError(TrailError):
    """Both sides changed the same file of a tracked directory differently."""

    def __init__(self, path: str, files: list[str]) -> None:
        self.path, self.files = path, files
        shown = ", ".join(files[:5]) + (" …" if len(files) > 5 else "")
        super().__init__(f"cannot merge '{path}': both sides changed {shown} differently")


@dataclass(frozen=True)
class Sides:
    ancestor: str
    ours: str  # the file Git wants the result in
    theirs: str


def merge(repo: Repo, sides: Sides) -> None:
    """Merge ``theirs`` into ``ours`` (rewritten in place) against ``ancestor``."""
    base, ours, theirs = (_load(repo, p) for p in (sides.ancestor, sides.ours, sides.theirs))
    outs = []
    for out in ours.outs:
        old = _same_path(base, out)
        new = _same_path(theirs, out)
        outs.append(_merge_out(repo, out, old, new))
    text = pointer.serialize(replace(ours, outs=tuple(outs)))
    from trail.fsutil import atomic_write_text

    atomic_write_text(sides.ours, text)


def _load(repo: Repo, path: str) -> PointerFile:
    with open(path, encoding="utf-8") as f:
        return pointer.parse(f.read(), path)


def _same_path(pf: PointerFile, out: Output) -> Output | None:
    return next((o for o in pf.outs if o.path == out.path), None)


def _merge_out(repo: Repo, ours: Output, base: Output | None, theirs: Output | None) -> Output:
    if theirs is None or theirs.oid == ours.oid or theirs.oid == (base and base.oid):
        return ours  # they did not change it (or changed it as we did)
    if base is not None and ours.oid == base.oid:
        return theirs  # only they changed it
    trees = (base.oid if base else None, ours.oid, theirs.oid)
    if not all(o is not None and o.kind is Kind.TREE for o in trees[1:]):
        raise MergeConflictError(ours.path, [ours.path])
    files = [_files(repo, o) if o is not None else {} for o in trees]
    merged, clashes = _merge_files(*files)
    if clashes:
        raise MergeConflictError(ours.path, clashes)
    assert ours.oid is not None
    algo = ours.oid.algo
    data = manifest.serialize_pairs(merged.items(), algo)
    oid = manifest.tree_oid(data, algo)
    repo.odb.add_bytes(oid, data)
    size = sum(_size(repo, Oid(algo, h)) for h in merged.values())
    return Output(ours.path, oid, Meta(size=size, nfiles=len(merged)), ours.options, ours.extra)


def _files(repo: Repo, oid: Oid) -> dict[str, str]:
    data = repo.odb.read_verified(oid)
    return {e.relpath: e.oid.hex for e in manifest.parse(data, oid.algo, str(oid))}


def _merge_files(
    base: dict[str, str], ours: dict[str, str], theirs: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    merged: dict[str, str] = {}
    clashes: list[str] = []
    for path in sorted(set(base) | set(ours) | set(theirs)):
        b, o, t = base.get(path), ours.get(path), theirs.get(path)
        if o == t:
            value = o
        elif o == b:
            value = t
        elif t == b:
            value = o
        else:
            clashes.append(path)
            continue
        if value is not None:
            merged[path] = value
    return merged, clashes


def _size(repo: Repo, oid: Oid) -> int:
    import os

    try:
        return os.path.getsize(repo.odb.path(oid))
    except OSError:
        return 0
