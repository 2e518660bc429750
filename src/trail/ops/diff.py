"""``trail diff``: tracked data that changed between two Git revisions (or the workspace)."""

from __future__ import annotations

from dataclasses import dataclass, field

from trail.errors import ScmError
from trail.index import collect, collect_at, outputs
from trail.ops.common import expand_files, tracked_oids, workspace_oid
from trail.repo import Repo
from trail.types import Oid


@dataclass
class DiffResult:
    added: list[tuple[str, Oid]] = field(default_factory=list)
    deleted: list[tuple[str, Oid]] = field(default_factory=list)
    modified: list[tuple[str, Oid, Oid]] = field(default_factory=list)
    not_in_cache: list[str] = field(default_factory=list)


def _workspace_oids(repo: Repo) -> dict[str, Oid]:
    result = {}
    for t in outputs(collect(repo)):
        built = workspace_oid(repo, t)
        if built is not None:
            result[t.relpath] = built.oid
    return result


def diff(repo: Repo, a_rev: str = "HEAD", b_rev: str | None = None) -> DiffResult:
    if repo.scm is None:
        raise ScmError("`diff` compares Git revisions, and this repository has no Git")
    old = tracked_oids(repo, collect_at(repo, a_rev)) if repo.scm.has_commits() else {}
    new = tracked_oids(repo, collect_at(repo, b_rev)) if b_rev else _workspace_oids(repo)
    result = DiffResult()
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        if a is None:
            assert b is not None
            result.added.append((_shown(path, b), b))
        elif b is None:
            result.deleted.append((_shown(path, a), a))
        else:
            result.modified.append((_shown(path, a), a, b))
        _expand(repo, path, a, b, result)
    return result


def _shown(path: str, oid: Oid) -> str:
    return path + "/" if oid.is_tree else path


def _expand(repo: Repo, path: str, a: Oid | None, b: Oid | None, result: DiffResult) -> None:
    """Show the files inside changed directories, when their manifests are cached."""
    if not ((a and a.is_tree) or (b and b.is_tree)):
        return
    before = expand_files(repo, path, a) if a and a.is_tree else {}
    after = expand_files(repo, path, b) if b and b.is_tree else {}
    if before is None or after is None:
        result.not_in_cache.append(path + "/")
        return
    for f in sorted(set(before) | set(after)):
        x, y = before.get(f), after.get(f)
        if x == y:
            continue
        if x is None and y is not None:
            result.added.append((f, y))
        elif y is None and x is not None:
            result.deleted.append((f, x))
        elif x is not None and y is not None:
            result.modified.append((f, x, y))
