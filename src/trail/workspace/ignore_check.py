"""``check-ignore``: which ignore file, line and pattern decide whether a path is ignored."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Match:
    """The pattern that decided a path: where it is written, and whether it ignores."""

    source: str  # the ignore file, repo-relative
    line: int
    pattern: str
    ignores: bool


def deciding_pattern(root: str, filename: str, relpath: str) -> Match | None:
    """The last pattern, in any ignore file from the root down to ``relpath``'s directory,
    that matches ``relpath`` (a directory matches as ``dir/``); None when none does."""
    import pathspec

    is_dir = os.path.isdir(os.path.join(root, relpath))
    parts = relpath.split("/")
    found: Match | None = None
    for depth in range(len(parts)):
        base = "/".join(parts[:depth])
        source = f"{base}/{filename}" if base else filename
        lines = _patterns(os.path.join(root, source))
        if not lines:
            continue
        spec = pathspec.GitIgnoreSpec.from_lines([text for _, text in lines])
        sub = "/".join(parts[depth:]) + ("/" if is_dir else "")
        result = spec.check_file(sub)
        if result.index is not None:
            line, text = lines[result.index]
            found = Match(source, line, text, bool(result.include))
    return found


def _patterns(path: str) -> list[tuple[int, str]]:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [
        (n, line)
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.startswith("#")
    ]
