"""Hostile input: alias bombs, bytes that are not UTF-8. Each is refused fast with one line
naming the file (and line), exit code 1, nothing changed; the next good command works."""

from __future__ import annotations

import json
import subprocess

import pytest

from trail.testing.plugin import trail_exe

PIPELINE = """\
stages:
  train:
    cmd: echo ${lr} > model.txt
    params: [lr]
    outs: [model.txt]
"""


def laughs(levels: int = 9) -> str:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def one_error_line(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 1, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("ERROR: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """A separate process with a deadline: a hang fails the test instead of stalling the run."""
    return subprocess.run([trail_exe(), *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def pipe(trail_repo, trail):
    trail_repo.gen({"trail.yaml": PIPELINE, "params.yaml": "lr: 1\n"})
    assert trail("repro").code == 0
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-qm", "pipeline")
    return trail_repo


READERS = [
    ("status",),
    ("repro",),
    ("params", "diff"),
    ("metrics", "show"),
    ("exp", "show"),
    ("dag",),
]


@pytest.mark.parametrize("cmd", READERS, ids=" ".join)
def test_alias_bomb_in_params_is_refused_fast(pipe, cmd):
    (pipe / "params.yaml").write_text(laughs() + "lr: 1\n")
    line = one_error_line(run(*cmd), "params.yaml:", "aliases expand to more than")
    assert "alias bomb" in line
    assert (pipe / "model.txt").read_text() == "1\n"  # repro ran nothing


def test_alias_bomb_in_vars_is_refused(pipe):
    text = "vars:\n- " + laughs().replace("\n", "\n  ").rstrip() + "\n" + PIPELINE
    (pipe / "trail.yaml").write_text(text)
    for cmd in (("status",), ("repro",), ("stage", "list")):
        one_error_line(run(*cmd), "trail.yaml:", "aliases expand")


def test_alias_bomb_in_a_vars_file_is_refused(pipe):
    (pipe / "big.yaml").write_text(laughs())
    (pipe / "trail.yaml").write_text("vars: [big.yaml]\n" + PIPELINE)
    one_error_line(run("repro"), "big.yaml:", "aliases expand")


def test_alias_bomb_in_lock_and_pointer_files_is_refused(pipe):
    lock = (pipe / "trail.lock").read_text()
    (pipe / "trail.lock").write_text(lock + "extra:\n  " + laughs().replace("\n", "\n  ") + "\n")
    one_error_line(run("status"), "trail.lock:", "aliases expand")
    (pipe / "trail.lock").write_text(lock)
    pipe.gen("data.txt", "x")
    assert run("add", "data.txt").returncode == 0
    (pipe / "data.txt.trail").write_text(
        "meta:\n  " + laughs().replace("\n", "\n  ") + "\nouts: []\n"
    )
    one_error_line(run("status"), "data.txt.trail:", "aliases expand")


def test_exp_run_set_param_refuses_a_bomb_before_changing_anything(pipe):
    text = laughs() + "lr: 1\n"
    (pipe / "params.yaml").write_text(text)
    proc = run("exp", "run", "-S", "lr=2")
    assert proc.returncode != 0 and "aliases expand" in proc.stderr
    assert (pipe / "params.yaml").read_text() == text


@pytest.mark.parametrize(
    ("name", "readers"),
    [
        ("params.yaml", [("status",), ("repro",), ("params", "diff"), ("dag",)]),
        ("trail.yaml", [("status",), ("repro",), ("params", "diff"), ("dag",)]),
        ("trail.lock", [("status",), ("repro",)]),
        (".trailignore", [("status",), ("add", "more.txt")]),
    ],
)
def test_bytes_that_are_not_utf8_are_one_line_naming_file_and_line(pipe, name, readers):
    pipe.gen("more.txt", "y")
    path = pipe / name
    original = path.read_bytes() if path.exists() else b""
    path.write_bytes(original + b"# caf\xe9\n")
    line_no = original.count(b"\n") + 1
    for cmd in readers:
        one_error_line(run(*cmd), f"{name}:{line_no}: not UTF-8 text (byte 0xe9)")
    path.write_bytes(original)
    assert run("status").returncode == 0


def test_non_utf8_params_with_a_mapping_inside(pipe):
    (pipe / "params.yaml").write_bytes(b"lr: 1\nname: \xff\xfe\n")
    proc = run("status", "--json")
    one_error_line(proc, "params.yaml:2: not UTF-8 text (byte 0xff)")
    (pipe / "params.yaml").write_text("lr: 1\n")
    assert json.loads(run("status", "--json").stdout) == {}
