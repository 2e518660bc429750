"""A process told apart from a later one that reuses its pid: the owner of a queue entry, or
the run an isolated clone belongs to."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Proc:
    """A process, told apart from a later one that reuses its pid by its start time."""

    pid: int
    start: str = ""

    @classmethod
    def me(cls) -> Proc:
        return cls.of(os.getpid())

    @classmethod
    def of(cls, pid: int) -> Proc:
        return cls(pid, _start_time(pid))

    def alive(self) -> bool:
        """Running, and the same process (a zombie, dead but not yet reaped, is not)."""
        from trail.fsutil import pid_alive

        if not pid_alive(self.pid):
            return False
        fields = _stat(self.pid)
        if not fields:
            return True  # no /proc here: the pid is all there is to go by
        return fields[0] != "Z" and (not self.start or fields[19] == self.start)


def _stat(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (state first), or [] (not Linux)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []
    return fields if len(fields) > 19 else []


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), or "" where unknown."""
    fields = _stat(pid)
    return fields[19] if fields else ""
