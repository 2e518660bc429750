"""The experiment queue, kept in files so it needs no broker and survives any process.

Each entry is ``<private dir>/exps/queue/<id>.json`` (written atomically), its snapshot a commit
under ``refs/trail/queue/<id>`` (never under ``refs/exps/``: a queued run is not an experiment
yet), its log ``logs/<id>.log``. Changes to entries happen under one file lock. A process that
died while holding an entry (``kill -9``, a machine that stopped) is noticed by the next command
that reads the queue (``recover``): its entry becomes ``failed`` and its clone is removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from trail.errors import TrailError, UsageError
from trail.experiments.proc import Proc as Proc  # an entry's worker
from trail.repo import Repo

QUEUED, RUNNING, SUCCESS, FAILED, KILLED = "queued", "running", "success", "failed", "killed"
DONE = frozenset((SUCCESS, FAILED, KILLED))
REF_PREFIX = "refs/trail/queue/"


class QueueError(TrailError):
    """A queue command that cannot do what was asked."""


class UnknownEntryError(UsageError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"no queued experiment '{key}' (see `trail queue status`)")


class AmbiguousEntryError(UsageError):
    def __init__(self, key: str, ids: Sequence[str]) -> None:
        self.key, self.ids = key, tuple(ids)
        super().__init__(f"'{key}' names several queued runs ({', '.join(ids)}): give an id")


@dataclass(frozen=True)
class Entry:
    """One queued run and what became of it."""

    id: str
    name: str
    baseline: str  # the commit the experiment starts from
    snapshot: str  # the commit holding the workspace (with the -S edits) to run
    args: tuple[str, ...] = ()  # for `trail exp run` in the clone, after `-n NAME`
    set_params: tuple[str, ...] = ()  # the -S edits as typed (already in the snapshot)
    force: bool = False  # replace an experiment of the same name
    status: str = QUEUED
    queued_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    worker: Proc | None = None  # the process that runs it (a queue worker, or `--temp`)
    proc: Proc | None = None  # `trail exp run` in the clone (its own process group)
    exit_code: int | None = None
    error: str | None = None
    exp_ref: str | None = None

    @property
    def ref(self) -> str:
        return REF_PREFIX + self.id

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        fields = dict(data)
        for key in ("worker", "proc"):
            if fields.get(key):
                fields[key] = Proc(**fields[key])
        for key in ("args", "set_params"):
            fields[key] = tuple(fields.get(key) or ())
        return cls(**fields)


class Queue:
    """The queue of one repository."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.dir = os.path.join(repo.private_dir, "exps", "queue")
        self.run_dir = os.path.join(repo.private_dir, "exps", "run")  # the temporary clones

    def log_path(self, entry_id: str) -> str:
        return os.path.join(self.dir, "logs", f"{entry_id}.log")

    def clone_path(self, entry_id: str) -> str:
        return os.path.join(self.run_dir, entry_id)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Held while entries are read and changed together (claims, kills, removals)."""
        from trail.lock import repo_lock

        with repo_lock(os.path.join(self.dir, "lock"), 60.0, None):
            yield

    def entries(self) -> list[Entry]:
        """Every entry, oldest first (unreadable files are skipped, never deleted)."""
        found = []
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return []
        for name in names:
            if name.endswith(".json"):
                entry = self._read(os.path.join(self.dir, name))
                if entry is not None:
                    found.append(entry)
        return sorted(found, key=lambda e: (e.queued_at, e.id))

    def _read(self, path: str) -> Entry | None:
        try:
            with open(path, encoding="utf-8") as f:
                return Entry.from_json(json.load(f))
        except (OSError, ValueError, TypeError):
            return None

    def get(self, entry_id: str) -> Entry | None:
        return self._read(os.path.join(self.dir, f"{entry_id}.json"))

    def save(self, entry: Entry) -> Entry:
        from trail.fsutil import atomic_write

        os.makedirs(self.dir, exist_ok=True)
        data = json.dumps(entry.to_json(), indent=1, sort_keys=True).encode()
        atomic_write(os.path.join(self.dir, f"{entry.id}.json"), data)
        return entry

    def update(self, entry_id: str, **changes: Any) -> Entry | None:
        """Change an entry under the lock; a finished entry keeps its outcome (a run killed
        meanwhile stays ``killed``)."""
        with self.locked():
            entry = self.get(entry_id)
            if entry is None:
                return None
            if entry.status in DONE and changes.get("status") not in (None, entry.status):
                changes = {k: v for k, v in changes.items() if k not in ("status", "error")}
            return self.save(replace(entry, **changes))

    def delete(self, entry: Entry) -> None:
        from trail.fsutil import unlink_missing_ok
        from trail.scm.git import Git
        from trail.scm.refs import RefUpdate, update_refs

        with contextlib.suppress(TrailError):
            update_refs(Git(self.repo.root), [RefUpdate(entry.ref, None)])
        unlink_missing_ok(self.log_path(entry.id))
        unlink_missing_ok(os.path.join(self.dir, f"{entry.id}.json"))

    def find(self, keys: Sequence[str]) -> list[Entry]:
        """Entries by id, id prefix (4+ characters) or name; each key must name exactly one."""
        entries = self.entries()
        found: list[Entry] = []
        for key in keys:
            match = [e for e in entries if e.id == key] or [e for e in entries if e.name == key]
            if not match and len(key) >= 4:
                match = [e for e in entries if e.id.startswith(key)]
            if not match:
                raise UnknownEntryError(key)
            if len(match) > 1:
                raise AmbiguousEntryError(key, [e.id for e in match])
            if match[0] not in found:
                found.append(match[0])
        return found


def new_id() -> str:
    return os.urandom(6).hex()


def recover(queue: Queue) -> list[Entry]:
    """Entries whose process is gone while they were running become ``failed`` (a run left
    orphaned is stopped, its clone removed); returns them. Cheap when nothing runs."""
    entries = queue.entries()
    stale = [e for e in entries if e.status == RUNNING and not owner_alive(e)]
    recovered = _fail_stale(queue, stale) if stale else []
    _remove_left_clones(queue, {e.id for e in entries if owner_alive(e)})
    return recovered


def _fail_stale(queue: Queue, stale: list[Entry]) -> list[Entry]:
    from trail.experiments.isolated import remove_clone, stop

    recovered = []
    with queue.locked():
        for entry in stale:
            current = queue.get(entry.id)
            if current is None or current.status != RUNNING or owner_alive(current):
                continue
            if current.proc is not None:
                stop(current.proc, queue.clone_path(current.id))
            remove_clone(queue.clone_path(current.id))
            _note(queue.log_path(current.id), "the process running this experiment died")
            failed = replace(
                current,
                status=FAILED,
                finished_at=time.time(),
                error="the process running it died (killed, or the machine stopped)",
            )
            recovered.append(queue.save(failed))
    return recovered


def _remove_left_clones(queue: Queue, owned: set[str]) -> None:
    """Clones no live process owns (it died while making or removing one)."""
    try:
        names = os.listdir(queue.run_dir)
    except FileNotFoundError:
        return
    for name in names:
        if name not in owned:
            from trail.experiments.isolated import remove_clone

            remove_clone(os.path.join(queue.run_dir, name))


def owner_alive(entry: Entry) -> bool:
    return entry.worker is not None and entry.worker.alive()


def _note(log: str, text: str) -> None:
    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"\ntrail: {text}\n")
