"""freeze/unfreeze change only the stages named, and read the file under the repository lock."""

from __future__ import annotations

import subprocess

import pytest

from trail.testing.plugin import trail_exe

PIPELINE = """\
# my pipeline
stages:
  prep:
    cmd: "python prep.py"   # quoted on purpose
    deps:
      - raw.csv
    outs:
        - clean.csv
  train:
    cmd: |
      python train.py
      echo done
  eval:
    cmd: python eval.py
    frozen: false
    metrics:
    - m.json:   # comment
        cache: false
  last:
    cmd: echo
    outs:
"""


@pytest.fixture
def pipe(trail_repo):
    trail_repo.gen({"trail.yaml": PIPELINE})
    return trail_repo


def test_freeze_adds_one_line_to_that_stage_only(pipe, trail):
    assert trail("freeze", "prep").code == 0
    expected = PIPELINE.replace("        - clean.csv\n", "        - clean.csv\n    frozen: true\n")
    assert (pipe / "trail.yaml").read_text() == expected
    assert trail("unfreeze", "prep").code == 0
    assert (pipe / "trail.yaml").read_text() == PIPELINE


def test_freeze_after_a_block_scalar_an_empty_value_and_a_false_flag(pipe, trail):
    assert trail("freeze", "train", "eval", "last").code == 0
    lines = PIPELINE.splitlines(keepends=True)
    for after in ("      echo done\n", "    outs:\n"):  # the last line of train, of last
        at = len(lines) - lines[::-1].index(after)
        lines.insert(at, "    frozen: true\n")
    expected = "".join(lines).replace("    frozen: false\n", "    frozen: true\n")
    assert (pipe / "trail.yaml").read_text() == expected
    import yaml

    stages = yaml.safe_load(expected)["stages"]
    assert [n for n, s in stages.items() if s.get("frozen")] == ["train", "eval", "last"]
    assert stages["train"]["cmd"] == "python train.py\necho done\n"
    assert trail("unfreeze", "train", "eval", "last").code == 0
    assert "frozen" not in (pipe / "trail.yaml").read_text()


def test_unknown_stage_or_flow_style_changes_nothing(pipe, trail):
    res = trail("freeze", "prep", "nope")
    assert res.code == 1 and "no stage named 'nope'" in res.err
    assert (pipe / "trail.yaml").read_text() == PIPELINE
    (pipe / "trail.yaml").write_text("stages:\n  a: {cmd: echo}\n")
    res = trail("freeze", "a")
    assert res.code == 1 and "trail.yaml:2" in res.err and "flow style" in res.err


def test_freeze_reads_the_file_only_once_it_holds_the_lock(pipe):
    """A change made while freeze waits for the lock is kept, not overwritten."""
    from trail.lock import repo_lock

    with repo_lock(str(pipe / ".trail" / "tmp" / "lock"), 5):
        proc = subprocess.Popen([trail_exe(), "freeze", "prep"], stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        assert "waiting for the repository lock" in proc.stderr.readline()
        with open(pipe / "trail.yaml", "a") as f:
            f.write("  added:\n    cmd: echo added\n")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    text = (pipe / "trail.yaml").read_text()
    assert "  added:\n    cmd: echo added\n" in text
    assert "        - clean.csv\n    frozen: true\n" in text
