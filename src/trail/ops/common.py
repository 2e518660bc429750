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
        return "modified"
    return None


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
