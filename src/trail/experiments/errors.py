"""Errors of experiment commands; each carries what a user needs to act on it."""

from __future__ import annotations

from collections.abc import Sequence

from trail.errors import UsageError
from trail.scm.exprefs import AmbiguousExperimentError as AmbiguousExperimentError
from trail.scm.exprefs import ExperimentError as ExperimentError
from trail.scm.exprefs import UnknownExperimentError as UnknownExperimentError


class ExperimentExistsError(ExperimentError):
    def __init__(self, name: str, baseline: str) -> None:
        self.name, self.baseline = name, baseline
        super().__init__(
            f"experiment '{name}' already exists for baseline {baseline[:7]}: "
            "choose another name with -n, or replace it with -f"
        )


class InvalidNameError(UsageError):
    def __init__(self, name: str, why: str) -> None:
        self.name = name
        super().__init__(f"invalid experiment name '{name}': {why}")


class SetParamError(UsageError):
    """A ``-S file:key=value`` that cannot be applied; nothing was changed."""

    def __init__(self, spec: str, why: str) -> None:
        self.spec, self.why = spec, why
        super().__init__(f"-S {spec}: {why}")


class DirtyWorkspaceError(ExperimentError):
    """Uncommitted changes that no commit or experiment keeps; ``against`` is what they were
    told against (``HEAD`` or an experiment)."""

    def __init__(self, paths: Sequence[str], what: str, against: str = "HEAD") -> None:
        self.paths, self.against = tuple(paths), against
        shown = ", ".join(self.paths[:5]) + (" …" if len(self.paths) > 5 else "")
        super().__init__(
            f"the workspace has uncommitted changes ({shown}; compared with {against}): "
            f"commit them, or {what} with --force (they are kept under "
            "refs/trail-exps/apply/backup first)"
        )
