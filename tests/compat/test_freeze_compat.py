"""freeze/unfreeze on a pipeline file in DVC's own layout: the bytes the real dvc writes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.compat


def test_freeze_and_unfreeze_write_what_dvc_writes(dvc_repo, dvc, trail):
    dvc(
        "stage",
        "add",
        "-q",
        "-n",
        "prep",
        "-d",
        "raw.csv",
        "-o",
        "clean.csv",
        "cp raw.csv clean.csv",
    )
    dvc(
        "stage",
        "add",
        "-q",
        "-n",
        "train",
        "-d",
        "clean.csv",
        "-O",
        "model.txt",
        "wc clean.csv > model.txt",
    )
    path = dvc_repo / "dvc.yaml"
    path.write_text("# the pipeline\n" + path.read_text())
    original = path.read_text()
    for cmd in (["freeze", "prep"], ["freeze", "train"], ["unfreeze", "prep"]):
        before = path.read_text()
        dvc(*cmd, "-q")
        by_dvc = path.read_text()
        path.write_text(before)
        assert trail(*cmd).code == 0
        assert path.read_text() == by_dvc, cmd
    assert trail("unfreeze", "train").code == 0
    assert path.read_text() == original
