"""The CLI's progress bar counts bytes when big files make up the work, files otherwise."""

from __future__ import annotations

import pytest

from trail.cli.ui import RichProgress


@pytest.mark.parametrize(
    ("files", "nbytes", "in_bytes"),
    [
        (1, 100 << 20, True),  # one big file
        (2, 2 << 30, True),  # a model and a table: a file count would sit at 0/2 for minutes
        (20_000, 200 << 20, False),  # many small files: counted by number
        (500, None, False),  # sizes unknown
    ],
)
def test_bar_unit(files, nbytes, in_bytes):
    bar = RichProgress()
    bar.start("Pushing", files, nbytes)
    try:
        assert bar._bytes is in_bytes
    finally:
        bar.finish()
