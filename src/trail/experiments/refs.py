"""Experiment refs for the experiment commands: the refs themselves live with Git access in
``trail.scm.exprefs`` (``ops`` reads them too); here is what experiments add, a repository's
Git or a clear error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trail.scm.exprefs import ENV_FILE as ENV_FILE
from trail.scm.exprefs import EXPS as EXPS
from trail.scm.exprefs import META as META
from trail.scm.exprefs import RUN_FILE as RUN_FILE
from trail.scm.exprefs import Experiment as Experiment
from trail.scm.exprefs import ExpRef as ExpRef
from trail.scm.exprefs import experiments as experiments
from trail.scm.exprefs import meta_refs as meta_refs
from trail.scm.exprefs import resolve as resolve

if TYPE_CHECKING:
    from trail.repo import Repo
    from trail.scm.git import Git


def require_git(repo: Repo) -> Git:
    """The repository's Git; experiments cannot live without one."""
    from trail.errors import ScmError

    if repo.scm is None:
        raise ScmError("experiments need Git: this repository has none (or core.no_scm is set)")
    return repo.scm
