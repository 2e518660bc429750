"""``trail exp run --queue``: record runs for later, each a snapshot of the workspace with its
``-S`` edits applied (a sweep ``-S lr=0.1,0.2`` queues one run per point of the grid)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from trail.experiments.queue import QUEUED, RUNNING, Entry, Proc, Queue, new_id
from trail.experiments.setparams import SetParam
from trail.repo import Repo


def enqueue(
    repo: Repo,
    *,
    name: str | None = None,
    set_params: Sequence[str] = (),
    args: Sequence[str] = (),
    force: bool = False,
    now: bool = False,
    copy_paths: Sequence[str] = (),
) -> list[Entry]:
    """Queue one run per point of the ``-S`` grid; every ``-S`` and name is checked before
    anything is recorded. ``args`` are the flags for ``trail exp run`` in the clone.
    ``now`` records one run that this process starts at once (``--temp``); ``copy_paths``
    (untracked or ignored files: a data set, credentials) go along into the run's clone."""
    from trail.experiments import editors, setparams
    from trail.experiments.refs import require_git
    from trail.scm.refs import RefUpdate, head, update_refs
    from trail.scm.snapshot import snapshots

    git = require_git(repo)
    sets = [setparams.parse_set(s) for s in set_params]
    points = setparams.grid(sets) if sets else [[]]
    if now and len(points) > 1:
        from trail.errors import UsageError

        raise UsageError("a -S sweep makes several runs: queue them with --queue, not --temp")
    queue = Queue(repo)
    with queue.locked():
        plans = [editors.plan(repo.root, point) for point in points]
        names = _names(repo, queue, head(git)[0], name, len(points), force)
        copied = _copy_paths(repo, copy_paths)
        baseline, commits = snapshots(git, plans, "trail: queued experiment\n", copied)
        entries = []
        for run_name, point, commit in zip(names, points, commits, strict=True):
            entry = Entry(
                id=new_id(),
                name=run_name,
                baseline=baseline,
                snapshot=commit,
                args=tuple(args),
                set_params=tuple(_shown(s) for s in point),
                force=force,
                status=RUNNING if now else QUEUED,
                worker=Proc.me() if now else None,
                started_at=time.time() if now else None,
            )
            update_refs(git, [RefUpdate(entry.ref, commit, create=True)])
            entries.append(queue.save(entry))
    return entries


def _names(
    repo: Repo, queue: Queue, baseline: str, name: str | None, count: int, force: bool
) -> list[str]:
    """``name`` (``name-1``, ``name-2`` … for a grid) or random ones, none taken by an
    experiment of the baseline (unless ``force``) nor by a run waiting in the queue."""
    from trail.experiments.errors import ExperimentExistsError
    from trail.experiments.names import check_name, random_name
    from trail.experiments.refs import experiments, require_git

    done = {e.name for e in experiments(require_git(repo), [baseline])}
    waiting = {
        e.name for e in queue.entries() if e.baseline == baseline and e.status in (QUEUED, RUNNING)
    }
    if name is None:
        taken = set(done | waiting)
        names = []
        for _ in range(count):
            names.append(random_name(taken))
            taken.add(names[-1])
        return names
    names = (
        [check_name(name)] if count == 1 else [check_name(f"{name}-{i + 1}") for i in range(count)]
    )
    for n in names:
        if n in waiting:
            from trail.experiments.queue import QueueError

            raise QueueError(f"an experiment named '{n}' is already queued for this baseline")
        if n in done and not force:
            raise ExperimentExistsError(n, baseline)
    return names


def _shown(s: SetParam) -> str:
    """One point of a ``-S`` as it applies (``lr=0.1``, ``other.yaml:lr=0.1``)."""
    from trail.experiments.setparams import DEFAULT_FILE

    file = "" if s.file == DEFAULT_FILE else f"{s.file}:"
    if s.op == "delete":
        return f"{file}~{s.key}"
    prefix = {"add": "+", "upsert": "++"}.get(s.op, "")
    return f"{file}{prefix}{s.key}={s.texts[0] if s.texts else s.value}"


def _copy_paths(repo: Repo, paths: Sequence[str]) -> list[str]:
    """``-C`` paths, repo-relative; each must exist."""
    import os

    from trail.errors import UsageError
    from trail.paths import repo_relpath

    found = []
    for p in paths:
        rel = repo_relpath(repo.root, p)
        if not os.path.exists(repo.path(rel)):
            raise UsageError(f"-C {p}: no such file or directory")
        found.append(rel)
    return found
