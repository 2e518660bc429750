"""``trail logs <stage>``: the kept logs of a stage's last runs."""

from __future__ import annotations

from trail.errors import PipelineError
from trail.pipeline import logs
from trail.repo import Repo


def stage_logs(repo: Repo, stage: str, *, last: int | None = 1) -> list[logs.RunLog]:
    """The stage's last ``last`` runs, oldest first; an error when it never ran here."""
    runs = logs.read(repo.private_dir, stage, last)
    if not runs:
        raise PipelineError(
            "no logs: the stage has not run in this workspace (run `trail repro` first)",
            stage=stage,
        )
    return runs
