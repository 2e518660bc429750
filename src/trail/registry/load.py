"""The registry of a repository: its tags read with one ``git for-each-ref``, plus the stages a
``.gto`` file allows (GTO's configuration file at the repository root)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from trail.errors import ConfigError, ScmError
from trail.registry.state import Registry, build
from trail.scm.git import Git

GTO_CONFIG = ".gto"


def git_of(repo_root: str, git: Git | None) -> Git:
    if git is None:
        raise ScmError(f"{repo_root} has no Git: the registry lives in Git tags")
    return git


def load_registry(git: Git) -> Registry:
    from trail.scm.tags import annotated_tags

    return build(annotated_tags(git), allowed_stages(git.root))


def allowed_stages(root: str) -> list[str] | None:
    """``stages:`` of ``.gto`` (None when it sets none: any stage name may be used)."""
    path = os.path.join(root, GTO_CONFIG)
    if not os.path.isfile(path):
        return None
    from trail.yamlio import YamlError, load_with_nodes

    try:
        with open(path, encoding="utf-8") as f:
            data, _marks = load_with_nodes(f.read(), GTO_CONFIG)
    except (OSError, UnicodeDecodeError, YamlError) as exc:
        raise ConfigError(f"{GTO_CONFIG}: cannot read it: {exc}") from None
    stages = data.get("stages") if isinstance(data, Mapping) else None
    if stages is None:
        return None
    if not isinstance(stages, list) or not all(isinstance(s, str) for s in stages):
        raise ConfigError(f"{GTO_CONFIG}: 'stages' must be a list of names")
    return list(stages)
