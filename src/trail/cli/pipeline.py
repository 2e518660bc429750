"""Pipeline commands (stage add|list, dag)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add this module's commands to the parser (nothing yet)."""
