"""Git refs through plumbing: list them with their targets, and change several at once in one
``update-ref --stdin`` transaction, each checked against the value it is expected to have."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from trail.errors import ScmError
from trail.scm.git import Git


@dataclass(frozen=True, slots=True)
class Ref:
    """A ref, the commit it points to and that commit's tree, committer time and parents."""

    name: str
    sha: str
    tree: str = ""
    time: int = 0
    parents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RefUpdate:
    """Set ``ref`` to ``new`` (delete it when ``new`` is None).

    ``old`` is the value it must have now (None: not checked); ``create`` means it must not
    exist yet. Either check failing makes the whole transaction fail, changing nothing.
    """

    ref: str
    new: str | None
    old: str | None = None
    create: bool = False


class RefConflictError(ScmError):
    """A ref was not what an update expected (it exists already, or moved meanwhile)."""

    def __init__(self, refs: Sequence[str], detail: str) -> None:
        self.refs = tuple(refs)
        super().__init__(f"cannot update {', '.join(self.refs)}: {detail}")


# ``*objectname`` is the commit an annotated tag points to (empty for other refs).
_FORMAT = (
    "%(refname)%00%(objectname)%00%(*objectname)%00%(tree)%00%(committerdate:unix)%00%(parent)"
)


def list_refs(git: Git, *prefixes: str) -> list[Ref]:
    """Refs under ``prefixes`` (``refs/exps/``), sorted by name, with one ``for-each-ref``."""
    out = git.run("for-each-ref", f"--format={_FORMAT}", *prefixes)
    refs = []
    for line in out.splitlines():
        name, sha, peeled, tree, time, parents = line.split("\0")
        refs.append(Ref(name, peeled or sha, tree, int(time or 0), tuple(parents.split())))
    return refs


def update_refs(git: Git, updates: Iterable[RefUpdate]) -> None:
    """Apply all ``updates`` atomically: all of them happen, or none does."""
    updates = list(updates)
    if not updates:
        return
    lines = []
    for u in updates:
        if u.new is None:
            lines.append(f"delete {u.ref}" + (f" {u.old}" if u.old else ""))
        elif u.create:
            lines.append(f"create {u.ref} {u.new}")
        else:
            lines.append(f"update {u.ref} {u.new}" + (f" {u.old}" if u.old else ""))
    text = "".join(line + "\n" for line in lines).encode()
    code, _out, err = git.run_env("update-ref", "--stdin", env={}, input=text, check=False)
    if code != 0:
        detail = err.strip().splitlines()[-1] if err.strip() else f"exit code {code}"
        detail = detail.removeprefix("fatal: ").removeprefix("error: ")
        raise RefConflictError([u.ref for u in updates], detail)


def check_ref_format(git: Git, ref: str) -> bool:
    """Whether ``ref`` is a valid full ref name (``git check-ref-format``)."""
    code, _out, _err = git.run_env("check-ref-format", ref, env={}, check=False)
    return code == 0


def head(git: Git) -> tuple[str, str | None]:
    """(HEAD's commit, its branch name or None when detached), with one ``rev-parse``."""
    code, out, _err = git.run_env("rev-parse", "HEAD", "--abbrev-ref", "HEAD", env={}, check=False)
    parts = out.split()
    if code != 0 or len(parts) != 2:
        raise ScmError("this repository has no commit yet: commit your project first")
    return parts[0], None if parts[1] == "HEAD" else parts[1]


def set_ref_logged(git: Git, ref: str, sha: str, message: str) -> None:
    """Point ``ref`` at ``sha``, keeping the old values in its reflog (recoverable backups)."""
    git.run("update-ref", "--create-reflog", "-m", message, ref, sha)
