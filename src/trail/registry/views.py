"""The registry as plain, JSON-ready data for pages and scripts (the web UI's Models page):
every value is a str, number, bool, None, list or dict; times are ISO 8601 strings.

- ``models(repo)``: one entry per artifact — declared in the workspace, or known to the tags.
- ``versions(repo, name)``: every version of one artifact, newest first, with its stages.
- ``stages(repo, name)``: which version each stage holds now.
- ``lineage(repo, spec)``: what a bundle of ``NAME[@vX.Y.Z|#STAGE]`` would say: the commit, the
  upstream stages with their hashes and params, data and imports, metrics, environment.
- ``history(repo, name=None)``: the registry's events, newest first.
"""

from __future__ import annotations

from typing import Any

from trail.registry import show
from trail.registry.declared import declared
from trail.registry.load import git_of, load_registry
from trail.registry.names import parse_spec
from trail.registry.state import Artifact, Registry
from trail.repo import Repo

__all__ = ["history", "lineage", "models", "stages", "versions"]


def _registry(repo: Repo) -> Registry:
    return load_registry(git_of(repo.root, repo.scm))


def _stages(artifact: Artifact) -> dict[str, dict[str, Any]]:
    held = artifact.vstages(by_time=True)
    found = {}
    for stage, vstages in held.items():
        current = vstages[0]
        assigned = current.activated or current.authoring
        found[stage] = {
            "version": current.version,
            "commit": current.commit_hexsha,
            "since": assigned.created_at.isoformat(),
        }
    return found


def models(repo: Repo) -> list[dict[str, Any]]:
    """Artifacts with their declaration (if the workspace has one), latest version and the
    version each stage holds; declared ones first, in file order, then those only tags know."""
    registry = _registry(repo)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for d in declared(repo):
        seen.add(d.name)
        out.append({**d.to_dict(), **_state(registry.find(d.name))})
    for name, artifact in registry.artifacts.items():
        if name not in seen:
            entry = {"name": name, "path": None, "file": None, "type": None, "desc": None}
            out.append({**entry, "labels": [], "meta": {}, **_state(artifact)})
    return out


def _state(artifact: Artifact | None) -> dict[str, Any]:
    if artifact is None:
        return {"latest": None, "stages": {}, "versions": 0, "registered": False, "active": True}
    latest = artifact.latest_version(registered_only=True)
    return {
        "latest": latest.version if latest else None,
        "stages": _stages(artifact),
        "versions": len(artifact.get_versions()),
        "registered": artifact.is_registered,
        "active": artifact.is_active,
    }


def versions(repo: Repo, name: str) -> list[dict[str, Any]]:
    """Every version of ``name`` (deregistered ones too, marked), highest first."""
    artifact = _registry(repo).find(name)
    if artifact is None:
        return []
    out = []
    for v in artifact.get_versions(active_only=False):
        if not v.events():
            continue
        author = v.authoring
        out.append(
            {
                "version": v.version,
                "commit": v.commit_hexsha,
                "created_at": author.created_at.isoformat(),
                "author": author.author,
                "message": author.message,
                "registered": v.is_registered,
                "active": v.is_active,
                "stages": [s.stage for s in v.vstages()],
                "tag": author.tag,
            }
        )
    return out


def stages(repo: Repo, name: str) -> dict[str, dict[str, Any]]:
    """Stage → the version it holds now, its commit and since when."""
    artifact = _registry(repo).find(name)
    return _stages(artifact) if artifact is not None else {}


def lineage(repo: Repo, spec: str) -> dict[str, Any]:
    """What a bundle of ``spec`` would record, without its files."""
    from trail.registry.bundle import describe

    return describe(repo, parse_spec(spec))[2]


def history(repo: Repo, name: str | None = None) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = show.jsonable(show.history(_registry(repo), name))
    return data
