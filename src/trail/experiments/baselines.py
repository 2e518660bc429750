"""Which commits to show experiments for, and how to call them (branch, tag or short id)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from trail.scm.git import Git
from trail.scm.refs import Ref, head, list_refs


@dataclass(frozen=True)
class Baselines:
    """HEAD, the commits chosen as baselines (HEAD first) and a name for each."""

    head: str
    shas: tuple[str, ...]
    names: dict[str, str]
    refs: tuple[Ref, ...] = ()  # branch and tag refs, read once for naming and -a/-T
    branch: str | None = None  # HEAD's branch

    def name_all(self, shas: Iterable[str]) -> dict[str, str]:
        """Names for other commits too, by the same rules."""
        return describe(shas, self.refs, self.head, self.branch)


def select(
    git: Git,
    *,
    rev: str | None = None,
    num: int = 1,
    all_branches: bool = False,
    all_tags: bool = False,
    extra: Iterable[str] = (),
) -> Baselines:
    """``rev`` (default HEAD) and its ``num - 1`` first-parent ancestors, plus every branch tip
    (``all_branches``) or tag (``all_tags``), plus ``extra``."""
    head_sha, branch = head(git)
    start = git.resolve(rev) if rev else head_sha
    shas = [start]
    if num > 1:
        shas = git.run("rev-list", "--first-parent", f"-n{num}", start).split()
    refs = tuple(list_refs(git, "refs/heads/", "refs/tags/"))
    if all_branches:
        shas += [r.sha for r in refs if r.name.startswith("refs/heads/")]
    if all_tags:
        shas += [r.sha for r in refs if r.name.startswith("refs/tags/")]
    shas += list(extra)
    unique = tuple(dict.fromkeys(shas))
    return Baselines(head_sha, unique, describe(unique, refs, head_sha, branch), refs, branch)


def describe(
    shas: Iterable[str], refs: Iterable[Ref], head_sha: str, head_branch: str | None
) -> dict[str, str]:
    """A name per commit: HEAD's branch, else a tag, else a branch, else its short id."""
    tags: dict[str, str] = {}
    branches: dict[str, str] = {}
    for ref in refs:
        if ref.name.startswith("refs/tags/"):
            tags.setdefault(ref.sha, ref.name.removeprefix("refs/tags/"))
        elif ref.name.startswith("refs/heads/"):
            branches.setdefault(ref.sha, ref.name.removeprefix("refs/heads/"))
    names = {}
    for sha in shas:
        if sha == head_sha and head_branch:
            names[sha] = head_branch
        else:
            names[sha] = tags.get(sha) or branches.get(sha) or sha[:7]
    return names
