"""Turning handlers' results and errors into HTTP answers: JSON bytes (non-finite numbers as
the strings JavaScript can parse), and the error panel's shape — the message, and the file
and line it names when it names one."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from trail.errors import (
    NotARepoError,
    PathOutsideRepoError,
    TrailError,
    UnsafePathError,
    UsageError,
)

# "file:line:" wherever a message names one; the last is the innermost cause ("trail.yaml:1:
# cannot read params file 'params.yaml': params.yaml:3: invalid YAML")
_WHERE = re.compile(r"(?:^|[\s'\"(])(?P<file>[^\s:'\"()]+):(?P<line>\d+)(?=[:,)]|$)")


def to_json(value: Any) -> bytes:
    try:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"), default=_default)
    except ValueError:  # NaN or infinity somewhere in a metrics file
        text = json.dumps(_finite(value), separators=(",", ":"), default=_default)
    return text.encode()


def _default(value: Any) -> Any:
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def error_status(exc: BaseException) -> int:
    """403 for paths that leave the repository or its tracked outputs, 400 for a bad
    request, 404 for an unknown name, 409 for the rest of the errors trail reports."""
    from trail.ops.data_browse import NotTrackedError
    from trail.registry.declared import UnknownArtifactError

    if isinstance(exc, UnsafePathError | PathOutsideRepoError | NotTrackedError):
        return 403
    if isinstance(exc, UsageError):
        return 400
    if isinstance(exc, NotARepoError | UnknownArtifactError):
        return 404
    return 409


def error_body(exc: BaseException) -> dict[str, Any]:
    """``{"error": {"message", "type", "file", "line"}}`` (file and line when known)."""
    message = str(exc) if isinstance(exc, TrailError) else f"unexpected error: {exc!r}"
    file, line = _where(exc, message)
    return {"error": {"message": message, "type": type(exc).__name__, "file": file, "line": line}}


def _where(exc: BaseException, message: str) -> tuple[str | None, int | None]:
    found = list(_WHERE.finditer(message))
    if found:
        return found[-1]["file"], int(found[-1]["line"])
    where = getattr(exc, "where", None)
    if isinstance(where, str) and where:
        file, _, line = where.partition(":")
        return file, int(line) if line.isdigit() else None
    path, number = getattr(exc, "path", None), getattr(exc, "line", None)
    if isinstance(path, str):
        return path, number if isinstance(number, int) else None
    return None, None
