"""What every process a test starts runs with: a fixed Git identity, no system Git config, and
the installed ``trail`` script."""

from __future__ import annotations

import os

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "trail tests",
    "GIT_AUTHOR_EMAIL": "tests@trail.invalid",
    "GIT_COMMITTER_NAME": "trail tests",
    "GIT_COMMITTER_EMAIL": "tests@trail.invalid",
}


def trail_exe() -> str:
    """The installed ``trail`` script, for tests that need a real separate process."""
    import shutil
    import sys

    beside = os.path.join(os.path.dirname(sys.executable), "trail")
    return beside if os.path.exists(beside) else (shutil.which("trail") or "trail")
