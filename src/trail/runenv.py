"""What a run ran in (an experiment, a pipeline run, a bundle): Python, platform, installed
packages, Git state, command line.

Packages are read from the names of the ``*.dist-info`` folders on ``sys.path`` (one
``listdir`` per entry, well under a millisecond), not by parsing every package's metadata
(``importlib.metadata``: ~60 ms for 50 packages). They are those of the Python running trail,
which is the project's environment when trail is installed into it.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GitState:
    commit: str
    branch: str | None
    dirty: bool
    changed: tuple[str, ...] = ()  # uncommitted paths when the experiment started


def capture(git: GitState, argv: Sequence[str]) -> dict[str, Any]:
    """The environment record stored with an experiment (``env.json``)."""
    from trail import __version__

    return {
        **runtime(),
        "git": {
            "commit": git.commit,
            "branch": git.branch,
            "dirty": git.dirty,
            "changed": list(git.changed),
        },
        "command": list(argv),
        "trail": __version__,
        "created": time.time(),
    }


def runtime() -> dict[str, Any]:
    """Python, platform and installed packages: what a command runs with here."""
    return {
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "description": platform.platform(),
        },
        "packages": packages(),
    }


def packages(path: Iterable[str] | None = None) -> dict[str, str]:
    """Installed distributions → versions, the first found on ``path`` winning (as imports do)."""
    found: dict[str, str] = {}
    for entry in sys.path if path is None else path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in sorted(names):
            parsed = _dist_name(entry, name)
            if parsed is not None:
                found.setdefault(parsed[0], parsed[1])
    return dict(sorted(found.items()))


def _dist_name(entry: str, folder: str) -> tuple[str, str] | None:
    """(normalised name, version) from ``name-1.2.dist-info`` or ``name-1.2-py3.11.egg-info``."""
    for suffix in (".dist-info", ".egg-info"):
        if folder.endswith(suffix):
            stem = folder[: -len(suffix)]
            name, _, rest = stem.partition("-")
            version = rest.split("-")[0]
            if not version:  # an egg-info without a version in its name
                version = _version_from_metadata(os.path.join(entry, folder))
            return _normalise(name), version
    return None


def _version_from_metadata(folder: str) -> str:
    for meta in ("PKG-INFO", "METADATA"):
        try:
            with open(os.path.join(folder, meta), encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            continue
    return ""


def _normalise(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(key, old, new) of every difference between two environment records, keys dotted
    (``python.version``, ``packages.numpy``); the creation time is left out."""
    from trail.results.loaders import flatten

    a = flatten({k: v for k, v in old.items() if k != "created"})
    b = flatten({k: v for k, v in new.items() if k != "created"})
    return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
