"""Git, through the ``git`` command line."""

from trail.scm.git import Git

__all__ = ["Git"]
