"""``trail exp clean``: drop what experiment commands may leave behind — metadata refs whose
experiment was removed or replaced by other means (``dvc exp remove``, a ``git update-ref``),
and snapshot refs of queued runs whose entry is gone (a process killed while queueing)."""

from __future__ import annotations

from dataclasses import dataclass

from trail.experiments.refs import ExpRef, experiments, meta_refs, require_git
from trail.repo import Repo
from trail.scm.refs import RefUpdate, list_refs, update_refs


@dataclass(frozen=True)
class Cleaned:
    experiments: list[ExpRef]  # whose orphaned metadata refs were removed
    snapshots: list[str]  # queue snapshot refs that no entry names

    def __len__(self) -> int:
        return len(self.experiments) + len(self.snapshots)


def clean(repo: Repo) -> Cleaned:
    """Remove orphaned metadata refs and queue snapshot refs."""
    from trail.experiments.queue import REF_PREFIX, Queue

    git = require_git(repo)
    current = {e.ref: e.sha for e in experiments(git)}
    orphans = [
        (ref, meta)
        for ref, meta in meta_refs(git).items()
        if current.get(ref) is None or current[ref] not in meta.parents
    ]
    updates = [RefUpdate(ref.meta_ref, None, old=meta.sha) for ref, meta in orphans]
    queue = Queue(repo)
    with queue.locked():  # queueing makes the ref, then the entry, under this lock
        known = {e.ref for e in queue.entries()}
        snapshots = [r for r in list_refs(git, REF_PREFIX) if r.name not in known]
        updates += [RefUpdate(r.name, None, old=r.sha) for r in snapshots]
        update_refs(git, updates)
    return Cleaned([ref for ref, _ in orphans], [r.name for r in snapshots])
