"""Data quality on a repository (L4): tables at any revision — the workspace, a Git revision or
an experiment, from the cache or a remote — profiled, compared and checked against contracts.

Plain functions for the web UI's pages live in ``pages``."""
