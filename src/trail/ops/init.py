"""``trail init``: make a trail repository (or, with ``dvc=True``, a DVC one)."""

from __future__ import annotations

import os

from trail.dialect import DVC, TRAIL
from trail.errors import TrailError
from trail.fsutil import atomic_write_text
from trail.repo import Repo, detect

IGNORE_HEADER = (
    "# Paths trail should not track or walk, in .gitignore syntax (gitwildmatch).\n"
    "# Ignoring large generated folders here also makes status faster.\n"
)


def init(
    root: str,
    *,
    dvc: bool = False,
    no_scm: bool = False,
    force: bool = False,
    subdir: bool = False,
) -> Repo:
    """Make ``root`` a repository; ``subdir`` allows one inside a Git work tree that starts
    higher up (a monorepo with several projects), as ``dvc init --subdir`` does."""
    root = os.path.abspath(root)
    dialect = DVC if dvc else TRAIL
    existing = detect(root)
    if existing is not None and not force:
        raise TrailError(
            f"{root} is already a {existing.name} repository ({existing.control}/ exists); "
            "use -f to re-initialise"
        )
    has_git = os.path.exists(os.path.join(root, ".git"))
    if not has_git and not no_scm:
        from trail.scm.git import Git

        top = Git.find_root(os.path.dirname(root))
        if top is None:
            raise TrailError(
                f"{root} is not a Git repository: run `git init` first, or use --no-scm"
            )
        if not subdir:
            cmd = "trail init --dvc" if dvc else "trail init"
            raise TrailError(
                f"{root} is inside the Git repository {top}: run `{cmd} --subdir` to make a "
                f"repository of this folder, or `{cmd}` in {top}"
            )
        has_git = True
    control = os.path.join(root, dialect.control)
    os.makedirs(control, exist_ok=True)
    config = os.path.join(control, "config")
    if not os.path.exists(config) or force:
        atomic_write_text(config, "[core]\n    no_scm = True\n" if no_scm else "")
    atomic_write_text(os.path.join(control, ".gitignore"), "/config.local\n/tmp\n/cache\n")
    ignore = os.path.join(root, dialect.ignore_file)
    if not os.path.exists(ignore):
        atomic_write_text(ignore, IGNORE_HEADER)
    repo = Repo(root, dialect)
    if has_git and not no_scm and repo.scm is not None:
        repo.scm.add(
            [f"{dialect.control}/config", f"{dialect.control}/.gitignore", dialect.ignore_file]
        )
    return repo
