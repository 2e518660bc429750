"""Errors of the data-quality commands: one line each, naming the file (and line) concerned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trail.errors import TrailError


class DataError(TrailError):
    """Base of data-quality errors."""


class EngineMissingError(DataError):
    def __init__(self) -> None:
        super().__init__(
            "data profile, drift and check need the 'duckdb' package: pip install 'trail[data]'"
        )


class DataReadError(DataError):
    """A table could not be read: ``path:line: message`` (line when known)."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class ContractFileError(DataError):
    """``trail.contracts.yaml`` is malformed: ``file:line: message``."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: the data file, the column (or ``""`` for the table), the rule as the
    contract states it, what was found, an example row when there is one, and where the rule
    is written (``trail.contracts.yaml:12``)."""

    path: str
    column: str
    rule: str
    found: str
    example: str = ""
    where: str = ""

    def line(self) -> str:
        col = f", column '{self.column}'" if self.column else ""
        example = f"; e.g. {self.example}" if self.example else ""
        where = f" ({self.where})" if self.where else ""
        return f"{self.path}{col}: rule {self.rule}{where} broken: {self.found}{example}"


class ContractViolation(DataError):
    """Data broke its contract; ``str`` is the first violation (and how many more)."""

    def __init__(self, violations: Sequence[Violation], stage: str | None = None) -> None:
        self.violations = list(violations)
        self.stage = stage
        first = self.violations[0].line()
        more = f" (and {len(self.violations) - 1} more)" if len(self.violations) > 1 else ""
        prefix = f"stage '{stage}': " if stage else ""
        super().__init__(f"{prefix}contract broken: {first}{more}")
