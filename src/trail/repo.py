"""A repository: its root, dialect, configuration and lazily built parts. Nothing is bound onto
it; operations live in ``trail.ops`` and take a ``Repo`` first."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from trail import fsutil, yamlio
from trail.config import Config
from trail.dialect import DVC, TRAIL, Dialect
from trail.errors import DialectConflictError, NotARepoError
from trail.workspace.ignore import IgnoreRules

if TYPE_CHECKING:  # the parts are imported when first used, to keep start-up fast
    from trail.odb.local import LocalODB
    from trail.scm.git import Git
    from trail.state import StateDB
    from trail.workspace.links import Linker


def detect(root: str) -> Dialect | None:
    has_trail = os.path.isdir(os.path.join(root, TRAIL.control))
    has_dvc = os.path.isdir(os.path.join(root, DVC.control))
    if has_trail and has_dvc:
        raise DialectConflictError(root)
    if has_trail:
        return TRAIL
    if has_dvc:
        return DVC
    return None


def find_root(start: str) -> tuple[str, Dialect]:
    cur = os.path.abspath(start)
    while True:
        dialect = detect(cur)
        if dialect is not None:
            return cur, dialect
        if os.path.isdir(os.path.join(cur, ".git")):
            break  # a repository does not reach above its Git root
        parent = os.path.dirname(cur)
        if parent == cur:
            break
        cur = parent
    raise NotARepoError(os.path.abspath(start))


class Repo:
    def __init__(self, root: str, dialect: Dialect) -> None:
        self.root = os.path.abspath(root)
        self.dialect = dialect
        self.on_wait: Callable[[str], None] | None = None
        self._journal = False  # whether this repository keeps the process's temp journal
        self._holds: dict[int, int] = {}  # thread id -> how deep it holds the repository lock
        # Unchanged pipeline, lock and params files are then read without PyYAML.
        yamlio.remember_parses_in(os.path.join(self.private_dir, "yaml"))

    @classmethod
    def find(cls, start: str = ".") -> Repo:
        root, dialect = find_root(start)
        repo = cls(root, dialect)
        repo.config.merged()  # a broken config file is reported before anything runs
        # Temp files of a trail killed here earlier go; this run's own are journalled.
        journal = os.path.join(repo.private_dir, "temps")
        fsutil.sweep_temp_journals(journal)
        repo._journal = fsutil.start_temp_journal(journal)
        return repo

    def path(self, relpath: str) -> str:
        return os.path.join(self.root, relpath)

    @property
    def control_dir(self) -> str:
        return os.path.join(self.root, self.dialect.control)

    @property
    def private_dir(self) -> str:
        return os.path.join(self.root, self.dialect.private_dir)

    @cached_property
    def config(self) -> Config:
        return Config(self.control_dir, self.dialect.name)

    @cached_property
    def cache_dir(self) -> str:
        configured = self.config.get("cache", "dir")
        if configured:
            return os.path.normpath(os.path.join(self.control_dir, os.path.expanduser(configured)))
        return os.path.join(self.root, self.dialect.cache_dir)

    @cached_property
    def odb(self) -> LocalODB:
        from trail.odb.local import LocalODB

        return LocalODB(self.cache_dir)

    @cached_property
    def state(self) -> StateDB:
        from trail.state import SQLiteState

        return SQLiteState(os.path.join(self.private_dir, "state.db"))

    @cached_property
    def scm(self) -> Git | None:
        if self.config.get_bool("core", "no_scm"):
            return None
        from trail.scm.git import Git

        # The Git work tree may start above the repository (``trail init --subdir``): git
        # commands run in ``root`` and read paths relative to it.
        if Git.find_root(self.root) is None:
            return None

        return Git(self.root)

    @property
    def algo(self) -> str:
        if self.dialect.default_hash == "md5":
            return "md5"  # dvc reads no other hash (a user-wide core.hash is for trail's repos)
        return self.config.get("core", "hash") or self.dialect.default_hash

    def ignore_rules(self) -> IgnoreRules:
        return IgnoreRules(self.root, self.dialect.ignore_file)

    def linker(self) -> Linker:
        from trail.workspace.links import Linker, parse_link_types

        return Linker(parse_link_types(self.config.get("cache", "type")))

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """The repository-wide write lock (DVC's own in the dvc dialect). Operations take it
        themselves (``trail.ops.locking``); it is re-entrant for this ``Repo`` within a thread,
        so an operation may run another. Another thread, another ``Repo`` or another process
        waits. Temp files of killed runs in the private directory are cleared once held."""
        import threading

        from trail.lock import repo_lock

        me = threading.get_ident()
        if self._holds.get(me):  # an operation run by another (``pull`` runs ``checkout``)
            self._holds[me] += 1
            try:
                yield
            finally:
                self._holds[me] -= 1
            return
        timeout = self.config.get_float("core", "lock_timeout", 60.0)
        with repo_lock(self.path(self.dialect.lock_path), timeout, self.on_wait):
            self._holds[me] = 1
            try:
                fsutil.clean_stale_tmp(self.private_dir)
                yield
            finally:
                del self._holds[me]

    def __enter__(self) -> Repo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if "state" in self.__dict__:
            self.state.close()
        if self._journal:
            fsutil.stop_temp_journal()
            self._journal = False
