"""``trail exp clean``: drop what experiment commands may leave behind — metadata refs whose
experiment was removed or replaced by other means (``dvc exp remove``, a ``git update-ref``)."""

from __future__ import annotations

from trail.experiments.refs import ExpRef, experiments, meta_refs, require_git
from trail.repo import Repo
from trail.scm.refs import RefUpdate, update_refs


def clean(repo: Repo) -> list[ExpRef]:
    """Remove orphaned metadata refs; returns the experiments they described."""
    git = require_git(repo)
    current = {e.ref: e.sha for e in experiments(git)}
    orphans = [
        (ref, meta)
        for ref, meta in meta_refs(git).items()
        if current.get(ref) is None or current[ref] not in meta.parents
    ]
    update_refs(git, [RefUpdate(ref.meta_ref, None, old=meta.sha) for ref, meta in orphans])
    return [ref for ref, _ in orphans]
