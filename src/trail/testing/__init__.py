"""Test fixtures for trail and for projects built on it (a pytest plugin)."""
