"""Storage a remote lives on: a small typed protocol, a local implementation on plain ``os``
calls, and an adapter over fsspec for everything else (imported only when used)."""

from trail.fs.base import FileSystem
from trail.fs.open import open_fs
from trail.fs.registry import BACKENDS, Backend

__all__ = ["BACKENDS", "Backend", "FileSystem", "open_fs"]
