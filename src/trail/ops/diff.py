"""``trail diff``: tracked data that changed between two Git revisions (or the workspace)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from trail.errors import ScmError
from trail.index import collect, collect_at, outputs
from trail.ops.common import expand_files, tracked_oids, workspace_oid
from trail.paths import is_inside, repo_relpath
from trail.repo import Repo
from trail.types import Oid


@dataclass
class DiffResult:
    added: list[tuple[str, Oid]] = field(default_factory=list)
    deleted: list[tuple[str, Oid]] = field(default_factory=list)
    modified: list[tuple[str, Oid, Oid]] = field(default_factory=list)
    not_in_cache: list[str] = field(default_factory=list)


def _workspace_oids(repo: Repo) -> dict[str, Oid]:
    """Every output's content in the workspace now: pointer files' and cached stage outputs'."""
    result = {}
    for t in outputs(collect(repo)):
        built = workspace_oid(repo, t)
        if built is not None:
            result[t.relpath] = built.oid
    from trail.ops.common import has_pipeline_file

    if has_pipeline_file(repo):
        from trail.ops.targets import stage_outputs
        from trail.pipeline.changes import hash_path

        for o in stage_outputs(repo):
            if o.cached and o.relpath not in result:
                built = hash_path(repo, o.relpath, o.oid.algo if o.oid else repo.algo)
                if built is not None:
                    result[o.relpath] = built.oid
    return result


def _recorded_oids(repo: Repo, rev: str) -> dict[str, Oid]:
    """What revision ``rev`` records: its pointer files and its lock files (cached outputs,
    as DVC's diff counts them)."""
    from trail.ops.used import stage_outputs_at

    found = tracked_oids(repo, collect_at(repo, rev))
    for used in stage_outputs_at(repo, [rev]):
        found.setdefault(used.relpath, used.oid)
    return found


def diff(
    repo: Repo, a_rev: str = "HEAD", b_rev: str | None = None, *, targets: Sequence[str] = ()
) -> DiffResult:
    """Outputs (and files inside directories) that differ between ``a_rev`` and ``b_rev``
    (default: the workspace), limited to paths at or below ``targets`` if given."""
    if repo.scm is None:
        raise ScmError("`diff` compares Git revisions, and this repository has no Git")
    old = _recorded_oids(repo, a_rev) if repo.scm.has_commits() else {}
    new = _recorded_oids(repo, b_rev) if b_rev else _workspace_oids(repo)
    rels = [repo_relpath(repo.root, t) for t in targets]
    result = DiffResult()
    for path in sorted(set(old) | set(new)):
        if rels and not any(is_inside(path, r) or is_inside(r, path) for r in rels):
            continue
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        whole = not rels or any(is_inside(path, r) for r in rels)
        if whole:
            if a is None:
                assert b is not None
                result.added.append((_shown(path, b), b))
            elif b is None:
                result.deleted.append((_shown(path, a), a))
            else:
                result.modified.append((_shown(path, a), a, b))
        _expand(repo, path, a, b, result, None if whole else rels)
    return result


def _shown(path: str, oid: Oid) -> str:
    return path + "/" if oid.is_tree else path


def _expand(
    repo: Repo,
    path: str,
    a: Oid | None,
    b: Oid | None,
    result: DiffResult,
    only: list[str] | None = None,
) -> None:
    """Show the files inside changed directories (those below ``only``, if given), when their
    manifests are cached."""
    if not ((a and a.is_tree) or (b and b.is_tree)):
        return
    before = expand_files(repo, path, a) if a and a.is_tree else {}
    after = expand_files(repo, path, b) if b and b.is_tree else {}
    if before is None or after is None:
        result.not_in_cache.append(path + "/")
        return
    for f in sorted(set(before) | set(after)):
        x, y = before.get(f), after.get(f)
        if x == y or (only is not None and not any(is_inside(f, r) for r in only)):
            continue
        if x is None and y is not None:
            result.added.append((f, y))
        elif y is None and x is not None:
            result.deleted.append((f, x))
        elif x is not None and y is not None:
            result.modified.append((f, x, y))
