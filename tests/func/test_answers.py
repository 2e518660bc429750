"""Answers a demanding user found wrong: `exp show` on a narrow terminal, `exp run -S` when the
pipeline cannot start, `logs -n 0` and unknown stages, and the Python API's bare repositories,
unknown stages and remote advice."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from exp_helpers import make_project

import trail.api as api
from trail.errors import TrailError
from trail.testing.plugin import on_terminal, trail_exe

WIDE = """\
import json
json.dump({f"metric_value_{i}": 0.97123456 + i for i in range(6)}, open("metrics.json", "w"))
"""


@pytest.fixture
def wide_project(trail_repo, trail):
    trail_repo.gen(
        {
            "train.py": WIDE,
            "params.yaml": "".join(f"param_number_{i}: {i / 7:.6f}\n" for i in range(8)),
            "trail.yaml": "stages:\n  train:\n    cmd: python3 train.py\n    deps: [train.py]\n"
            "    params: [" + ", ".join(f"param_number_{i}" for i in range(8)) + "]\n"
            "    metrics:\n    - metrics.json:\n        cache: false\n",
        }
    )
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "wide")
    res = trail("exp", "run", "-n", "e1", "-S", "param_number_1=0.5")
    assert res.code == 0, res.err
    return trail_repo


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_exp_show_on_a_narrow_terminal_never_cuts_a_number(wide_project, columns):
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50"}
    code, shown = on_terminal([trail_exe(), "exp", "show"], cwd=wide_project, env=env)
    assert code == 0, shown
    text = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    lines = [line for line in text.splitlines() if line.strip()]
    assert all(len(line) <= columns for line in lines), text
    assert "0.97…" not in text and "…" in text  # hidden columns are marked, not squeezed
    row = next(line for line in lines if "[e1]" in line)
    assert "0.97123" in row and "1.97123" in row  # the first metrics, whole
    assert re.search(r"\d+ columns? hidden", text)
    header = lines[0]
    assert header.index("metri") < header.index("…")  # metrics come first


def test_exp_show_that_fits_shows_every_column(wide_project):
    env = {**os.environ, "COLUMNS": "400", "LINES": "50"}
    code, shown = on_terminal([trail_exe(), "exp", "show"], cwd=wide_project, env=env)
    text = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert code == 0 and "hidden" not in text
    assert "param_number_7" in text and "metric_value_5" in text and "5.97123" in text


def test_exp_run_puts_params_back_when_the_pipeline_cannot_start(trail_repo, trail):
    make_project(trail_repo)
    params = (trail_repo / "params.yaml").read_text()
    (trail_repo / "trail.yaml").write_text(
        (trail_repo / "trail.yaml").read_text().replace("deps: [train.py]", "deps: [missing.py]")
    )
    res = trail("exp", "run", "-S", "train.lr=0.5")
    assert res.code == 1
    assert (trail_repo / "params.yaml").read_text() == params
    assert trail("exp", "run", "-S", "train.lr=0.5", "nosuchstage").code == 1
    assert (trail_repo / "params.yaml").read_text() == params


def test_exp_run_keeps_params_of_a_run_that_failed_in_a_stage(trail_repo, trail):
    """A stage that ran and failed is a result: its params stay (as DVC leaves them)."""
    make_project(trail_repo)
    (trail_repo / "train.py").write_text("raise SystemExit(3)\n")
    res = trail("exp", "run", "-S", "train.lr=0.5")
    assert res.code == 1
    assert "lr: 0.5" in (trail_repo / "params.yaml").read_text()


def test_logs_counts_and_stage_names(trail_repo, trail):
    make_project(trail_repo)
    assert trail("repro").code == 0
    res = trail("logs", "train", "-n", "0")
    assert res.code == 2 and "-n/--last must be at least 1" in res.err
    res = trail("logs", "nostage")
    assert res.code == 1 and "stage 'nostage' not found" in res.err
    assert "has not run" not in res.err
    res = trail("logs", "trail.yaml:train")
    assert res.code == 0 and "trained with lr=0.1" in res.out


@pytest.fixture
def api_repo(trail_repo, trail, tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    make_project(trail_repo, commit=False)
    trail_repo.gen("data.txt", "tracked\n")
    for args in (("add", "data.txt"), ("remote", "add", "-d", "s", str(store)), ("push",)):
        res = trail(*args)
        assert res.code == 0, res.err
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "api")
    return trail_repo


def test_api_reads_a_bare_repository(api_repo, tmp_path_factory):
    bare = tmp_path_factory.mktemp("bare") / "repo.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(api_repo), str(bare)], check=True)
    assert api.read("data.txt", repo=str(bare)) == "tracked\n"
    assert api.read("params.yaml", repo=str(bare)).startswith("# training parameters")


def test_api_params_show_of_an_unknown_stage_is_an_error(api_repo):
    assert api.params_show(stages="train") == {"train": {"lr": 0.1, "epochs": 3}}
    with pytest.raises(TrailError, match="no stage named 'nope'"):
        api.params_show(stages="nope")


def test_api_without_a_remote_says_how_to_name_one(api_repo, trail):
    assert trail("remote", "default", "-u").code == 0
    with pytest.raises(TrailError, match="remote='NAME'") as err:
        api.get_url("data.txt")
    assert "-r NAME" not in str(err.value)
    os.unlink(api_repo / ".trail" / "cache" / "files" / "blake3" / _prefix(api_repo))
    with pytest.raises(TrailError, match="remote='NAME'"):
        api.read("data.txt", rev="HEAD")
    res = trail("pull")
    assert res.code == 3 and "-r NAME" in res.err  # the command line keeps its flag


def _prefix(repo):
    from trail.hashing import get

    h = get("blake3").hash_bytes(b"tracked\n")
    return f"{h[:2]}/{h[2:]}"


def test_exp_show_json_is_unchanged_by_the_terminal(wide_project, trail):
    rows = json.loads(trail("exp", "show", "--json").out)
    assert len(rows[0]["data"]["metrics"]["metrics.json"]["data"]) == 6  # DVC's shape
