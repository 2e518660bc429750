"""What another repository's refs point at, asked with one ``git ls-remote`` (no clone)."""

from __future__ import annotations

import os
import re

from trail.errors import ScmError

_SHA = re.compile(r"^[0-9a-f]{40}$")


def resolve_remote(url: str, rev: str | None) -> str | None:
    """The commit ``rev`` (None: the default branch, ``HEAD``) names in the repository at
    ``url``; None when ``rev`` is no ref there (an abbreviated commit id, say), so only a clone
    can tell. Raises ``ScmError`` when the repository cannot be read."""
    if rev is not None and _SHA.match(rev):
        return rev
    pattern = rev or "HEAD"
    out = _ls_remote(url, pattern)
    refs: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        refs[name] = sha
    if rev is None:
        return refs.get("HEAD")
    # git rev-parse's order: the name itself, a tag (peeled to its commit), a branch, a remote.
    for name in (rev, f"refs/{rev}", f"refs/tags/{rev}^{{}}", f"refs/tags/{rev}"):
        if name in refs:
            return refs[name]
    for name in (f"refs/heads/{rev}", f"refs/remotes/{rev}", f"refs/remotes/{rev}/HEAD"):
        if name in refs:
            return refs[name]
    return None


def _ls_remote(url: str, pattern: str) -> str:
    import subprocess

    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}  # never wait for a password prompt
    try:
        proc = subprocess.run(
            ["git", "ls-remote", url, pattern], capture_output=True, env=env, check=False
        )
    except FileNotFoundError:
        raise ScmError("git is not installed (trail needs the `git` command)") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        # git's first line says what went wrong; the rest is generic advice
        first = next((ln for ln in lines if ln.startswith("fatal:")), lines[0] if lines else "")
        detail = first.removeprefix("fatal: ") or f"git ls-remote exited with {proc.returncode}"
        raise ScmError(f"cannot read repository {url}: {detail}")
    return proc.stdout.decode("utf-8", errors="replace")
