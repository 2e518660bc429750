"""Open revisions of a repository for reading results: the workspace or any Git revision."""

from __future__ import annotations

from collections.abc import Sequence

from trail.errors import ScmError
from trail.repo import Repo
from trail.results.declared import FileReader, control_files, declared_of
from trail.results.revision import (
    WORKSPACE,
    EmptyReader,
    GitReader,
    ObjectReader,
    Revision,
    WorkspaceReader,
    open_revision,
    prefetch,
)


def open_rev(repo: Repo, name: str | None) -> Revision:
    """``None`` (or ``"workspace"``) is the workspace; anything else is resolved by Git."""
    return open_revs(repo, [name])[0]


def open_revs(repo: Repo, names: Sequence[str | None]) -> list[Revision]:
    """Several revisions at once: the pipeline files of every Git revision are found with one
    ``git grep``, and they and their lock files come in one Git read."""
    lock_name = repo.dialect.lock_file
    shas = _resolve_all(repo, [n for n in names if n not in (None, WORKSPACE, "HEAD")])
    readers = [_reader(repo, name, shas) for name in names]
    files = _pipeline_files(repo, [r for r in readers if isinstance(r, GitReader)])
    prefetch(readers, lambda r: control_files(files.get(id(r), []), lock_name))
    cache = _cache_reader(repo)
    return [
        _workspace(repo, r, cache)
        if isinstance(r, WorkspaceReader)
        else open_revision(r, files.get(id(r), []), lock_name, cache)
        for r in readers
    ]


def _pipeline_files(repo: Repo, readers: list[GitReader]) -> dict[int, list[str]]:
    """The pipeline files of each Git revision, by ``id(reader)``."""
    if not readers or repo.scm is None:
        return {}
    named = repo.scm.files_named([r.sha for r in readers], repo.dialect.pipeline_file)
    return {id(r): named[r.sha] for r in readers}


def _workspace(repo: Repo, reader: WorkspaceReader, cache: ObjectReader) -> Revision:
    """The workspace's pipelines are found as ``repro`` finds them (outputs and ignored
    directories are not searched)."""
    from trail.pipeline.load import load_pipelines

    declared = declared_of(reader, load_pipelines(repo), repo.dialect.lock_file)
    return Revision(reader, declared, cache)


def _resolve_all(repo: Repo, names: list[str | None]) -> dict[str, str]:
    """Commit ids of ``names`` with one ``git rev-parse``; an unknown one is named."""
    if not names or repo.scm is None:
        return {}
    wanted = [str(n) for n in dict.fromkeys(names)]
    out = repo.scm.run("rev-parse", *(f"{n}^{{commit}}" for n in wanted), check=False).split()
    if len(out) == len(wanted) and not any(o.endswith("^{commit}") for o in out):
        return dict(zip(wanted, out, strict=True))
    return {n: _resolve_one(repo, n) for n in wanted}  # raises for the unknown one


def _resolve_one(repo: Repo, name: str) -> str:
    """A Git revision, or else an experiment's name (``metrics diff main my-exp``)."""
    assert repo.scm is not None
    try:
        return repo.scm.resolve(name)
    except ScmError:
        from trail.scm.exprefs import ExperimentError, experiments, resolve
        from trail.scm.refs import head

        try:
            return resolve(repo.scm, name, head(repo.scm)[0], experiments(repo.scm)).sha
        except (ExperimentError, ScmError):
            pass
        raise


def _reader(repo: Repo, name: str | None, shas: dict[str, str]) -> FileReader:
    if name is None or name == WORKSPACE:
        return WorkspaceReader(repo.root)
    if repo.scm is None:
        raise ScmError(f"cannot read revision '{name}': this repository has no Git")
    if name == "HEAD" and not repo.scm.has_commits():
        return EmptyReader(name)  # nothing committed yet: everything is new
    return GitReader(repo.scm, shas.get(name) or repo.scm.resolve(name), name)


def _cache_reader(repo: Repo) -> ObjectReader:
    def read(algo: str, hexdigest: str) -> bytes | None:
        from trail.errors import ObjectMissingError
        from trail.oidstr import parse_oid

        try:  # verified: a corrupt object is an error, never a wrong value shown
            return repo.odb.read_verified(parse_oid(hexdigest, algo))
        except ObjectMissingError:
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
        if all_commits:  # full ids, as DVC names them
            names += git.project_commits()
        if all_branches:
            names += git.run("for-each-ref", "--format=%(refname:short)", "refs/heads").split()
        if all_tags:
            names += git.run("for-each-ref", "--format=%(refname:short)", "refs/tags").split()
    return list(dict.fromkeys(names))
