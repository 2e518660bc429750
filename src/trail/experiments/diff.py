"""``trail exp diff``: params and metrics of two experiments (or any revisions, or the
workspace), and with ``--env`` the differences between their captured environments."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from trail.experiments.errors import ExperimentError, UnknownExperimentError
from trail.experiments.refs import Experiment, experiments, meta_refs, require_git, resolve
from trail.ops.metrics import DiffResult, metrics_diff, params_diff
from trail.repo import Repo
from trail.scm.git import Git

WORKSPACE = "workspace"


@dataclass(frozen=True)
class ExpDiff:
    old: str  # how each side is shown: an experiment's name, a revision, "workspace"
    new: str
    params: DiffResult
    metrics: DiffResult


@dataclass(frozen=True)
class EnvDiff:
    old: str
    new: str
    changes: tuple[tuple[str, Any, Any], ...]  # (dotted key, old, new)


@dataclass(frozen=True)
class _Side:
    label: str
    rev: str  # a commit id or "workspace"
    exp: Experiment | None = None


def _side(git: Git, name: str | None, default: str, known: list[Experiment], head: str) -> _Side:
    name = name or default
    if name == WORKSPACE:
        return _Side(WORKSPACE, WORKSPACE)
    try:
        exp = resolve(git, name, head, known)
        return _Side(exp.name, exp.sha, exp)
    except UnknownExperimentError:
        from trail.errors import ScmError

        try:
            return _Side(name, git.resolve(name))
        except ScmError:
            raise ExperimentError(f"unknown experiment or revision '{name}'") from None


def diff(
    repo: Repo, a: str | None = None, b: str | None = None, *, show_all: bool = False
) -> ExpDiff:
    """``a`` (default HEAD) against ``b`` (default the workspace)."""
    from trail.scm.refs import head

    git = require_git(repo)
    known = experiments(git)
    head_sha = head(git)[0]
    old, new = _side(git, a, "HEAD", known, head_sha), _side(git, b, WORKSPACE, known, head_sha)
    params = params_diff(repo, old.rev, new.rev, show_all=show_all)
    metrics = metrics_diff(repo, old.rev, new.rev, show_all=show_all)
    return ExpDiff(
        old.label,
        new.label,
        dataclasses.replace(params, old_rev=old.label, new_rev=new.label),
        dataclasses.replace(metrics, old_rev=old.label, new_rev=new.label),
    )


def env_diff(repo: Repo, a: str, b: str | None = None) -> EnvDiff:
    """How the environment of experiment ``a`` differs from ``b``'s (default: the environment
    running now). The command lines are left out: ``exp show`` shows what the params were."""
    from trail.scm.refs import head

    git = require_git(repo)
    known = experiments(git)
    head_sha = head(git)[0]
    old = _side(git, a, a, known, head_sha)
    new = _side(git, b, WORKSPACE, known, head_sha)
    from trail.runenv import diff as env_changes

    return EnvDiff(old.label, new.label, tuple(env_changes(_env(git, old), _env(git, new))))


def _env(git: Git, side: _Side) -> dict[str, Any]:
    from trail.experiments.record import git_state, read_meta
    from trail.experiments.refs import ENV_FILE

    if side.rev == WORKSPACE:
        from trail.runenv import capture

        env = capture(git_state(git), [])
        return {k: v for k, v in env.items() if k != "command"}
    meta = meta_refs(git).get(side.exp.ref) if side.exp is not None else None
    # A metadata commit describes the experiment only if built on its current commit.
    if meta is None or side.exp is None or side.exp.sha not in meta.parents:
        raise ExperimentError(
            f"no environment is recorded for '{side.label}' (only experiments trail ran have one)"
        )
    recorded = read_meta(git, [meta.sha]).get(meta.sha, {}).get(ENV_FILE)
    if not isinstance(recorded, dict):
        raise ExperimentError(f"the environment record of '{side.label}' cannot be read")
    return {k: v for k, v in recorded.items() if k != "command"}
