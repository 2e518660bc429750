"""Artifact names, stage names and the Git tags that record registry actions, in GTO's format.

An artifact declared in ``sub/dir/dvc.yaml`` is named ``sub/dir:NAME``; in a tag the ``:`` is
written ``=`` (a Git ref name cannot hold ``:``). Tags: ``NAME@v1.2.3`` registers a version,
``NAME@v1.2.3!`` deregisters it, ``NAME#STAGE#N`` assigns a stage (``N`` counts the artifact's
numbered tags), ``NAME#STAGE!#N`` unassigns it, ``NAME@deprecated`` deprecates the artifact.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from trail.errors import UsageError
from trail.registry.semver import PATTERN as _SEMVER

_DIRNAME = r"[a-zA-Z0-9\-_./]+"
_NAME = r"[a-zA-Z0-9](?:[a-zA-Z0-9\-/_]*[a-zA-Z0-9])?"
NAME_RE = re.compile(rf"^{_NAME}$")
FULLNAME_RE = re.compile(rf"^(?P<dirname>{_DIRNAME}:)?(?P<name>{_NAME})$")
_SEMVER_PLAIN = re.sub(r"\(\?P<\w+>", "(?:", _SEMVER)  # the same pattern, no named groups
TAG_RE = re.compile(
    rf"^(?P<artifact>(?:{_DIRNAME}=)?{_NAME})"
    rf"(?:(?:#(?P<stage>{_NAME})|@(?P<version>v{_SEMVER_PLAIN}))(?P<cancel>!?)"
    r"|@(?:(?P<deprecated>deprecated)|(?P<created>created)))"
    r"(?:#(?P<counter>[0-9]+))?$"
)


class Action(enum.Enum):
    DEPRECATE = "deprecate"
    REGISTER = "register"
    DEREGISTER = "deregister"
    ASSIGN = "assign"
    UNASSIGN = "unassign"


@dataclass(frozen=True, slots=True)
class TagName:
    """What a registry tag's name says."""

    artifact: str  # as users name it: ``sub/dir:NAME``
    action: Action
    version: str | None = None
    stage: str | None = None
    counter: int | None = None


def parse_tag(tag: str) -> TagName | None:
    """The action a tag records, or None for a tag that is not the registry's (GTO's
    ``NAME@created`` tags included: GTO itself cannot read them)."""
    m = TAG_RE.match(tag)
    if m is None or m["created"]:
        return None
    artifact = m["artifact"].replace("=", ":")
    counter = int(m["counter"]) if m["counter"] else None
    if m["deprecated"]:
        return TagName(artifact, Action.DEPRECATE, counter=counter)
    cancel = m["cancel"] == "!"
    if m["version"]:
        action = Action.DEREGISTER if cancel else Action.REGISTER
        return TagName(artifact, action, version=m["version"], counter=counter)
    action = Action.UNASSIGN if cancel else Action.ASSIGN
    return TagName(artifact, action, stage=m["stage"], counter=counter)


def tag_prefix(artifact: str) -> str:
    return artifact.replace(":", "=")


def format_tag(
    action: Action,
    artifact: str,
    *,
    version: str | None = None,
    stage: str | None = None,
    counter: int | None = None,
) -> str:
    base = tag_prefix(artifact)
    body = {
        Action.DEPRECATE: f"{base}@deprecated",
        Action.REGISTER: f"{base}@{version}",
        Action.DEREGISTER: f"{base}@{version}!",
        Action.ASSIGN: f"{base}#{stage}",
        Action.UNASSIGN: f"{base}#{stage}!",
    }[action]
    return body if counter is None else f"{body}#{counter}"


def check_artifact_name(name: str) -> None:
    """``NAME`` or ``sub/dir:NAME``; raises a ``UsageError`` saying what is allowed."""
    if not FULLNAME_RE.match(name):
        raise UsageError(
            f"invalid artifact name '{name}': use letters, digits, '-', '_' and '/', starting "
            "and ending with a letter or digit (prefixed 'sub/dir:' for a pipeline file in "
            "sub/dir)"
        )


def check_stage_name(stage: str) -> None:
    if not NAME_RE.match(stage):
        raise UsageError(
            f"invalid stage name '{stage}': use letters, digits, '-', '_' and '/', starting "
            "and ending with a letter or digit"
        )


def split_name(name: str) -> tuple[str, str]:
    """``sub/dir:NAME`` → (``sub/dir``, ``NAME``); ``NAME`` → (``""``, ``NAME``)."""
    dirname, sep, short = name.rpartition(":")
    return (dirname.rstrip("/"), short) if sep else ("", name)


@dataclass(frozen=True, slots=True)
class Spec:
    """``NAME``, ``NAME@vX.Y.Z`` or ``NAME#STAGE`` as given on the command line."""

    name: str
    version: str | None = None
    stage: str | None = None

    def __str__(self) -> str:
        if self.version:
            return f"{self.name}@{self.version}"
        return f"{self.name}#{self.stage}" if self.stage else self.name


def parse_spec(text: str) -> Spec:
    """Split ``NAME[@vX.Y.Z|#STAGE]``; each part is checked."""
    from trail.registry import semver

    if "#" in text:
        name, _, stage = text.partition("#")
        check_artifact_name(name)
        check_stage_name(stage)
        return Spec(name, stage=stage)
    if "@" in text:
        name, _, version = text.rpartition("@")
        check_artifact_name(name)
        if not semver.is_valid(version):
            raise UsageError(
                f"invalid version '{version}' in '{text}': expected v<major>.<minor>.<patch>, "
                "e.g. v1.0.0"
            )
        return Spec(name, version=version)
    check_artifact_name(text)
    return Spec(text)
