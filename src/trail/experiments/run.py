"""``trail exp run`` in the workspace: apply ``-S`` edits, reproduce, record the experiment.

The baseline is HEAD. The workspace keeps the results (params edits, lock file, outputs) as
``dvc exp run`` leaves them; HEAD, the index and branches do not move. A run that fails records
nothing. Queued runs use the same path: a worker runs ``trail exp run -n NAME`` in a temporary
clone that shares the cache, then fetches the refs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from trail.errors import TrailError
from trail.experiments import editors
from trail.experiments.names import check_name, random_name
from trail.experiments.record import Recorded, check_free, git_state, record
from trail.experiments.refs import ExpRef, experiments, require_git
from trail.experiments.setparams import SetParam
from trail.ops.repro import ReproOptions, ReproResult, repro
from trail.repo import Repo
from trail.scm.git import Git


@dataclass(frozen=True)
class ExpRunResult:
    """What ran, and the experiment recorded (None when a stage failed)."""

    ref: ExpRef
    repro: ReproResult
    recorded: Recorded | None = None
    params_changed: tuple[str, ...] = field(default_factory=tuple)


def choose_ref(git: Git, baseline: str, name: str | None, force: bool) -> ExpRef:
    """The experiment's ref: ``name`` checked and free (unless ``force``), or a new random one."""
    if name is not None:
        ref = ExpRef(baseline, check_name(name))
        check_free(git, ref, force)
        return ref
    taken = {e.name for e in experiments(git, [baseline])}
    return ExpRef(baseline, random_name(taken))


def run(
    repo: Repo,
    *,
    name: str | None = None,
    params: Sequence[SetParam] = (),
    targets: Sequence[str] = (),
    opts: ReproOptions | None = None,
    force: bool = False,
    argv: Sequence[str] = (),
    message: str | None = None,
) -> ExpRunResult:
    """Run one experiment in the workspace. Bad input (a taken name, a ``-S`` that does not
    apply) is refused before anything is changed."""
    git = require_git(repo)
    state = git_state(git)
    ref = choose_ref(git, state.commit, name, force)
    edits = editors.plan(repo.root, params)  # checks every -S before writing any
    before = _read_all(repo.root, edits)
    editors.write(repo.root, edits)
    opts = opts or ReproOptions()
    # What DVC tells an experiment's commands (dvclive saves the experiment when it sees it)
    env = {
        **opts.env,
        "DVC_EXP_BASELINE_REV": state.commit,
        "DVC_EXP_NAME": ref.name,
        "TRAIL_EXP_BASELINE_REV": state.commit,
        "TRAIL_EXP_NAME": ref.name,
    }
    try:
        result = repro(repo, targets, replace(opts, env=env))
    except TrailError:
        # The pipeline could not start (a bad target, a missing dep, a broken pipeline file):
        # nothing ran, so the params files go back to what they were.
        _restore(repo.root, edits, before)
        raise
    if result.failed:
        return ExpRunResult(ref, result, None, tuple(edits))
    recorded = _record(repo, git, ref, state, result, argv, force, message)
    return ExpRunResult(ref, result, recorded, tuple(edits))


def _read_all(root: str, paths: Iterable[str]) -> dict[str, bytes]:
    found = {}
    for path in paths:
        with open(os.path.join(root, path), "rb") as f:
            found[path] = f.read()
    return found


def _restore(root: str, edited: Mapping[str, bytes], before: Mapping[str, bytes]) -> None:
    """Put back files that still hold our edits (one changed since is left alone)."""
    now = _read_all(root, edited)
    editors.write(root, {p: before[p] for p, data in now.items() if data == edited[p]})


def _record(
    repo: Repo,
    git: Git,
    ref: ExpRef,
    state: Any,
    result: ReproResult,
    argv: Sequence[str],
    force: bool,
    message: str | None = None,
) -> Recorded:
    from trail.runenv import capture

    logs = {}
    for stage, path in result.logs.items():
        try:
            with open(path, "rb") as f:
                logs[stage] = f.read()
        except FileNotFoundError:  # pruned by a concurrent run of the same stage
            continue
    summary = {"ran": result.ran, "restored": result.restored, "unchanged": result.unchanged}
    return record(
        git, ref, env=capture(state, argv), run=summary, logs=logs, force=force, message=message
    )


def save(
    repo: Repo, *, name: str | None = None, force: bool = False, argv: Sequence[str] = ()
) -> Recorded:
    """``trail exp save``: record the workspace as it is (outputs committed to the cache and
    the lock file first, as ``dvc exp save`` does), without running anything."""
    from trail.ops.commit import commit

    git = require_git(repo)
    state = git_state(git)
    ref = choose_ref(git, state.commit, name, force)
    with repo.lock():
        commit(repo, force=True)
    from trail.runenv import capture

    return record(git, ref, env=capture(state, argv), run={"saved": True}, logs={}, force=force)
