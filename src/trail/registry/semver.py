"""Versions as the registry writes them: ``v`` + a semantic version (semver.org 2.0.0), ordered
by precedence (build metadata ignored), bumped by major, minor or patch."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"0|[1-9]\d*"
_PRE_ID = r"0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*"
PATTERN = (
    rf"(?P<major>{_NUM})\.(?P<minor>{_NUM})\.(?P<patch>{_NUM})"
    rf"(?:-(?P<prerelease>(?:{_PRE_ID})(?:\.(?:{_PRE_ID}))*))?"
    r"(?:\+(?P<build>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
_VERSION = re.compile(rf"^v{PATTERN}$", re.ASCII)

BUMPS = ("major", "minor", "patch")


@dataclass(frozen=True, slots=True)
class SemVer:
    major: int
    minor: int
    patch: int
    prerelease: str | None = None
    build: str | None = None

    def __str__(self) -> str:
        pre = f"-{self.prerelease}" if self.prerelease else ""
        build = f"+{self.build}" if self.build else ""
        return f"v{self.major}.{self.minor}.{self.patch}{pre}{build}"

    def bump(self, part: str) -> SemVer:
        """The next version: ``major`` and ``minor`` reset what follows them; prerelease and
        build metadata are dropped."""
        if part == "major":
            return SemVer(self.major + 1, 0, 0)
        if part == "minor":
            return SemVer(self.major, self.minor + 1, 0)
        return SemVer(self.major, self.minor, self.patch + 1)


FIRST = SemVer(0, 0, 1)  # the version a first registration gets, as GTO gives it


def parse(text: str) -> SemVer | None:
    """``v1.2.3-rc.1+build.5`` → its parts; None for anything else (``1.2.3``, ``v1.2``)."""
    m = _VERSION.match(text)
    if m is None:
        return None
    return SemVer(int(m["major"]), int(m["minor"]), int(m["patch"]), m["prerelease"], m["build"])


def is_valid(text: str) -> bool:
    return _VERSION.match(text) is not None


def precedence(version: SemVer) -> tuple[object, ...]:
    """A sort key giving semver precedence: a release ranks above its prereleases; numeric
    identifiers compare as numbers and below alphanumeric ones; a longer list of identifiers
    ranks above its own prefix; build metadata does not count."""
    if not version.prerelease:
        pre: tuple[object, ...] = (1, ())
    else:
        pre = (0, tuple(_identifier(i) for i in version.prerelease.split(".")))
    return (version.major, version.minor, version.patch, pre)


def _identifier(text: str) -> tuple[int, int, str]:
    if text.isdigit():
        digits = text.lstrip("0") or "0"
        return (0, len(digits), digits)  # compares as a number of any length
    return (1, 0, text)
