"""Models: the registry's artifacts (type, latest version, who holds each stage), one artifact's
versions and history of registry events, and a version's lineage drawn as a graph; registering
a version and assigning or unassigning a stage, through the same calls ``trail artifacts``
makes (one Git tag each, under the repository lock).

The data is ``trail.registry.views``'s; what ``artifacts show --json`` and ``history --json``
print is the same registry read the same way.
"""

from __future__ import annotations

from typing import Any

from trail.web.page import Api, Call, Page


def models(call: Call) -> dict[str, Any]:
    """Every artifact, and the stages a ``.gto`` file allows (None: any name)."""
    from trail.registry import views
    from trail.registry.load import allowed_stages

    return {"models": views.models(call.repo), "allowed_stages": allowed_stages(call.repo.root)}


def artifact(call: Call) -> dict[str, Any]:
    """One artifact: its entry of ``models``, its versions, stage holders and events. A
    version's ``stages`` are those ever assigned to it and still active; ``holds``, those it
    holds now (what ``artifacts show NAME`` lists: a stage assigned later to another version
    moved there)."""
    from trail.registry import views
    from trail.registry.declared import UnknownArtifactError
    from trail.registry.names import check_artifact_name

    name = call.need("name")
    check_artifact_name(name)
    entry = next((m for m in views.models(call.repo) if m["name"] == name), None)
    if entry is None:
        raise UnknownArtifactError(name, "no pipeline file declares it and no tag names it")
    stages = views.stages(call.repo, name)
    versions = [
        {**v, "holds": sorted(s for s, held in stages.items() if held["version"] == v["version"])}
        for v in views.versions(call.repo, name)
    ]
    return {
        "name": name,
        "model": entry,
        "versions": versions,
        "stages": stages,
        "history": views.history(call.repo, name),
    }


def lineage(call: Call) -> dict[str, Any]:
    """What a bundle of ``spec`` (``NAME@vX.Y.Z`` or ``NAME#STAGE``) records, and its graph."""
    from trail.registry import views
    from trail.web.lineage_svg import render_lineage

    described = views.lineage(call.repo, call.need("spec"))
    return {**described, "svg": render_lineage(described)}


def _text(call: Call, key: str, *, required: bool = False) -> str | None:
    from trail.errors import UsageError

    value = call.body.get(key)
    if value is None or value == "":
        if required:
            raise UsageError(f"'{key}' is required")
        return None
    if not isinstance(value, str):
        raise UsageError(f"'{key}' must be a string")
    return value


def register(call: Call) -> dict[str, Any]:
    """``{"name", "rev"?, "bump"?, "version"?, "message"?}``, as ``artifacts register``."""
    from trail.registry.actions import register as run

    result = run(
        call.repo,
        str(_text(call, "name", required=True)),
        _text(call, "rev") or "HEAD",
        version=_text(call, "version"),
        bump=_text(call, "bump"),
        message=_text(call, "message"),
    )
    return _done(result)


def assign(call: Call) -> dict[str, Any]:
    """``{"name", "stage", "version"?, "force"?}``, as ``artifacts assign --version``."""
    from trail.errors import UsageError
    from trail.registry.actions import assign as run

    force = call.body.get("force", False)
    if not isinstance(force, bool):
        raise UsageError("'force' must be true or false")
    result = run(
        call.repo,
        str(_text(call, "name", required=True)),
        str(_text(call, "stage", required=True)),
        version=_text(call, "version"),
        force=force,
    )
    return _done(result)


def unassign(call: Call) -> dict[str, Any]:
    """``{"name", "stage", "version"?}``, as ``artifacts unassign``."""
    from trail.registry.actions import unassign as run

    result = run(
        call.repo,
        str(_text(call, "name", required=True)),
        str(_text(call, "stage", required=True)),
        version=_text(call, "version"),
    )
    return _done(result)


def _done(result: Any) -> dict[str, Any]:
    made = [result.registered.tag] if result.registered is not None else []
    return {
        "tags": [*made, result.tag],
        "name": result.name,
        "version": result.version,
        "stage": result.stage,
        "commit": result.commit,
    }


PAGE = Page(
    path="/models",
    title="Models",
    script="models.js",
    order=70,
    api={
        "models": Api(models, cached=True),
        "models/artifact": Api(artifact, cached=True),
        "models/lineage": Api(lineage, cached=True),
    },
    actions={"models/register": register, "models/assign": assign, "models/unassign": unassign},
)
