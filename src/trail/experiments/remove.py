"""``trail exp remove``: delete experiment refs (with their metadata refs), here or on a Git
remote. Every name is resolved before anything is deleted; local deletions are one
transaction that checks each ref still names what was listed."""

from __future__ import annotations

from collections.abc import Sequence

from trail.experiments.refs import Experiment, ExpRef, experiments, meta_refs, require_git, resolve
from trail.repo import Repo
from trail.scm.exprefs import remote_experiments
from trail.scm.git import Git
from trail.scm.refs import RefUpdate, head, update_refs


def select(
    git: Git,
    known: list[Experiment],
    names: Sequence[str] = (),
    *,
    all_exps: bool = False,
    rev: str | None = None,
    num: int = 1,
) -> list[Experiment]:
    """The experiments named, all of them, or those of ``rev`` and its ``num - 1`` parents."""
    if all_exps:
        return list(known)
    chosen: list[Experiment] = []
    if rev is not None:
        bases = set(git.run("rev-list", "--first-parent", f"-n{num}", git.resolve(rev)).split())
        chosen += [e for e in known if e.baseline in bases]
    head_sha = head(git)[0] if names else None
    for name in names:
        exp = resolve(git, name, head_sha, known)
        if exp not in chosen:
            chosen.append(exp)
    return chosen


def remove(
    repo: Repo,
    names: Sequence[str] = (),
    *,
    all_exps: bool = False,
    rev: str | None = None,
    num: int = 1,
    git_remote: str | None = None,
    keep: bool = False,
) -> list[ExpRef]:
    """Remove the chosen experiments (with ``keep``: every experiment but them); returns
    the experiments removed."""
    git = require_git(repo)
    if git_remote is not None:
        return _remove_remote(git, git_remote, names, all_exps=all_exps, rev=rev, num=num)
    known = experiments(git)
    chosen = select(git, known, names, all_exps=all_exps, rev=rev, num=num)
    if keep:
        chosen = [e for e in known if e not in chosen]
    metas = meta_refs(git)
    updates = []
    for exp in chosen:
        updates.append(RefUpdate(exp.ref.ref, None, old=exp.sha))
        meta = metas.get(exp.ref)
        if meta is not None:
            updates.append(RefUpdate(exp.ref.meta_ref, None, old=meta.sha))
    update_refs(git, updates)
    return [e.ref for e in chosen]


def _remove_remote(
    git: Git, remote: str, names: Sequence[str], *, all_exps: bool, rev: str | None, num: int
) -> list[ExpRef]:
    from trail.scm.remote import push_refs

    known, metas = remote_experiments(git, remote)
    chosen = select(git, known, names, all_exps=all_exps, rev=rev, num=num)
    specs = [f":{e.ref.ref}" for e in chosen]
    specs += [f":{e.ref.meta_ref}" for e in chosen if e.ref in metas]
    push_refs(git, remote, specs)
    return [e.ref for e in chosen]


def rename(repo: Repo, name: str, new: str, *, force: bool = False) -> tuple[ExpRef, ExpRef]:
    """Give experiment ``name`` the name ``new`` (its metadata follows), in one transaction;
    a name taken under its baseline is refused unless ``force``."""
    from trail.experiments.names import check_name
    from trail.experiments.record import check_free

    git = require_git(repo)
    exp = resolve(git, name, head(git)[0])
    target = ExpRef(exp.ref.baseline, check_name(new))
    if target == exp.ref:
        return exp.ref, target
    check_free(git, target, force)
    updates = [
        RefUpdate(target.ref, exp.sha, create=not force),
        RefUpdate(exp.ref.ref, None, old=exp.sha),
    ]
    meta = meta_refs(git).get(exp.ref)
    if meta is not None:
        updates += [
            RefUpdate(target.meta_ref, meta.sha),
            RefUpdate(exp.ref.meta_ref, None, old=meta.sha),
        ]
    update_refs(git, updates)
    return exp.ref, target
