"""Annotated tags through plumbing: list them with what they say and what they point to (one
``for-each-ref``), make one with exactly the message given (``mktag``, then a ref created only if
it does not exist yet), push and delete them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trail.errors import ScmError
from trail.scm.git import Git


@dataclass(frozen=True, slots=True)
class Person:
    """Who did something, and when: seconds since the epoch and the UTC offset in seconds."""

    name: str
    email: str
    time: int
    offset: int


@dataclass(frozen=True, slots=True)
class AnnotatedTag:
    """An annotated tag on a commit: its name (without ``refs/tags/``), the commit, the tagger
    and the message as stored; and the commit's author, committer and message."""

    name: str
    target: str
    tagger: Person
    message: str
    author: Person
    committer: Person
    commit_message: str


class TagExistsError(ScmError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"tag '{name}' already exists")


_FIELDS = (
    "%(refname)",
    "%(objecttype)",
    "%(*objecttype)",
    "%(*objectname)",
    "%(taggername)",
    "%(taggeremail)",
    "%(taggerdate:raw)",
    "%(contents)",
    "%(*authorname)",
    "%(*authoremail)",
    "%(*authordate:raw)",
    "%(*committername)",
    "%(*committeremail)",
    "%(*committerdate:raw)",
    "%(*contents)",
)
# Every field ends with a NUL, so a message's own newlines never split a record.
_FORMAT = "".join(f + "%00" for f in _FIELDS)


def annotated_tags(git: Git) -> list[AnnotatedTag]:
    """Every annotated tag that points to a commit, sorted by name; lightweight tags and tags
    of other objects are left out."""
    out = git.run("for-each-ref", f"--format={_FORMAT}", "refs/tags/")
    parts = out.split("\0")
    n = len(_FIELDS)
    found = []
    for start in range(0, len(parts) - n + 1, n):
        rec = parts[start : start + n]
        ref = rec[0].lstrip("\n")
        if rec[1] != "tag" or rec[2] != "commit":
            continue
        found.append(
            AnnotatedTag(
                name=ref.removeprefix("refs/tags/"),
                target=rec[3],
                tagger=_person(rec[4], rec[5], rec[6]),
                message=rec[7],
                author=_person(rec[8], rec[9], rec[10]),
                committer=_person(rec[11], rec[12], rec[13]),
                commit_message=rec[14],
            )
        )
    found.sort(key=lambda t: t.name)
    return found


def _person(name: str, email: str, raw_date: str) -> Person:
    seconds, _, zone = raw_date.partition(" ")
    return Person(name, email.strip("<>"), int(seconds or 0), _offset(zone))


def _offset(zone: str) -> int:
    """``+0130`` → 5400 seconds."""
    if len(zone) != 5 or zone[0] not in "+-" or not zone[1:].isdigit():
        return 0
    minutes = int(zone[1:3]) * 60 + int(zone[3:5])
    return minutes * 60 * (-1 if zone[0] == "-" else 1)


def identity(git: Git, not_before: int | None = None) -> str:
    """``Name <email> <time> <zone>`` of the committer Git would record now — waiting, if
    ``not_before`` is given, until Git's clock reaches that second (at most a few seconds)."""
    import time

    from trail.scm.commit import FALLBACK_IDENTITY

    for _attempt in range(4):
        code, out, _err = git.run_env("var", "GIT_COMMITTER_IDENT", env={}, check=False)
        if code != 0:  # no identity configured: the one trail's own commits fall back to
            code, out, _err = git.run_env("var", "GIT_COMMITTER_IDENT", env=FALLBACK_IDENTITY)
        ident = out.strip()
        parts = ident.rsplit(" ", 2)
        if not_before is None or len(parts) != 3 or not parts[1].isdigit():
            return ident
        if int(parts[1]) >= not_before:
            return ident
        time.sleep(min(2.0, max(0.01, not_before - time.time())))
    return ident


def create_annotated_tag(
    git: Git, name: str, commit: str, message: str, *, not_before: int | None = None
) -> str:
    """Tag ``commit`` as ``name`` with ``message`` stored byte for byte (no newline added),
    its time no earlier than the second ``not_before`` (see ``identity``); fails with
    ``TagExistsError``, changing nothing, when the tag exists. Returns the tag object's id."""
    from trail.scm.refs import RefConflictError, RefUpdate, update_refs

    tagger = identity(git, not_before)
    body = (f"object {commit}\ntype commit\ntag {name}\ntagger {tagger}\n\n{message}").encode()
    code, out, err = git.run_env("mktag", env={}, input=body, check=False)
    if code != 0:
        lines = err.strip().splitlines()
        raise ScmError(f"cannot make tag '{name}': {lines[-1] if lines else code}")
    sha = out.strip()
    try:
        update_refs(git, [RefUpdate(f"refs/tags/{name}", sha, create=True)])
    except RefConflictError:
        raise TagExistsError(name) from None
    return sha


def delete_tag(git: Git, name: str, expected: str | None = None) -> None:
    from trail.scm.refs import RefUpdate, update_refs

    update_refs(git, [RefUpdate(f"refs/tags/{name}", None, old=expected)])


def push_tags(git: Git, remote: str, names: Sequence[str]) -> None:
    """Push the tags ``names`` to ``remote`` (a remote's name or URL)."""
    from trail.scm.remote import push_refs

    push_refs(git, remote, [f"refs/tags/{n}" for n in names])


def fetch_tags(git: Git, remote: str) -> None:
    """Bring ``remote``'s tags here; tags that exist here with other contents are kept."""
    from trail.scm.remote import fetch_refs

    fetch_refs(git, remote, ["refs/tags/*"])


def tag_names(git: Git) -> list[str]:
    """Every tag's name, lightweight ones included."""
    return git.run("for-each-ref", "--format=%(refname:strip=2)", "refs/tags/").split()
