"""Small frozen value types shared by every layer."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    BLOB = "blob"
    TREE = "tree"


@dataclass(frozen=True, slots=True)
class Oid:
    """The address of an object: algorithm, hex digest and kind (file or directory manifest)."""

    algo: str
    hex: str
    kind: Kind = Kind.BLOB

    @property
    def is_tree(self) -> bool:
        return self.kind is Kind.TREE

    def __str__(self) -> str:
        return f"{self.algo}:{self.hex}{'.dir' if self.is_tree else ''}"


@dataclass(frozen=True, slots=True)
class Meta:
    """What a pointer file records beside the hash: size, file count (dirs), exec bit (files)."""

    size: int | None = None
    nfiles: int | None = None
    isexec: bool = False


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One file of a directory manifest; ``relpath`` is posix and relative to the directory."""

    relpath: str
    oid: Oid
