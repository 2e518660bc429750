"""Building blocks several operations share: contexts for hashing and checkout, output state."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from trail.index import Tracked
from trail.pointer import PointerFile
from trail.progress import NULL, Progress
from trail.repo import Repo
from trail.types import Kind, Oid
from trail.workspace.build import BuildContext, Built, build

if TYPE_CHECKING:
    from trail.odb.local import LocalODB
    from trail.workspace.checkout import CheckoutContext


def build_context(
    repo: Repo, *, store: bool, algo: str | None = None, progress: Progress = NULL
) -> BuildContext:
    return BuildContext(
        root=repo.root,
        algo=algo or repo.algo,
        state=repo.state,
        ignore=repo.ignore_rules(),
        odb=repo.odb if store else None,
        progress=progress,
    )


def checkout_context(
    repo: Repo, *, force: bool = False, relink: bool = False, progress: Progress = NULL
) -> CheckoutContext:
    from trail.workspace.checkout import CheckoutContext

    return CheckoutContext(
        root=repo.root,
        odb=repo.odb,
        state=repo.state,
        linker=repo.linker(),
        ignore=repo.ignore_rules(),
        force=force,
        relink=relink,
        progress=progress,
    )


def build_context_for(root: str, algo: str, odb: LocalODB | None) -> BuildContext:
    """Hashing and storing outside any repository's workspace (a clone, a downloaded tree)."""
    from trail.state import NullState

    return BuildContext(root=root, algo=algo, state=NullState(), ignore=None, odb=odb)


def checkout_context_for(root: str, odb: LocalODB, progress: Progress = NULL) -> CheckoutContext:
    """Checking out into a directory that is no repository's workspace (a clone)."""
    from trail.state import NullState
    from trail.workspace.checkout import CheckoutContext
    from trail.workspace.links import Linker, parse_link_types

    linker = Linker(parse_link_types(None))
    return CheckoutContext(root, odb, NullState(), linker, None, force=True, progress=progress)


def workspace_oid(repo: Repo, t: Tracked) -> Built | None:
    """The workspace's current object for an output (hashed with the output's own algorithm)."""
    return workspace_object(repo, t.relpath, t.out.oid)


def workspace_object(repo: Repo, relpath: str, recorded: Oid | None) -> Built | None:
    """The workspace's current object at ``relpath``, hashed as ``recorded`` was."""
    if not os.path.lexists(repo.path(relpath)):
        return None
    algo = recorded.algo if recorded is not None else repo.algo
    return build(build_context(repo, store=False, algo=algo), relpath)


def in_cache(repo: Repo, oid: Oid) -> bool:
    """Whether an object and, for a directory, every file it lists are in the cache."""
    if oid.kind is not Kind.TREE:
        return repo.odb.exists(oid)
    if repo.state.tree_complete(oid.algo, oid.hex):
        return True
    from trail import manifest
    from trail.errors import ObjectMissingError

    try:
        entries = manifest.parse(repo.odb.read_bytes(oid), oid.algo, repo.odb.path(oid))
    except ObjectMissingError:
        return False
    if all(repo.odb.exists(e.oid) for e in entries):
        repo.state.mark_trees_complete(oid.algo, [oid.hex])
        return True
    return False


def out_status(repo: Repo, t: Tracked) -> str | None:
    """DVC's words for one output: not in cache, deleted, modified, new — or None if clean."""
    oid = t.out.oid
    if oid is not None and t.out.use_cache and not in_cache(repo, oid):
        return "not in cache"
    built = workspace_oid(repo, t)
    if built is None:
        return "deleted"
    if oid is None:  # an entry without a hash (written by hand): DVC's word is "modified"
        return "modified"
    if built.oid != oid:
        return CORRUPT if written_through(repo, t.relpath, oid, built) else "modified"
    return None


CORRUPT = "corrupt in cache"


def written_through(repo: Repo, relpath: str, recorded: Oid, built: Built) -> list[str]:
    """Files of an output that are their own cache object (a hardlink, or a symlink into the
    cache) and no longer hold the recorded bytes: a write through the link (by root, or after
    a chmod) changed the cached object too, so the recorded content is gone from the cache."""
    if not recorded.is_tree:
        return [relpath] if _same_file(repo.path(relpath), repo.odb.path(recorded)) else []
    from trail import manifest
    from trail.errors import ObjectMissingError

    try:
        entries = manifest.parse(repo.odb.read_bytes(recorded), recorded.algo, relpath)
    except ObjectMissingError:
        return []
    now = built.files or {}
    return [
        f"{relpath}/{e.relpath}"
        for e in entries
        if now.get(e.relpath, e.oid.hex) != e.oid.hex
        and _same_file(repo.path(f"{relpath}/{e.relpath}"), repo.odb.path(e.oid))
    ]


def _same_file(a: str, b: str) -> bool:
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_ino, sa.st_dev) == (sb.st_ino, sb.st_dev)


def expand_files(repo: Repo, relpath: str, oid: Oid) -> dict[str, Oid] | None:
    """The files an output holds, repo-relative, or None if its manifest is not cached."""
    if oid.kind is not Kind.TREE:
        return {relpath: oid}
    from trail import manifest
    from trail.errors import ObjectMissingError

    try:
        entries = manifest.parse(repo.odb.read_bytes(oid), oid.algo, repo.odb.path(oid))
    except ObjectMissingError:
        return None
    return {f"{relpath}/{e.relpath}": e.oid for e in entries}


def tracked_oids(repo: Repo, pfs: list[PointerFile]) -> dict[str, Oid]:
    """Output path → recorded object, for outputs that have one."""
    from trail.index import outputs

    return {t.relpath: t.out.oid for t in outputs(pfs) if t.out.oid is not None}


def has_pipeline_file(repo: Repo) -> bool:
    """Whether any pipeline file exists, without the YAML machinery of the loader.

    Like the loader, skips ignored directories and those tracked by a pointer file beside them.
    """
    from trail.workspace.ignore import ALWAYS_IGNORED

    if os.path.exists(repo.path(repo.dialect.pipeline_file)):
        return True
    name, suffix = repo.dialect.pipeline_file, repo.dialect.pointer_suffix
    ignore = repo.ignore_rules()
    stack = ["."]
    while stack:
        dirrel = stack.pop()
        try:
            with os.scandir(repo.path(dirrel)) as it:
                entries = list(it)
        except OSError:
            continue
        names = {e.name for e in entries}
        ignore.load_dir(dirrel, ignore.filename in names)
        if name in names:
            return True
        for e in entries:
            rel = e.name if dirrel == "." else f"{dirrel}/{e.name}"
            if e.name in ALWAYS_IGNORED or e.name + suffix in names:
                continue
            skipped = ignore.active and ignore.ignored(rel, True)
            if e.is_dir(follow_symlinks=False) and not skipped:
                stack.append(rel)
    return False
