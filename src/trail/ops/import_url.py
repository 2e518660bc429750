"""``trail import-url``: data from a URL (or a path outside the repository), cached here and
tracked by a pointer file that records what the source looked like, so ``update`` can tell
whether it changed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import Any

from trail import hashing
from trail.errors import UsageError, WorkspaceError
from trail.importdeps import UrlDep
from trail.oidstr import format_oid
from trail.ops.importing import ImportResult, finish, make_pointer, plan_out
from trail.ops.locking import locked
from trail.progress import NULL, Progress
from trail.repo import Repo
from trail.workspace.build import Built


def is_local(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def fingerprinted(repo: Repo, url: str) -> bool:
    """Whether the URL's backend tells a change without a download (S3 etags, HTTP headers)."""
    if is_local(url):
        return False
    from trail.remote.urls import expand, has_fingerprint

    return has_fingerprint(expand(repo.config, url)[0])


def local_path(repo: Repo, pf_dir: str, path: str) -> str:
    """A local dependency's absolute path (relative ones are relative to the pointer file)."""
    path = path[len("file://") :] if path.startswith("file://") else path
    return os.path.normpath(os.path.join(repo.root, pf_dir, os.path.expanduser(path)))


@locked
def import_url(
    repo: Repo,
    url: str,
    out: str | None = None,
    *,
    force: bool = False,
    no_exec: bool = False,
    no_download: bool = False,
    fs_config: Mapping[str, Any] | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> ImportResult:
    from trail.remote.urls import basename

    name = basename(url)
    if not name:
        raise UsageError(f"cannot tell a file name from '{url}': give OUT")
    out_rel, pf_path = plan_out(repo, name, out, force=force)
    dep_path = _dep_path(repo, url, os.path.dirname(pf_path))
    if no_exec:
        dep = UrlDep(dep_path, algo=repo.algo, fs_config=dict(fs_config or {}) or None)
        pf = make_pointer(repo, pf_path, dep, None, with_md5=False)
        return finish(repo, pf, out_rel, None, force=force)
    dep, built = read_url(
        repo,
        os.path.dirname(pf_path) or ".",
        dep_path,
        fs_config,
        store=not no_download,
        jobs=jobs,
        progress=progress,
    )
    pf = make_pointer(repo, pf_path, dep, built)
    return finish(repo, pf, out_rel, built, force=True, progress=progress)


def _dep_path(repo: Repo, url: str, pf_dir: str) -> str:
    """A relative local path is kept relative to the pointer file, as DVC reads it."""
    if not is_local(url) or os.path.isabs(url) or url.startswith(("~", "file://")):
        return url
    return os.path.relpath(os.path.abspath(url), repo.path(pf_dir)).replace(os.sep, "/")


def read_url(
    repo: Repo,
    pf_dir: str,
    path: str,
    fs_config: Mapping[str, Any] | None,
    *,
    store: bool,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> tuple[UrlDep, Built | None]:
    """What ``path`` looks like now (the dep to record) and, with ``store``, its data cached."""
    fs_config = dict(fs_config or {}) or None
    if is_local(path):
        built = _build_local(repo, local_path(repo, pf_dir, path), store, progress)
        return _content_dep(repo, path, built, fs_config), built if store else None
    from trail.remote.urls import info, open_url

    fs = open_url(repo.config, path, fs_config)
    try:
        now = info(fs)
    except FileNotFoundError:
        raise WorkspaceError(f"'{path}' does not exist") from None
    if now.key is None:  # no fingerprint: the content is what tells
        built = _download(repo, fs, now, store, jobs, progress)
        return _content_dep(repo, path, built, fs_config), built if store else None
    dep = UrlDep(path, _fingerprint(repo, now), now.size, _nfiles(now), repo.algo, fs_config)
    return dep, _download(repo, fs, now, True, jobs, progress) if store else None


def _content_dep(repo: Repo, path: str, built: Built, fs_config: Any) -> UrlDep:
    checksum = (repo.algo, format_oid(built.oid))
    return UrlDep(path, checksum, built.meta.size, built.meta.nfiles, repo.algo, fs_config)


def _nfiles(now: Any) -> int | None:
    return len(now.files) if now.isdir else None


def _fingerprint(repo: Repo, now: Any) -> tuple[str, str]:
    """A file's etag/checksum; for a directory, the hash of its files' etags as a manifest
    (DVC's ``md5: ….dir``)."""
    if not now.isdir:
        return now.key, str(now.files[0].etag)
    import json

    listing = [{now.key: f.etag, "relpath": f.relpath} for f in now.files]
    data = json.dumps(listing, sort_keys=True).encode("utf-8")
    return repo.algo, hashing.get(repo.algo).hash_bytes(data) + ".dir"


def _build_local(repo: Repo, abspath: str, store: bool, progress: Progress) -> Built:
    from trail.ops.common import build_context_for
    from trail.workspace.build import build

    if not os.path.exists(abspath):
        raise WorkspaceError(f"'{abspath}' does not exist")
    odb = repo.odb if store else None
    ctx = build_context_for(os.path.dirname(abspath), repo.algo, odb)
    ctx.progress = progress
    return build(ctx, os.path.basename(abspath))


def _download(
    repo: Repo, fs: Any, now: Any, store: bool, jobs: int | None, progress: Progress
) -> Built:
    """Download into a temp dir under the private dir, then hash (and cache) from there."""
    import tempfile

    from trail.remote.transfer import default_jobs
    from trail.remote.urls import download

    os.makedirs(repo.private_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="import-", dir=repo.private_dir)
    try:
        download(fs, now, os.path.join(tmp, "data"), jobs=jobs or default_jobs())
        return _build_local(repo, os.path.join(tmp, "data"), store, progress)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
