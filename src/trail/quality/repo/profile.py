"""``trail data profile``: the profile of a table at a revision, from the profile store when
that version was profiled before (no engine is loaded then), else computed and stored."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from trail.progress import NULL, Progress
from trail.quality import PROFILE_FORMAT
from trail.quality.repo import targets
from trail.repo import Repo
from trail.types import Oid


@dataclass(frozen=True)
class ProfileResult:
    label: str
    oid: Oid | None
    data: dict[str, Any]  # the profile, JSON-ready (``Profile.to_dict``)
    stored: bool  # it came from the store


def profile(
    repo: Repo | None,
    target: str,
    *,
    rev: str | None = None,
    progress: Progress = NULL,
) -> ProfileResult:
    """Profile ``target`` (a path, ``path@rev`` or URL) at ``rev`` (default the workspace)."""
    return profile_of(repo, targets.parse(target, rev), progress=progress)


def profile_of(
    repo: Repo | None, spec: targets.Spec, *, progress: Progress = NULL
) -> ProfileResult:
    """The profile of the table ``spec`` names."""
    with ExitStack() as stack:
        found = targets.resolve(repo, spec, stack, progress=progress)
        return profile_resolved(repo, found, progress=progress)


def profile_resolved(
    repo: Repo | None, found: targets.Resolved, *, progress: Progress = NULL
) -> ProfileResult:
    store = _store(repo) if found.oid is not None else None
    if store is not None and found.oid is not None:
        raw = store.get_raw(found.oid, found.source.fmt)
        if raw is not None:
            try:
                data = json.loads(raw)
            except ValueError:
                data = None
            if isinstance(data, dict) and data.get("profile") == PROFILE_FORMAT:
                return ProfileResult(found.source.label, found.oid, data, True)
    prof = compute(found, repo, progress)
    if store is not None and found.oid is not None:
        store.put(found.oid, prof)
    return ProfileResult(found.source.label, found.oid, prof.to_dict(), False)


def _store(repo: Repo | None) -> Any:
    if repo is None:
        return None
    from trail.quality.store import ProfileStore

    return ProfileStore(repo.cache_dir)


def compute(found: targets.Resolved, repo: Repo | None, progress: Progress = NULL) -> Any:
    """Read the table and profile it (a step-wise progress bar over its size)."""
    from trail.quality.engine import Session
    from trail.quality.profile import compute as compute_profile

    size = size_of(found.source.files)
    shares = {"statistics": 0.25, "histograms": 0.1, "top values": 0.05}
    progress.start(f"Profiling {found.source.label}", 1, size)
    try:
        with Session(tmp_dir(repo)) as session:
            table = session.load(found.source)
            progress.advance(0, int(size * 0.6))

            def step(name: str) -> None:
                progress.advance(0, int(size * shares.get(name, 0)))

            return compute_profile(session, table, step)
    finally:
        progress.finish()


def tmp_dir(repo: Repo | None) -> str | None:
    return os.path.join(repo.private_dir, "quality-spill") if repo is not None else None


def size_of(files: tuple[str, ...]) -> int:
    total = 0
    for f in files:
        try:
            total += os.path.getsize(f)
        except OSError:
            continue
    return total
