"""``NAME``, ``NAME@vX.Y.Z`` or ``NAME#STAGE`` → the version and commit they mean now: the
latest registered version, that version, or the version the stage holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trail.registry.actions import RegistryError
from trail.registry.declared import UnknownArtifactError
from trail.registry.names import Spec
from trail.registry.state import Registry


@dataclass(frozen=True)
class Resolved:
    name: str
    version: str
    commit: str
    stage: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "stage": self.stage,
            "commit": self.commit,
        }


def resolve(registry: Registry, spec: Spec) -> Resolved:
    artifact = registry.find(spec.name)
    if artifact is None:
        raise UnknownArtifactError(spec.name, "the registry has no tag for it")
    if spec.version is not None:
        found = [v for v in artifact.find_versions(spec.version) if v.is_registered]
        if not found:
            raise RegistryError(f"'{spec.name}' has no version {spec.version}")
        if not found[0].is_active:
            raise RegistryError(f"version {spec.version} of '{spec.name}' was deregistered")
        return Resolved(spec.name, spec.version, found[0].commit_hexsha)
    if spec.stage is not None:
        holding = artifact.vstages(by_time=True).get(spec.stage)
        if not holding:
            raise RegistryError(f"no version of '{spec.name}' is in stage '{spec.stage}'")
        return Resolved(spec.name, holding[0].version, holding[0].commit_hexsha, spec.stage)
    latest = artifact.latest_version(registered_only=True)
    if latest is None:
        raise RegistryError(f"'{spec.name}' has no registered version")
    return Resolved(spec.name, latest.version, latest.commit_hexsha)
