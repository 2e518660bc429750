"""What the app keeps between requests: where the repository is, the access token, whether
actions are allowed, the change watcher, and answers kept until the repository changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trail.dialect import Dialect
from trail.repo import Repo
from trail.web.watch import Watcher

CACHE_SIZE = 64


class Answers:
    """Answers of cached endpoints by (endpoint, query), each for the repository version it
    was computed at; one computation per key at a time (a second asker waits for it)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._kept: OrderedDict[Any, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Any, threading.Lock] = {}

    def get(self, key: Any, version: int, compute: Callable[[], Any]) -> Any:
        with self._lock:
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                found = self._kept.get(key)
                if found is not None and found[0] == version:
                    self._kept.move_to_end(key)
                    return found[1]
            value = compute()
            with self._lock:
                self._kept[key] = (version, value)
                self._kept.move_to_end(key)
                while len(self._kept) > self._size:
                    gone, _ = self._kept.popitem(last=False)
                    self._computing.pop(gone, None)  # a later asker makes a new one
            return value


@dataclass
class UiState:
    root: str
    dialect: Dialect
    token: str
    read_only: bool = False
    hosts: frozenset[str] | None = None  # Host headers accepted (None: any, for 0.0.0.0)
    verbose: bool = False
    watcher: Watcher = field(init=False)
    answers: Answers = field(default_factory=Answers)
    # ``exp show``'s parse memo is process-wide: one collection at a time
    experiments_lock: threading.Lock = field(default_factory=threading.Lock)
    extras: dict[str, Any] = field(default_factory=dict)  # pages' own kept values

    def __post_init__(self) -> None:
        self.watcher = Watcher(self.root, self.dialect)

    def open_repo(self) -> Repo:
        return Repo(self.root, self.dialect)
