"""``trail get``: copy a file or directory out of any trail or DVC repository (a Git URL or a
path), at any revision, downloading tracked data from that repository's remote."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trail.errors import WorkspaceError
from trail.progress import NULL, Progress

if TYPE_CHECKING:
    from trail.ops.source import Source


@dataclass(frozen=True)
class GetResult:
    path: str  # where the copy was written
    tracked: bool  # it came from the cache/remote (else it was a plain Git file)


def get(
    url: str,
    path: str,
    *,
    out: str | None = None,
    rev: str | None = None,
    remote: str | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
    force: bool = False,
    config: str | None = None,
) -> GetResult:
    """Clone ``url`` into a temp dir, check out ``path`` there, copy it to ``out`` (``force``:
    replacing what is there). ``config`` is a config file merged into the source's own (its
    remote's credentials, say), as DVC's ``get --config``."""
    from trail.ops.source import locate, materialize, open_source

    dest = os.path.abspath(out or os.path.basename(path.rstrip("/")))
    if os.path.lexists(dest) and not force:
        raise WorkspaceError(
            f"'{out or os.path.basename(path)}' already exists: choose -o OUT, or -f to replace it"
        )
    with open_source(url, rev) as src:
        _merge_config(src, config)
        found = locate(src, path)
        materialize(src, found, remote=remote, jobs=jobs, progress=progress)
        if os.path.lexists(dest):
            from trail.fsutil import remove_tree

            remove_tree(dest)  # only now that the new copy is here
        _copy(os.path.join(src.root, found.path), dest)
    return GetResult(dest, found.out is not None or bool(found.inner))


def get_url(
    url: str,
    path: str,
    *,
    rev: str | None = None,
    remote: str | None = None,
    config: str | None = None,
) -> str:
    """Where tracked ``path`` of the repository at ``url`` lives on its remote (DVC's ``get
    --show-url``); nothing is downloaded."""
    from trail.ops.locate import PathMissingError, locate_output, object_url
    from trail.ops.source import open_source

    with open_source(url, rev) as src:
        _merge_config(src, config)
        origin = None if config else src.origin  # the merged options live in the clone
        repo = origin or src.repo
        if repo is None:
            raise WorkspaceError(f"{url} is a plain Git repository: '{path}' has no remote URL")
        try:
            loc = locate_output(repo, path, src.sha if origin else None, whole_dir=True)
        except PathMissingError:
            raise WorkspaceError(f"'{path}' is not tracked in {url}: no remote URL") from None
        return object_url(repo, loc, remote)


def _merge_config(src: Source, config: str | None) -> None:
    """Add the options of file ``config`` to the source clone's ``config.local``."""
    if config is None or src.repo is None:
        return
    try:
        with open(config, encoding="utf-8") as f:
            extra = f.read()
    except OSError as exc:
        raise WorkspaceError(f"cannot read config file '{config}': {exc.strerror}") from None
    local = os.path.join(src.repo.control_dir, "config.local")
    with open(local, "a", encoding="utf-8") as f:
        f.write("\n" + extra)
    src.repo.config._merged = None  # read again, with these options


def _copy(src: str, dest: str) -> None:
    if os.path.isdir(src):
        shutil.copytree(src, dest, symlinks=False)
    else:
        shutil.copyfile(src, dest)
