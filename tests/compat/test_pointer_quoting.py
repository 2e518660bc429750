"""Names YAML reads in more than one way: trail writes the pointer files the real dvc writes,
and each tool reads the other's as up to date."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.compat

# Text in YAML 1.2 but booleans in 1.1 (written plain), and text that 1.2 reads as a number,
# null or date (quoted); `2001-1-1` is not a date to ruamel.
NAMES = ["on", "yes", "no", "off", "1e3", "1.0", "null", "2001-01-01", "2001-1-1", "0x1f", "a b"]


def test_tricky_names_give_dvcs_bytes_and_read_both_ways(dvc_repo, dvc, trail):
    for name in NAMES:
        (dvc_repo / name).write_text(name)
    dvc("add", "-q", *NAMES)
    by_dvc = {n: (dvc_repo / f"{n}.dvc").read_bytes() for n in NAMES}
    assert json.loads(trail("status", "--json").out) == {}  # trail reads dvc's files
    for name in NAMES:
        (dvc_repo / f"{name}.dvc").unlink()
    res = trail("add", *NAMES)
    assert res.code == 0, res.err
    for name in NAMES:
        assert (dvc_repo / f"{name}.dvc").read_bytes() == by_dvc[name], name
    assert dvc("status", "--json").out.strip() == "{}"  # dvc reads trail's
