"""``trail exp run`` in the workspace: apply ``-S`` edits, reproduce, record the experiment.

The baseline is HEAD. The workspace keeps the results (params edits, lock file, outputs) as
``dvc exp run`` leaves them; HEAD, the index and branches do not move. A run that fails records
nothing. Queued runs use the same path: a worker runs ``trail exp run -n NAME`` in a temporary
clone that shares the cache, then fetches the refs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from trail.experiments import setparams
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
) -> ExpRunResult:
    """Run one experiment in the workspace. Bad input (a taken name, a ``-S`` that does not
    apply) is refused before anything is changed."""
    git = require_git(repo)
    state = git_state(git)
    ref = choose_ref(git, state.commit, name, force)
    edits = setparams.plan(repo.root, params)  # checks every -S before writing any
    setparams.write(repo.root, edits)
    opts = opts or ReproOptions()
    # What DVC tells an experiment's commands (dvclive saves the experiment when it sees it)
    env = {
        **opts.env,
        "DVC_EXP_BASELINE_REV": state.commit,
        "DVC_EXP_NAME": ref.name,
        "TRAIL_EXP_BASELINE_REV": state.commit,
        "TRAIL_EXP_NAME": ref.name,
    }
    result = repro(repo, targets, replace(opts, env=env))
    if result.failed:
        return ExpRunResult(ref, result, None, tuple(edits))
    recorded = _record(repo, git, ref, state, result, argv, force)
    return ExpRunResult(ref, result, recorded, tuple(edits))


def _record(
    repo: Repo,
    git: Git,
    ref: ExpRef,
    state: Any,
    result: ReproResult,
    argv: Sequence[str],
    force: bool,
) -> Recorded:
    from trail.experiments.env import capture

    logs = {}
    for stage, path in result.logs.items():
        try:
            with open(path, "rb") as f:
                logs[stage] = f.read()
        except FileNotFoundError:  # pruned by a concurrent run of the same stage
            continue
    summary = {"ran": result.ran, "restored": result.restored, "unchanged": result.unchanged}
    return record(git, ref, env=capture(state, argv), run=summary, logs=logs, force=force)


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
    from trail.experiments.env import capture

    return record(git, ref, env=capture(state, argv), run={"saved": True}, logs={}, force=force)
