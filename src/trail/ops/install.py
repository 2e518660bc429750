"""``trail install``: Git hooks that keep data in step with Git, as ``dvc install`` sets them
up — ``post-checkout`` checks out the data of the commit just checked out, ``pre-commit``
shows what changed, ``pre-push`` pushes the data the pushed commits need — and a merge driver
that merges pointer files of tracked directories whose two sides changed different files."""

from __future__ import annotations

import os
import sys

from trail.errors import ScmError, TrailError
from trail.repo import Repo

HOOKS = ("post-checkout", "pre-commit", "pre-push")
MARK = "git-hook"  # what our hook scripts say, to tell them from the user's own


def _executable() -> str:
    """The ``trail`` script beside the running Python, so hooks work without an active venv."""
    beside = os.path.join(os.path.dirname(sys.executable), "trail")
    return beside if os.access(beside, os.X_OK) else "trail"


def install(repo: Repo, *, pre_commit_tool: bool = False) -> list[str]:
    """Write the hooks (and the merge driver's Git config); returns what was done. A hook file
    the user wrote is never overwritten: that is an error naming it, and nothing is written."""
    git = repo.scm
    if git is None:
        raise ScmError("`install` sets up Git hooks, and this repository has no Git")
    if pre_commit_tool:
        return [_pre_commit_config(repo)]
    hooks_dir = os.path.join(repo.root, git.run("rev-parse", "--git-path", "hooks").strip())
    scripts = {}
    for hook in HOOKS:
        path = os.path.join(hooks_dir, hook)
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                if MARK not in f.read():
                    raise TrailError(
                        f"hook '{hook}' already exists ({path}): add `{_executable()} {MARK} "
                        f'{hook} "$@"` to it yourself, or remove it and run `install` again'
                    )
        scripts[path] = f'#!/bin/sh\nexec {_executable()} {MARK} {hook} "$@"\n'
    from trail.fsutil import atomic_write_text

    os.makedirs(hooks_dir, exist_ok=True)
    for path, text in scripts.items():
        atomic_write_text(path, text)
        os.chmod(path, 0o755)
    driver = _driver_name(repo)
    git.run("config", f"merge.{driver}.name", f"{repo.dialect.name.upper()} merge driver")
    git.run(
        "config",
        f"merge.{driver}.driver",
        f"{_executable()} {MARK} merge-driver --ancestor %O --our %A --their %B",
    )
    suffix = repo.dialect.pointer_suffix
    return [
        f"Installed Git hooks {', '.join(HOOKS)} in {os.path.relpath(hooks_dir, repo.root)}",
        f"Merge driver '{driver}': add `*{suffix} merge={driver}` to .gitattributes to use it",
    ]


def _driver_name(repo: Repo) -> str:
    return repo.dialect.name  # "dvc" in a DVC repository: the name its .gitattributes use


def _pre_commit_config(repo: Repo) -> str:
    """Entries for the pre-commit tool, appended to ``.pre-commit-config.yaml``."""
    from trail.fsutil import atomic_write_text

    path = repo.path(".pre-commit-config.yaml")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    if f"{MARK} pre-commit" in text:
        return "The pre-commit tool already runs trail's hooks"
    hooks = "".join(
        f"  - id: trail-{hook}\n    name: trail {hook}\n"
        f"    entry: {_executable()} {MARK} {hook}\n    language: system\n"
        f"    stages: [{hook}]\n    always_run: true\n    pass_filenames: false\n"
        for hook in HOOKS
    )
    block = f"- repo: local\n  hooks:\n{hooks}"
    text = (text.rstrip("\n") + "\n" if text.strip() else "repos:\n") + block
    atomic_write_text(path, text)
    return "Added trail's hooks to .pre-commit-config.yaml (run `pre-commit install`)"


def in_rebase(repo: Repo) -> bool:
    """Whether Git is in the middle of a rebase (a checkout then must not touch the data)."""
    if repo.scm is None:
        return False
    path = repo.scm.run("rev-parse", "--git-path", "rebase-merge").strip()
    return os.path.isdir(os.path.join(repo.root, path))
