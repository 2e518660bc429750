"""``trail import``: a file or directory of another trail, DVC or plain Git repository, cached
here and tracked by an import pointer file that remembers where it came from (DVC's format)."""

from __future__ import annotations

import os

from trail.importdeps import RepoDep, RepoSource
from trail.ops.importing import ImportResult, finish, make_pointer, plan_out
from trail.ops.locking import locked
from trail.progress import NULL, Progress
from trail.repo import Repo


def stored_url(repo: Repo, url: str) -> str:
    """A local repository given by a relative path is kept relative to the repository root
    (where DVC reads it from); anything else as given."""
    if "://" in url or os.path.isabs(url) or not os.path.isdir(url):
        return url
    return os.path.relpath(os.path.abspath(url), repo.root).replace(os.sep, "/")


@locked
def import_repo(
    repo: Repo,
    url: str,
    path: str,
    *,
    out: str | None = None,
    rev: str | None = None,
    force: bool = False,
    no_exec: bool = False,
    no_download: bool = False,
    remote: str | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> ImportResult:
    """Import ``path`` of the repository at ``url`` (``rev``: a branch, tag or commit).

    ``no_exec`` writes the pointer file only; ``no_download`` also resolves ``rev`` to its
    commit (``rev_lock``) and checks that the path exists there, but fetches nothing.
    """
    from trail.ops.source import fetch_path, locate, open_source

    path = path.strip("/")
    out_rel, pf_path = plan_out(repo, os.path.basename(path), out, force=force)
    extra = {"remote": remote} if remote else {}
    where = stored_url(repo, url)
    if no_exec:
        dep = RepoDep(path, RepoSource(where, rev, None, extra))
        pf = make_pointer(repo, pf_path, dep, None, with_md5=False)
        return finish(repo, pf, out_rel, None, force=force)
    with open_source(url, rev) as src:
        dep = RepoDep(path, RepoSource(where, rev, src.sha, extra))
        if no_download:
            locate(src, path)
            built = None
        else:
            built = fetch_path(
                src, path, repo.odb, repo.algo, remote=remote, jobs=jobs, progress=progress
            )
    pf = make_pointer(repo, pf_path, dep, built)
    return finish(repo, pf, out_rel, built, force=True, progress=progress)
