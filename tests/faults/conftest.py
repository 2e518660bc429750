"""Fault injection: real ``trail`` processes killed with SIGKILL at seeded random points,
concurrent writers, corrupt remote objects, a full disk; then the checks every fault test makes.

After a fault the repository must be *consistent*: ``fsck`` finds nothing corrupt, no temp file
(``.trail-tmp-*``) is left in the workspace, the cache or a folder remote, the next command
completes, and the workspace holds exactly the bytes it should. ``faultkit.Faults`` bundles
those checks, ``faultkit.kill_after`` runs a command and kills it; the ``rng`` fixture is the
seeded random source (``TRAIL_FAULT_SEED`` picks another seed; the seed in use is printed, so a
failure can be replayed).
"""

from __future__ import annotations

import os
import random

import pytest

DEFAULT_SEED = 1313


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    """A random source seeded per test (``TRAIL_FAULT_SEED`` + the test's name)."""
    seed = int(os.environ.get("TRAIL_FAULT_SEED", DEFAULT_SEED))
    print(f"fault seed: {seed} (TRAIL_FAULT_SEED={seed} replays it)")
    return random.Random(f"{seed}:{request.node.name}")
