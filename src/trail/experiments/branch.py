"""``trail exp branch``: a Git branch at an experiment's commit (DVC's default name is kept:
``<experiment>-branch``)."""

from __future__ import annotations

from trail.experiments.errors import ExperimentError
from trail.experiments.refs import Experiment, require_git, resolve
from trail.repo import Repo
from trail.scm.refs import RefConflictError, RefUpdate, check_ref_format, head, update_refs


def branch(repo: Repo, name: str, branch_name: str | None = None) -> tuple[Experiment, str]:
    """Create ``branch_name`` (default ``<name>-branch``) at experiment ``name``; an existing
    branch is never moved."""
    git = require_git(repo)
    exp = resolve(git, name, head(git)[0])
    branch_name = branch_name or f"{exp.name}-branch"
    ref = f"refs/heads/{branch_name}"
    if not check_ref_format(git, ref):
        raise ExperimentError(f"'{branch_name}' is not a valid Git branch name")
    try:
        update_refs(git, [RefUpdate(ref, exp.sha, create=True)])
    except RefConflictError:
        raise ExperimentError(
            f"a branch named '{branch_name}' already exists: give another name"
        ) from None
    return exp, branch_name
