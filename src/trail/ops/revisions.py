"""Open revisions of a repository for reading results: the workspace or any Git revision."""

from __future__ import annotations

from collections.abc import Sequence

from trail.errors import ScmError
from trail.repo import Repo
from trail.results.declared import FileReader
from trail.results.revision import (
    WORKSPACE,
    EmptyReader,
    GitReader,
    ObjectReader,
    Revision,
    WorkspaceReader,
    open_revision,
)


def open_rev(repo: Repo, name: str | None) -> Revision:
    """``None`` (or ``"workspace"``) is the workspace; anything else is resolved by Git."""
    dialect = repo.dialect
    reader: FileReader
    if name is None or name == WORKSPACE:
        reader = WorkspaceReader(repo.root)
    elif repo.scm is None:
        raise ScmError(f"cannot read revision '{name}': this repository has no Git")
    elif name == "HEAD" and not repo.scm.has_commits():
        reader = EmptyReader(name)  # nothing committed yet: everything is new
    else:
        reader = GitReader(repo.scm, repo.scm.resolve(name), name)
    return open_revision(reader, dialect.pipeline_file, dialect.lock_file, _cache_reader(repo))


def _cache_reader(repo: Repo) -> ObjectReader:
    def read(algo: str, hexdigest: str) -> bytes | None:
        from trail.errors import ObjectStoreError
        from trail.oidstr import parse_oid

        try:
            return repo.odb.read_bytes(parse_oid(hexdigest, algo))
        except ObjectStoreError:
            return None

    return read


def rev_names(
    repo: Repo,
    revs: Sequence[str] = (),
    *,
    all_branches: bool = False,
    all_tags: bool = False,
    all_commits: bool = False,
) -> list[str]:
    """The workspace first, then the revisions asked for, each once, in a stable order."""
    names: list[str] = [WORKSPACE, *revs]
    git = repo.scm
    if git is not None and (all_branches or all_tags or all_commits) and git.has_commits():
        if all_commits:
            names += git.run("rev-list", "--all", "--abbrev-commit").split()
        if all_branches:
            names += git.run("for-each-ref", "--format=%(refname:short)", "refs/heads").split()
        if all_tags:
            names += git.run("for-each-ref", "--format=%(refname:short)", "refs/tags").split()
    return list(dict.fromkeys(names))
