"""Refs on a Git remote: list them, push ours there, fetch theirs here (``git ls-remote``,
``git push``, ``git fetch`` with explicit refspecs; nothing else is pushed or fetched)."""

from __future__ import annotations

from collections.abc import Sequence

from trail.errors import ScmError
from trail.scm.git import Git


class GitRemoteError(ScmError):
    """A Git remote that cannot be reached or refused what was asked."""

    def __init__(self, remote: str, verb: str, detail: str) -> None:
        self.remote, self.detail = remote, detail
        super().__init__(f"cannot {verb} Git remote '{remote}': {detail}")


def _fail(remote: str, verb: str, err: str, code: int) -> GitRemoteError:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    useful = [line for line in lines if line.startswith(("fatal:", "error:", " ! "))]
    detail = (useful or lines or [f"exit code {code}"])[0]
    return GitRemoteError(remote, verb, detail.removeprefix("fatal: ").removeprefix("error: "))


def ls_remote(git: Git, remote: str, patterns: Sequence[str]) -> dict[str, str]:
    """Refs of ``remote`` matching ``patterns`` (``refs/exps/*``) → the commits they name."""
    code, out, err = git.run_env("ls-remote", "--refs", remote, *patterns, env=_QUIET, check=False)
    if code != 0:
        raise _fail(remote, "read", err, code)
    refs = {}
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        if name:
            refs[name] = sha
    return refs


def push_refs(git: Git, remote: str, refs: Sequence[str], *, force: bool = False) -> None:
    """Push each ref to the same name on ``remote``; ``deleted`` refs are given as ``:ref``."""
    if not refs:
        return
    specs = [r if r.startswith(":") else f"{'+' if force else ''}{r}:{r}" for r in refs]
    code, _out, err = git.run_env("push", "--porcelain", remote, *specs, env=_QUIET, check=False)
    if code != 0:
        raise _fail(remote, "push to", err, code)


def fetch_refs(git: Git, remote: str, refs: Sequence[str], *, force: bool = False) -> None:
    """Fetch each ref of ``remote`` into the same local name."""
    if not refs:
        return
    specs = [f"{'+' if force else ''}{r}:{r}" for r in refs]
    code, _out, err = git.run_env(
        "fetch", "--no-tags", "--no-write-fetch-head", "-q", remote, *specs, env=_QUIET, check=False
    )
    if code != 0:
        raise _fail(remote, "fetch from", err, code)


# Never stop to ask for a password on a terminal: a remote that needs one fails with a message.
_QUIET = {"GIT_TERMINAL_PROMPT": "0"}
