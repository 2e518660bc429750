"""Recording an experiment: the workspace as a commit on top of its baseline, a metadata commit
(environment, stage logs) on top of that, and both refs set in one transaction.

Neither HEAD, the index nor any branch moves; the workspace is only read.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trail.experiments.errors import ExperimentExistsError
from trail.experiments.refs import ENV_FILE, RUN_FILE, ExpRef
from trail.runenv import GitState
from trail.scm.commit import commit_tree, tree_of_files, workspace_tree
from trail.scm.git import Git
from trail.scm.refs import RefConflictError, RefUpdate, list_refs, update_refs

LOGS_DIR = "logs"


@dataclass(frozen=True, slots=True)
class Recorded:
    """An experiment just recorded: its ref, commit, metadata commit and what it replaced."""

    ref: ExpRef
    sha: str
    meta_sha: str
    replaced: str | None = None


def git_state(git: Git) -> GitState:
    """HEAD, its branch and the uncommitted paths (untracked ones included)."""
    from trail.scm.refs import head

    commit, branch = head(git)
    out = git.run("status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all")
    changed = [entry[3:] for entry in out.split("\0") if len(entry) > 3]
    return GitState(commit, branch, bool(changed), tuple(changed[:200]))


def log_name(stage: str) -> str:
    """Where a stage's log lives in the metadata tree (stage names hold ``/`` and ``:``)."""
    return f"{LOGS_DIR}/{urllib.parse.quote(stage, safe='@-_.')}.json"


def existing(git: Git, ref: ExpRef) -> tuple[str | None, str | None]:
    """What the experiment's ref and metadata ref name now (None when absent)."""
    found = {r.name: r.sha for r in list_refs(git, ref.ref, ref.meta_ref)}
    return found.get(ref.ref), found.get(ref.meta_ref)


def check_free(git: Git, ref: ExpRef, force: bool) -> None:
    """Fail early (before anything runs) when the name is taken and not to be replaced."""
    if existing(git, ref)[0] is not None and not force:
        raise ExperimentExistsError(ref.name, ref.baseline)


def record(
    git: Git,
    ref: ExpRef,
    *,
    env: Mapping[str, Any],
    run: Mapping[str, Any],
    logs: Mapping[str, bytes],
    force: bool = False,
    message: str | None = None,
) -> Recorded:
    """Commit the workspace as experiment ``ref`` with its metadata; ``force`` replaces an
    experiment of that name; ``message`` is the commit's (``exp run -m``)."""
    tree = workspace_tree(git)
    text = f"{message.rstrip()}\n" if message else f"trail: experiment {ref.name}\n"
    sha = commit_tree(git, tree, [ref.baseline], text)
    import time

    # run.json also holds the exact creation time: commit times are whole seconds, and
    # experiments made within one second are still listed in the order they were made.
    files = {ENV_FILE: _json(env), RUN_FILE: _json({**run, "created": time.time()})}
    files.update({log_name(stage): data for stage, data in logs.items()})
    meta_tree = tree_of_files(git, files)
    meta = commit_tree(git, meta_tree, [sha], f"trail: environment of experiment {ref.name}\n")
    old, old_meta = existing(git, ref)
    if old is not None and not force:
        raise ExperimentExistsError(ref.name, ref.baseline)
    try:
        update_refs(git, [_set(ref.ref, sha, old), _set(ref.meta_ref, meta, old_meta)])
    except RefConflictError:  # another process took the name meanwhile
        raise ExperimentExistsError(ref.name, ref.baseline) from None
    return Recorded(ref, sha, meta, old)


def _set(name: str, new: str, old: str | None) -> RefUpdate:
    return RefUpdate(name, new, old=old, create=old is None)


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=False, default=str) + "\n").encode()


def read_meta(git: Git, meta_shas: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``env.json`` and ``run.json`` of metadata commits, read with one ``cat-file``."""
    blobs = git.read_blobs_at((sha, name) for sha in meta_shas for name in (ENV_FILE, RUN_FILE))
    out: dict[str, dict[str, Any]] = {}
    for (sha, name), data in blobs.items():
        try:
            out.setdefault(sha, {})[name] = json.loads(data)
        except ValueError:
            continue  # a damaged record shows as missing, never stops a listing
    return out
