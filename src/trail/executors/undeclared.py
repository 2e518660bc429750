"""Which undeclared file a failed command looked for, read from what it printed.

A worker's sandbox holds only a stage's declared deps and params, so a command reading
anything else fails with "No such file or directory". The usual ways programs say so (Python's
``FileNotFoundError``, ``python: can't open file``, ``cat: x: No such file…``, the shell's
``cannot open x``) name the path; the ones inside the sandbox that are not there are the
undeclared dependencies.
"""

from __future__ import annotations

import os
import re

_PATTERNS = (
    re.compile(r"No such file or directory: '([^'\n]+)'"),
    re.compile(r"can't open file '([^'\n]+)'"),
    re.compile(
        r"^(?:[^:\n]+: )?(?:\d+: )?(?:cannot open |can't open |cannot access )?'?([^:'\n]+)'?: "
        r"(?:No such file or directory|No such file)",
        re.M,
    ),
)


def missing_paths(text: str, root: str, cwd: str) -> list[str]:
    """Repo-relative posix paths the output says were missing, that lie inside the sandbox
    ``root`` and are indeed absent (in the order first named)."""
    found: list[str] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            rel = _inside(m.group(1).strip(), root, cwd)
            if rel is not None and rel not in found:
                found.append(rel)
    return found


def _inside(raw: str, root: str, cwd: str) -> str | None:
    path = os.path.normpath(os.path.join(cwd, raw))
    rel = os.path.relpath(path, root)
    if rel == "." or rel.startswith(".." + os.sep) or rel == "..":
        return None
    if os.path.lexists(path):
        return None
    return rel.replace(os.sep, "/")
