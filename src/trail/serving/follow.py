"""``trail serve NAME#STAGE --follow``: watch the registry's tags and, when the stage (or, for a
bare ``NAME``, the latest version) names another version, load it beside the one being served
and swap it in. The listening socket never closes: requests in flight finish on the old model,
the next ones go to the new. A version that fails to load is reported once and skipped."""

from __future__ import annotations

import threading
from collections.abc import Callable

from trail.registry.names import Spec
from trail.repo import Repo
from trail.serving.server import Slot
from trail.serving.source import Served

Report = Callable[[str], None]


class Follower(threading.Thread):
    def __init__(
        self,
        repo: Repo,
        spec: Spec,
        slot: Slot,
        served: Served,
        *,
        interval: float = 1.0,
        report: Report = lambda _m: None,
    ) -> None:
        super().__init__(name="trail-serve-follow", daemon=True)
        self.repo, self.spec, self.slot, self.interval = repo, spec, slot, interval
        self.report = report
        self.current = served
        self.previous: Served | None = None  # kept while requests may still use its files
        self.stopped = threading.Event()
        self._skipped: str | None = None  # the commit that failed to load, or the last error
        self.swaps = 0

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.check()

    def stop(self) -> None:
        self.stopped.set()

    def check(self) -> bool:
        """Look once; True when a new version was swapped in."""
        from trail.errors import TrailError
        from trail.registry.load import git_of, load_registry
        from trail.registry.resolve import resolve
        from trail.serving.source import from_registry

        try:
            resolved = resolve(load_registry(git_of(self.repo.root, self.repo.scm)), self.spec)
        except TrailError as exc:
            self._once(str(exc), f"keeping the model being served: {exc}")
            return False
        info = self.slot.loaded.info
        if (resolved.version, resolved.commit) == (info.get("version"), info.get("commit")):
            self._skipped = None
            return False
        if self._skipped == resolved.commit:
            return False
        try:
            served = from_registry(self.repo, self.spec, resolved=resolved)
        except TrailError as exc:
            self._once(resolved.commit, f"cannot serve {resolved.version}: {exc}")
            return False
        self.slot.swap(served.loaded)
        if self.previous is not None:
            self.previous.close()
        self.previous, self.current = self.current, served
        self.swaps += 1
        self._skipped = None
        where = f" ({resolved.stage})" if resolved.stage else ""
        self.report(
            f"now serving {resolved.name} {resolved.version}{where} of commit {resolved.commit[:7]}"
        )
        return True

    def _once(self, key: str, message: str) -> None:
        if self._skipped != key:
            self._skipped = key
            self.report(message)

    def close(self) -> None:
        self.stop()
        for served in (self.previous, self.current):
            if served is not None:
                served.close()
