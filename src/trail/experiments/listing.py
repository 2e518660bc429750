"""``trail exp list``: experiments grouped by baseline, here or on a Git remote."""

from __future__ import annotations

from dataclasses import dataclass

from trail.experiments.baselines import select
from trail.experiments.refs import EXPS, Experiment, ExpRef, experiments, require_git
from trail.repo import Repo
from trail.scm.git import Git


@dataclass(frozen=True)
class BaselineExps:
    name: str
    sha: str
    experiments: tuple[Experiment, ...]


def list_experiments(
    repo: Repo,
    *,
    rev: str | None = None,
    all_branches: bool = False,
    all_commits: bool = False,
    git_remote: str | None = None,
) -> list[BaselineExps]:
    """Experiments of HEAD (or ``rev``), of every branch tip, or of every baseline; by name
    within a baseline, as ``dvc exp list`` orders them."""
    git = require_git(repo)
    found = _remote(git, git_remote) if git_remote else experiments(git)
    chosen = select(git, rev=rev, all_branches=all_branches)
    shas = list(chosen.shas)
    if all_commits:  # each baseline once, however many experiments it has
        shas = list(dict.fromkeys([*shas, *(e.baseline for e in found)]))
    names = chosen.name_all(shas)
    out = []
    for sha in shas:
        mine = tuple(sorted((e for e in found if e.baseline == sha), key=lambda e: e.name))
        if mine:
            out.append(BaselineExps(names.get(sha, sha[:7]), sha, mine))
    return out


def _remote(git: Git, remote: str) -> list[Experiment]:
    from trail.scm.remote import ls_remote

    refs = ls_remote(git, remote, [f"{EXPS}/*"])
    found = []
    for name, sha in sorted(refs.items()):
        parsed = ExpRef.parse(name)
        if parsed is not None:
            found.append(Experiment(parsed, sha, "", 0))
    return found
