"""Content-addressed object stores."""

from trail.odb.local import LocalODB

__all__ = ["LocalODB"]
