"""``.trailignore``/``.dvcignore`` files: gitwildmatch patterns, one file per directory."""

from __future__ import annotations

import os
from typing import Any

from trail.fsutil import read_text

ALWAYS_IGNORED = frozenset({".git", ".trail", ".dvc", ".hg", ".svn"})
CONTROL_DIRS = (".trail", ".dvc")


def is_nested_repo(path: str) -> bool:
    """Whether the directory ``path`` is the root of another trail or DVC repository (one made
    with ``init --subdir`` below this one): its files are its own, as DVC keeps subrepos."""
    import os

    return any(os.path.isdir(os.path.join(path, c)) for c in CONTROL_DIRS)


class IgnoreRules:
    """Patterns from every ignore file met so far, each anchored at its directory."""

    def __init__(self, root: str, filename: str) -> None:
        self.root = root
        self.filename = filename
        self._specs: list[tuple[str, Any]] = []  # (dir relpath, compiled spec)
        self._loaded: set[str] = set()

    def load_dir(self, dirrel: str, has_file: bool | None = None) -> None:
        """Read ``dirrel``'s ignore file once (``has_file`` saves a stat when known)."""
        if dirrel in self._loaded:
            return
        self._loaded.add(dirrel)
        if has_file is False:
            return
        path = os.path.join(self.root, dirrel, self.filename)
        try:
            text = read_text(path, os.path.normpath(os.path.join(dirrel, self.filename)))
            lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        except (FileNotFoundError, NotADirectoryError):
            return
        if not lines:
            return
        import pathspec

        self._specs.append((dirrel, pathspec.GitIgnoreSpec.from_lines(lines)))

    def load_ancestors(self, relpath: str) -> None:
        """Load the ignore files of every directory above ``relpath`` (repo-relative)."""
        parts = relpath.split("/")[:-1] if relpath != "." else []
        cur = "."
        self.load_dir(cur)
        for part in parts:
            cur = part if cur == "." else f"{cur}/{part}"
            self.load_dir(cur)

    @property
    def active(self) -> bool:
        return bool(self._specs)

    def ignored(self, relpath: str, is_dir: bool) -> bool:
        """Whether repo-relative ``relpath`` is ignored by a rule of some directory above it."""
        for base, spec in self._specs:
            if base == ".":
                sub = relpath
            elif relpath.startswith(base + "/"):
                sub = relpath[len(base) + 1 :]
            else:
                continue
            if spec.match_file(sub + "/" if is_dir else sub):
                return True
        return False
