"""``trail checkout``: make the workspace match the pointer files and lock files."""

from __future__ import annotations

from collections.abc import Sequence

from trail.errors import CheckoutError
from trail.index import Target, collect, outputs, resolve_targets
from trail.ops.common import checkout_context
from trail.progress import NULL, Progress
from trail.repo import Repo
from trail.workspace.checkout import Changes, checkout_dir, checkout_file


def checkout(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    force: bool = False,
    relink: bool = False,
    progress: Progress = NULL,
) -> Changes:
    """Restore every targeted output; outputs whose objects are missing are listed at the end
    (after all the others were restored) in one ``CheckoutError``."""
    pfs = collect(repo)
    chosen = (
        resolve_targets(repo, targets, pfs) if targets else [Target(t, None) for t in outputs(pfs)]
    )
    ctx = checkout_context(repo, force=force, relink=relink, progress=progress)
    changes = Changes()
    for target in chosen:
        t = target.tracked
        oid = t.out.oid
        if oid is None or not t.out.use_cache:
            continue
        if oid.is_tree:
            checkout_dir(ctx, t.relpath, oid, changes, subpath=target.subpath)
        else:
            checkout_file(ctx, t.relpath, oid, t.out.meta.isexec, changes)
    if not targets:  # stage outputs too, as the lock files record them
        from trail.pipeline.used import lock_outputs

        for relpath, oid, isexec in lock_outputs(repo):
            if oid.is_tree:
                checkout_dir(ctx, relpath, oid, changes)
            else:
                checkout_file(ctx, relpath, oid, isexec, changes)
    if changes.missing:
        raise CheckoutError(
            changes.missing,
            "not in the cache (fetch or pull it from a remote, or re-add it)",
        )
    return changes
