"""``metrics show`` and ``metrics diff``; ``params diff`` shares the diff shape."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trail.errors import PathOutsideRepoError
from trail.ops.revisions import open_revs, rev_names
from trail.repo import Repo
from trail.results.collect import RevValues, merge_missing, metrics_of, params_of
from trail.results.diff import Diff, diff_values
from trail.results.loaders import ResultsFileError, flatten
from trail.results.revision import Revision, prefetch


@dataclass(frozen=True)
class ShowResult:
    """Values of each revision, the workspace first."""

    revs: tuple[RevValues, ...]
    missing: tuple[ResultsFileError, ...] = ()  # targets found at none of the revisions

    @property
    def errors(self) -> list[ResultsFileError]:
        return [*self.missing, *(err for rev in self.revs for err in rev.errors.values())]


@dataclass(frozen=True)
class DiffResult:
    old_rev: str
    new_rev: str
    diff: Diff
    errors: tuple[ResultsFileError, ...] = ()


def repo_paths(repo: Repo, targets: Sequence[str]) -> list[str]:
    """Targets as the user typed them (relative to the current directory) → repo-relative."""
    out = []
    for target in targets:
        rel = os.path.relpath(os.path.abspath(target), repo.root)
        if rel == ".." or rel.startswith(".." + os.sep):
            raise PathOutsideRepoError(target)
        out.append(rel.replace(os.sep, "/"))
    return out


def metrics_show(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    revs: Sequence[str] = (),
    all_branches: bool = False,
    all_tags: bool = False,
    all_commits: bool = False,
) -> ShowResult:
    names = rev_names(
        repo, revs, all_branches=all_branches, all_tags=all_tags, all_commits=all_commits
    )
    paths = repo_paths(repo, targets)
    opened = open_revs(repo, names)
    _prefetch(opened, lambda rev: paths or list(rev.declared.metrics))
    values, missing = merge_missing([metrics_of(rev, paths) for rev in opened])
    return ShowResult(tuple(hide_workspace(repo, values)), tuple(missing))


def hide_workspace(repo: Repo, revs: list[RevValues]) -> list[RevValues]:
    """As DVC: the workspace is left out when it holds what the current branch, also shown,
    holds."""
    if len(revs) < 2 or revs[0].rev != "workspace" or repo.scm is None:
        return revs
    branch = repo.scm.run("symbolic-ref", "-q", "--short", "HEAD", check=False).strip()
    same = [
        r
        for r in revs[1:]
        if r.rev == branch
        and (r.data, r.errors, r.absent) == (revs[0].data, revs[0].errors, revs[0].absent)
    ]
    return revs[1:] if same else revs


def params_show_revs(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    all_branches: bool = False,
    all_tags: bool = False,
    all_commits: bool = False,
    deps: bool = False,
) -> ShowResult:
    """``params show``: the params of the workspace (and revisions), in ``metrics show``'s shape,
    chosen as DVC chooses them (``ops.params_show``)."""
    from trail.ops.params_show import params_show

    names = rev_names(
        repo, (), all_branches=all_branches, all_tags=all_tags, all_commits=all_commits
    )
    paths = repo_paths(repo, targets)
    revs: list[RevValues] = []
    for name in names:
        try:
            data = params_show(repo, paths, rev=None if name == "workspace" else name, deps=deps)
            revs.append(RevValues(name, data))
        except ResultsFileError as exc:
            revs.append(RevValues(name, {}, {exc.path: exc}))
    values, missing = merge_missing(revs)
    return ShowResult(tuple(hide_workspace(repo, values)), tuple(missing))


def metrics_diff(
    repo: Repo,
    a_rev: str = "HEAD",
    b_rev: str | None = None,
    *,
    targets: Sequence[str] = (),
    show_all: bool = False,
) -> DiffResult:
    paths = repo_paths(repo, targets)
    opened = open_revs(repo, [a_rev, b_rev])
    _prefetch(opened, lambda rev: paths or list(rev.declared.metrics))
    old, new = (metrics_of(rev, paths) for rev in opened)
    return _diff(old, new, show_all)


def params_diff(
    repo: Repo,
    a_rev: str = "HEAD",
    b_rev: str | None = None,
    *,
    targets: Sequence[str] = (),
    show_all: bool = False,
) -> DiffResult:
    paths = set(repo_paths(repo, targets))
    opened = open_revs(repo, [a_rev, b_rev])
    _prefetch(opened, lambda rev: [*rev.declared.params, *rev.declared.lock_params])
    old, new = (params_of(rev) for rev in opened)
    if paths:
        old = RevValues(old.rev, {p: v for p, v in old.data.items() if p in paths}, old.errors)
        new = RevValues(new.rev, {p: v for p, v in new.data.items() if p in paths}, new.errors)
    return _diff(old, new, show_all)


def _prefetch(revs: list[Revision], paths: Callable[[Revision], list[str]]) -> None:
    by_reader = {id(rev.reader): rev for rev in revs}
    prefetch([rev.reader for rev in revs], lambda reader: paths(by_reader[id(reader)]))


def _diff(old: RevValues, new: RevValues, show_all: bool) -> DiffResult:
    (old, new), missing = merge_missing([old, new])
    flat_old = {path: flatten(tree) for path, tree in old.data.items()}
    flat_new = {path: flatten(tree) for path, tree in new.data.items()}
    errors = (*missing, *old.errors.values(), *new.errors.values())
    return DiffResult(old.rev, new.rev, diff_values(flat_old, flat_new, show_all=show_all), errors)
