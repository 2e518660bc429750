"""Symlinked directories in the workspace.

trail follows a symlink to a *file* (its content is what is tracked, and a checkout replaces
the link itself, never what it points to). A symlink to a *directory* is another matter: storing
data reached through one would let a later checkout delete or overwrite files wherever it
points — outside the repository, or untracked files in the real directory. So ``add`` and
``commit`` refuse such paths (as DVC's ``add`` does), and checkout refuses to touch them, with or
without ``-f``, before it changes anything.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable

from trail.errors import CheckoutError, SymlinkedDirError


def symlinked_dir(root: str, relpath: str, *, is_dir: bool = False) -> str | None:
    """The first path on the way to repo-relative ``relpath`` that is a directory symlink.

    Every parent that is a symlink counts; ``relpath`` itself counts when it is a symlink to a
    directory, or any symlink when a directory is expected there (``is_dir``). None when the
    way is clear (parts that do not exist yet are clear: trail creates them as directories).
    """
    parts = relpath.split("/")
    cur = root
    for i, part in enumerate(parts):
        cur = os.path.join(cur, part)
        try:
            mode = os.lstat(cur).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return None
        if stat.S_ISLNK(mode):
            last = i == len(parts) - 1
            if not last or is_dir or os.path.isdir(cur):
                return "/".join(parts[: i + 1])
        elif not stat.S_ISDIR(mode):
            return None
    return None


def link_target(root: str, relpath: str) -> str:
    try:
        return os.readlink(os.path.join(root, relpath))
    except OSError:
        return "?"


def refuse_for_storing(root: str, relpaths: Iterable[str], action: str) -> None:
    """Raise before anything is stored when a path is, or lies inside, a directory symlink."""
    for rel in relpaths:
        link = symlinked_dir(root, rel)
        if link is not None:
            raise SymlinkedDirError(rel, link, link_target(root, link), action)


def checkout_refusal(links: dict[str, str]) -> CheckoutError:
    """The error for outputs (path → the symlinked directory on its way) a checkout must not
    touch. It does not suggest ``-f``: nothing would make writing through the link safe."""
    shown = sorted(set(links.values()))
    return CheckoutError(
        sorted(links),
        f"{', '.join(repr(s) for s in shown)} "
        f"{'is a symlink' if len(shown) == 1 else 'are symlinks'} to a directory, and trail "
        "never deletes or writes through a symlink (with or without -f); replace the link by "
        "a real directory (or remove it) and check out again",
    )


def check_checkout(root: str, outputs: Iterable[tuple[str, bool]]) -> None:
    """Refuse, before anything is touched, outputs ``(relpath, is_dir)`` a checkout would have
    to reach through a directory symlink."""
    links = {}
    for rel, is_dir in outputs:
        link = symlinked_dir(root, rel, is_dir=is_dir)
        if link is not None:
            links[rel] = link
    if links:
        raise checkout_refusal(links)


class SymlinkedParents:
    """Finds directory symlinks below an output, remembering directories already looked at
    (a checkout of 20,000 files in 1,200 folders looks at each folder once)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.seen: dict[str, str | None] = {}

    def link_above(self, relpath: str, top: str) -> str | None:
        """The first symlink among the directories between output ``top`` and file
        ``relpath`` (both repo-relative), or None."""
        d = os.path.dirname(relpath)
        if d == top or not d.startswith(top + "/"):
            return None
        if d in self.seen:
            return self.seen[d]
        found = self.link_above(d, top)
        if found is None:
            try:
                if stat.S_ISLNK(os.lstat(os.path.join(self.root, d)).st_mode):
                    found = d
            except (FileNotFoundError, NotADirectoryError):
                pass
        self.seen[d] = found
        return found
