"""What ``artifacts show`` and ``artifacts history`` print: GTO 1.10's ``show --json`` and
``history --json`` structures, key for key (times as ISO 8601 strings, as GTO writes them)."""

from __future__ import annotations

import datetime
from typing import Any

from trail.registry.state import COMMIT, Artifact, Registry


def overview(
    registry: Registry,
    *,
    registered_only: bool = False,
    deprecated: bool = False,
    versions_per_stage: int = 1,
    by_time: bool = True,
) -> dict[str, Any]:
    """Artifact → its latest registered version, the version(s) in each stage, whether it is
    registered (has tags) and active (not deprecated)."""
    stages = registry.stages()
    shown: dict[str, Any] = {}
    for name, artifact in registry.artifacts.items():
        if not (artifact.is_active or deprecated):
            continue
        latest = artifact.latest_version(registered_only=True)
        held = artifact.vstages(
            registered_only=registered_only,
            versions_per_stage=versions_per_stage,
            by_time=by_time,
        )
        shown[name] = {
            "version": latest.version if latest else None,
            "stage": {s: ", ".join(v.version for v in held.get(s, [])) or None for s in stages},
            "registered": artifact.is_registered,
            "active": artifact.is_active,
        }
    return shown


def versions(
    artifact: Artifact,
    *,
    registered_only: bool = False,
    deprecated: bool = False,
    versions_per_stage: int = 1,
    by_time: bool = True,
) -> list[dict[str, Any]]:
    """Every active version of ``artifact``, highest first, with the stages it holds now."""
    if not (artifact.is_active or deprecated):
        return []
    held = artifact.vstages(
        registered_only=registered_only, versions_per_stage=versions_per_stage, by_time=by_time
    )
    out = []
    for version in artifact.get_versions(
        active_only=not deprecated,
        include_non_explicit=not registered_only,
        include_discovered=True,
    ):
        d = version.to_dict()
        d["stages"] = [
            s.to_dict() for found in held.values() for s in found if s.version == version.version
        ]
        out.append(d)
    return out


def history(
    registry: Registry, name: str | None = None, *, ascending: bool = False
) -> list[dict[str, Any]]:
    """Every tag event (commits left out), newest first, of one artifact or of all."""
    events = [
        {
            "timestamp": e.created_at,
            "artifact": e.artifact,
            "event": e.kind,
            "priority": e.priority,
            "version": e.version,
            "stage": e.stage,
            "commit": e.commit_hexsha,
            "author": e.author,
            "author_email": e.author_email,
            "message": e.message,
            "ref": e.ref,
        }
        for artifact in registry.artifacts.values()
        for e in artifact.events()
        if e.kind != COMMIT
    ]
    events.sort(key=lambda d: (d["timestamp"], d["priority"]))
    if not ascending:
        events.reverse()
    return [e for e in events if name is None or e["artifact"] == name]


def jsonable(value: Any) -> Any:
    """``value`` with every datetime as its ISO 8601 text (GTO's JSON)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
