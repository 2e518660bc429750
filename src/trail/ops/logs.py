"""``trail logs <stage> [--rev R]``: the kept logs of a stage's runs.

With ``--rev``, the run that produced the outputs the lock file records at that Git revision.
"""

from __future__ import annotations

from trail.errors import PipelineError
from trail.fsutil import decode_text
from trail.pipeline import lockfile, logs
from trail.repo import Repo


def stage_logs(
    repo: Repo, stage: str, *, last: int | None = 1, rev: str | None = None
) -> list[logs.RunLog]:
    """The stage's last ``last`` runs, oldest first (or the run behind ``rev``'s lock entry).
    ``stage`` is named as every command names stages (``train``, ``dvc.yaml:train``)."""
    if last is not None and last < 1:
        from trail.errors import UsageError

        raise UsageError("-n/--last must be at least 1")
    key, unknown = _stage_key(repo, stage)
    runs = logs.read(repo.private_dir, key, None if rev else last)
    if not runs and unknown is not None:
        raise unknown  # no such stage (and no logs kept under that name either)
    if not runs:
        raise PipelineError(
            "no logs: the stage has not run in this workspace (run `trail repro` first)",
            stage=stage,
        )
    stage = key
    if rev is None:
        return runs
    wanted = _outs_at(repo, stage, rev)
    found = [r for r in runs if r.outs and r.outs == wanted]
    if not found:
        raise PipelineError(
            f"no kept log of the run that made the outputs recorded at '{rev}'", stage=stage
        )
    return found[-1:]


def _stage_key(repo: Repo, stage: str) -> tuple[str, PipelineError | None]:
    """The name runs are kept under (the stage's addressing), or the error saying there is no
    such stage."""
    from trail.ops.targets import select_stages
    from trail.pipeline.load import load_pipelines

    try:
        found = select_stages(repo, load_pipelines(repo), [stage])
    except PipelineError as exc:
        return stage, exc
    if len(found) != 1:
        return stage, PipelineError(f"'{stage}' names {len(found)} stages: name one")
    return found[0].addressing, None


def _outs_at(repo: Repo, stage: str, rev: str) -> dict[str, str]:
    from trail.errors import ScmError

    if repo.scm is None:
        raise ScmError("this repository has no Git: revisions cannot be read")
    file, _, name = stage.rpartition(":")
    path = lockfile.lock_path_for(file or repo.dialect.pipeline_file, repo.dialect.lock_file)
    sha = repo.scm.resolve(rev)
    blobs = repo.scm.read_blobs(sha, [path])
    if path not in blobs:
        raise PipelineError(f"'{path}' does not exist at '{rev}'", stage=stage)
    entry = lockfile.parse(decode_text(blobs[path], path), path).get(name)
    if entry is None:
        raise PipelineError(f"no lock entry at '{rev}'", stage=stage)
    return {o.path: str(o.oid) for o in entry.outs if o.oid}
