"""``trail checkout``: make the workspace match the pointer files and lock files."""

from __future__ import annotations

from collections.abc import Sequence

from trail.errors import CheckoutError
from trail.index import collect, outputs
from trail.ops.common import checkout_context
from trail.ops.locking import locked
from trail.ops.targets import DEFAULT_SCOPE, Scope, resolve
from trail.progress import NULL, Progress
from trail.repo import Repo
from trail.types import Oid
from trail.workspace.checkout import Changes, checkout_dir, checkout_file
from trail.workspace.symlinks import check_checkout


@locked
def checkout(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    force: bool = False,
    relink: bool = False,
    progress: Progress = NULL,
    scope: Scope = DEFAULT_SCOPE,
    allow_missing: bool = False,
) -> Changes:
    """Restore every targeted output; outputs whose objects are missing are listed at the end
    (after all the others were restored) in one ``CheckoutError`` — or, with
    ``allow_missing``, left in ``Changes.missing``."""
    pfs = collect(repo)
    todo: list[tuple[str, Oid, bool, str | None]] = []
    if targets:  # pointer files, outputs, parts of outputs, stages (``trail.ops.targets``)
        for o in resolve(repo, targets, pfs=pfs, scope=scope).outputs:
            if o.oid is not None and o.cached:
                todo.append((o.relpath, o.oid, o.isexec, o.subpath))
    else:
        for t in outputs(pfs):
            if t.out.oid is not None and t.out.use_cache:
                todo.append((t.relpath, t.out.oid, t.out.meta.isexec, None))
        from trail.pipeline.used import lock_outputs  # stage outputs, as the lock files say

        todo.extend((rel, oid, isexec, None) for rel, oid, isexec in lock_outputs(repo))
    # Nothing is touched while any output would be reached through a directory symlink.
    check_checkout(repo.root, [(rel, oid.is_tree) for rel, oid, _x, _s in todo])
    ctx = checkout_context(repo, force=force, relink=relink, progress=progress)
    changes = Changes()
    for relpath, oid, isexec, subpath in todo:
        if oid.is_tree:
            checkout_dir(ctx, relpath, oid, changes, subpath=subpath)
        else:
            checkout_file(ctx, relpath, oid, isexec, changes)
    if changes.missing and not allow_missing:
        raise CheckoutError(
            changes.missing,
            "not in the cache (fetch or pull it from a remote, or re-add it)",
        )
    return changes
