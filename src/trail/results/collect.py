"""Params and metrics of one revision, read in bulk; a broken file becomes an error entry so
the other files and revisions are still shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from trail.results.loaders import ResultsFileError, load_metrics_tree, load_params_tree
from trail.results.revision import Revision


@dataclass(frozen=True)
class RevValues:
    """Per file of one revision: its values, nested as the file holds them."""

    rev: str
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, ResultsFileError] = field(default_factory=dict)
    # declared files this revision does not have (yet): not an error, shown as DVC shows them
    absent: tuple[str, ...] = ()


class MissingFileError(ResultsFileError):
    def __init__(self, path: str, revs: Sequence[str]) -> None:
        self.revs = tuple(revs)
        super().__init__(path, f"no such file {_where(self.revs)}")


class NotInCacheError(ResultsFileError):
    def __init__(self, path: str, rev: str) -> None:
        super().__init__(
            path, f"cached output of revision {rev} is not in the cache (run `trail pull`)"
        )


def _where(revs: tuple[str, ...]) -> str:
    if len(revs) > 1:
        return f"at any of: {', '.join(revs)}"
    return "in the workspace" if revs == ("workspace",) else f"at revision {revs[0]}"


def merge_missing(revs: Sequence[RevValues]) -> tuple[list[RevValues], list[ResultsFileError]]:
    """A named file missing at some revisions is simply absent there; missing at all of them
    it is one error, not one per revision."""
    missing: dict[str, list[str]] = {}
    kept = []
    for rev in revs:
        for path, err in rev.errors.items():
            if isinstance(err, MissingFileError):
                missing.setdefault(path, []).append(rev.rev)
        errors = {p: e for p, e in rev.errors.items() if not isinstance(e, MissingFileError)}
        kept.append(RevValues(rev.rev, rev.data, errors, rev.absent))
    everywhere = [p for p, names in missing.items() if len(names) == len(revs)]
    return kept, [MissingFileError(p, missing[p]) for p in everywhere]


def metrics_of(rev: Revision, targets: Sequence[str] = ()) -> RevValues:
    """Metrics of the files ``targets`` names, or of every declared metrics file."""
    paths = list(targets) or list(rev.declared.metrics)
    blobs = rev.read(paths)
    data: dict[str, dict[str, Any]] = {}
    errors: dict[str, ResultsFileError] = {}
    absent: list[str] = []
    for path in paths:
        if path not in blobs:
            if rev.cached_elsewhere(path):
                errors[path] = NotInCacheError(path, rev.name)
            elif targets:  # a declared file may not exist yet; a named one must
                errors[path] = MissingFileError(path, [rev.name])
            else:
                absent.append(path)
            continue
        try:
            data[path] = load_metrics_tree(path, blobs[path])
        except ResultsFileError as exc:
            errors[path] = exc
    return RevValues(rev.name, data, errors, tuple(absent))


def params_of(rev: Revision) -> RevValues:
    """Flat params of every params file the revision holds (as DVC reads them: a file the
    revision no longer has is absent there, whatever an older lock entry recorded)."""
    paths = list(rev.declared.params)
    blobs = rev.read(paths)
    data: dict[str, dict[str, Any]] = {}
    errors: dict[str, ResultsFileError] = {}
    for path in paths:
        if path not in blobs:
            continue
        try:
            data[path] = load_params_tree(path, blobs[path])
        except ResultsFileError as exc:
            errors[path] = exc
    return RevValues(rev.name, data, errors)
