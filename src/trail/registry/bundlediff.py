"""``trail bundle diff A B``: which data, params, code, commands, packages and metrics differ
between two versions — each side a bundle (folder or ``.tar.gz``) or a version of an artifact
of this repository (``NAME@vX.Y.Z``, ``NAME#STAGE``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trail.repo import Repo

SECTIONS = ("artifact", "data", "params", "code", "commands", "packages", "metrics")


@dataclass(frozen=True)
class Change:
    key: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class BundleDiff:
    a: str
    b: str
    sections: dict[str, list[Change]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.sections.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            **{k: [c.to_dict() for c in v] for k, v in self.sections.items()},
        }


def manifest_of(repo: Repo | None, target: str) -> dict[str, Any]:
    """A bundle's manifest, read from the bundle, or computed for a version of an artifact."""
    from trail.registry.bundlecheck import read_manifest

    if os.path.isdir(target) or os.path.isfile(target):
        return read_manifest(target)
    from trail.errors import UsageError
    from trail.registry.bundle import describe
    from trail.registry.names import parse_spec

    if repo is None:
        raise UsageError(f"'{target}' is neither a bundle nor, outside a repository, a version")
    return describe(repo, parse_spec(target))[2]


def diff(a: str, b: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> BundleDiff:
    views = {name: (view(old), view(new)) for name, view in _VIEWS.items()}
    return BundleDiff(a, b, {name: _changes(*pair) for name, pair in views.items()})


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    keys = sorted(set(old) | set(new))
    return [Change(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]


def _artifact(m: Mapping[str, Any]) -> dict[str, Any]:
    lineage = m.get("lineage") or {}
    return {
        "version": m.get("version"),
        "commit": m.get("commit"),
        "hash": lineage.get("hash"),
        "path": (m.get("artifact") or {}).get("path"),
    }


def _stages(m: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((m.get("lineage") or {}).get("stages") or [])


def _deps(m: Mapping[str, Any], kind: str) -> dict[str, Any]:
    found = {
        d["path"]: d.get("hash")
        for s in _stages(m)
        for d in s.get("deps") or []
        if d.get("kind") == kind
    }
    if kind == "data":
        lineage = m.get("lineage") or {}
        found |= {d["path"]: d.get("hash") for d in lineage.get("data") or []}
        for imp in lineage.get("imports") or []:
            found[imp["path"]] = imp.get("hash")
            repo = imp.get("repo") or {}
            if repo:
                found[f"{imp['path']} (source)"] = f"{repo.get('url')}@{repo.get('rev_lock')}"
        for s in _stages(m):
            found |= {o["path"]: o.get("hash") for o in s.get("outs") or []}
    return found


def _params(m: Mapping[str, Any]) -> dict[str, Any]:
    from trail.results.loaders import flatten

    found: dict[str, Any] = {}
    for s in _stages(m):
        for file, values in (s.get("params") or {}).items():
            found |= {f"{file}:{k}": v for k, v in flatten(values).items()}
    return found


def _commands(m: Mapping[str, Any]) -> dict[str, Any]:
    return {s["name"]: s.get("cmd") for s in _stages(m)}


def _packages(m: Mapping[str, Any]) -> dict[str, Any]:
    env = m.get("environment") or {}
    found = dict(env.get("packages") or {})
    python = (env.get("python") or {}).get("version")
    if python:
        found["python"] = python
    return found


def _metrics(m: Mapping[str, Any]) -> dict[str, Any]:
    from trail.results.loaders import flatten

    return {
        f"{file}:{k}": v
        for file, values in (m.get("metrics") or {}).items()
        for k, v in flatten(values).items()
    }


_VIEWS = {
    "artifact": _artifact,
    "data": lambda m: _deps(m, "data"),
    "params": _params,
    "code": lambda m: _deps(m, "code"),
    "commands": _commands,
    "packages": _packages,
    "metrics": _metrics,
}
