"""The run-cache: lock entries of past runs, found again by what went in.

``<control>/cache/runs/<key[:2]>/<key>/<value>`` holds a lock entry as YAML. ``key`` is the
sha256 of ``json.dumps(entry, sort_keys=True)`` with outs reduced to their paths and every
``size``/``nfiles`` dropped; ``value`` is the same over the whole entry. Same layout as DVC 3, so
either tool restores what the other ran.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from trail.errors import TrailError
from trail.fsutil import atomic_write_text
from trail.pipeline.lockfile import LockEntry, parse_entry
from trail.pipeline.model import Stage

DROPPED = ("size", "nfiles")


def eligible(stage: Stage) -> bool:
    """A cmd, at least one dep and one out, no persist outs, not always_changed."""
    return (
        bool(stage.cmd)
        and bool(stage.deps or stage.params)
        and bool(stage.outs)
        and not stage.always_changed
        and not any(o.persist for o in stage.outs)
    )


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in DROPPED}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _sha256(value: Any) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def key_of(entry: LockEntry) -> str:
    """The lookup key: everything that went in, and the names of what came out."""
    d = _strip(entry.to_dict())
    d["outs"] = [o["path"] for o in d.get("outs", [])]
    return _sha256(d)


def value_of(entry: LockEntry) -> str:
    return _sha256(_strip(entry.to_dict()))


def runs_dir(cache_dir: str) -> str:
    return os.path.join(cache_dir, "runs")


def save(cache_dir: str, entry: LockEntry) -> str:
    """Record a finished run; returns the file written."""
    key = key_of(entry)
    path = os.path.join(runs_dir(cache_dir), key[:2], key, value_of(entry))
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        from trail.yamlwrite import dump

        atomic_write_text(path, dump(entry.to_dict()))
    return path


def candidates(cache_dir: str, inputs: LockEntry) -> Iterator[LockEntry]:
    """Past runs with the same inputs, newest first; unreadable records are skipped."""
    from trail.yamlio import load_with_nodes

    folder = os.path.join(runs_dir(cache_dir), key_of(inputs)[:2], key_of(inputs))
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return
    paths = [os.path.join(folder, n) for n in names if not n.startswith(".")]
    paths.sort(key=lambda p: os.stat(p).st_mtime_ns, reverse=True)
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                data, _node = load_with_nodes(f.read(), path, core=True)
            entry = parse_entry(data, path, "")
        except (OSError, TrailError):
            continue
        if entry.cmd == inputs.cmd and [o.path for o in entry.outs] == sorted(
            o.path for o in inputs.outs
        ):
            yield entry
