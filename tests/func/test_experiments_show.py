"""``trail exp show`` and ``exp diff``: what is collected, how it is drawn, bad files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from exp_helpers import exp_refs, flat_rows, make_project

from trail.testing.plugin import trail_exe


@pytest.fixture
def two_exps(trail_repo, trail):
    make_project(trail_repo)
    for name, lr in (("low", "0.2"), ("high", "0.3")):
        res = trail("exp", "run", "-n", name, "-S", f"train.lr={lr}")
        assert res.code == 0, res.err
    return trail_repo


def _rows(trail, *args):
    res = trail("exp", "show", "--json", *args)
    assert res.code == 0, res.err
    return flat_rows(json.loads(res.out))


def test_json_shape(two_exps, trail):
    rows = _rows(trail)
    head = two_exps.git("rev-parse", "HEAD").strip()
    refs = exp_refs(two_exps)
    # DVC's order: newest commit first (within one second, by commit id, as DVC sorts)
    assert [(r["type"], r["name"]) for r in rows[:2]] == [
        ("workspace", "workspace"),
        ("baseline", "main"),
    ]
    assert {(r["type"], r["name"]) for r in rows[2:]} == {
        ("experiment", "high"),
        ("experiment", "low"),
    }
    keys = [(r["timestamp"], r["rev"]) for r in rows[2:]]
    assert keys == sorted(keys, reverse=True)
    by_name = {r["name"]: r for r in rows}
    low = by_name["low"]
    assert low["rev"] == refs["low"] and low["baseline"] == head
    assert low["params"] == {"params.yaml": {"train.lr": 0.2, "train.epochs": 3}}
    assert low["metrics"] == {"metrics.json": {"acc": 0.6, "loss.train": 0.8}}
    assert set(low["deps"]) == {"train.py"} and len(low["deps"]["train.py"]) == 64
    assert set(low["outs"]) == {"model.bin"}  # metrics and plots are not outs, as in DVC
    assert len(low["timestamp"]) == 19 and low["errors"] == {}  # DVC's: local, no zone
    assert (
        by_name["main"]["metrics"] == {}
        and by_name["main"]["params"]["params.yaml"]["train.lr"] == 0.1
    )
    assert by_name["workspace"]["timestamp"] is None
    assert by_name["workspace"]["params"]["params.yaml"]["train.lr"] == 0.3


def test_table_when_piped(two_exps, trail):
    res = trail("exp", "show", "--sort-by", "acc", "--sort-order", "desc")
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0].split() == [
        "Experiment", "Created", "acc", "loss.train", "train.lr", "train.epochs", "train.py",
    ]  # fmt: skip
    refs = exp_refs(two_exps)
    assert lines[1].startswith("workspace ")
    assert lines[2].startswith("main ")
    assert lines[3].startswith(f"├── {refs['high'][:7]} [high]")
    assert lines[4].startswith(f"└── {refs['low'][:7]} [low]")
    assert lines[4].split()[5:7] == ["0.6", "0.8"]
    asc = trail("exp", "show", "--sort-by", "metrics.json:acc").out.splitlines()
    assert "[low]" in asc[3] and "[high]" in asc[4]


def test_column_filters_and_formats(two_exps, trail):
    header = trail("exp", "show", "--only-changed").out.splitlines()[0].split()
    assert "train.epochs" not in header and "train.lr" in header
    header = trail("exp", "show", "--drop", "train|loss").out.splitlines()[0].split()
    assert header == ["Experiment", "Created", "acc"]
    header = trail("exp", "show", "--drop", ".*", "--keep", "^acc$").out.splitlines()[0].split()
    assert header == ["Experiment", "Created", "acc"]
    csv = trail("exp", "show", "--csv").out.splitlines()
    assert csv[0].startswith("Experiment,rev,typ,Created,parent,acc,")  # DVC's columns
    assert csv[2].startswith(",main,baseline,")
    md = trail("exp", "show", "--md", "--drop", "train.py").out.splitlines()
    assert md[0].startswith("| Experiment") and md[1].startswith("|---")
    assert trail("exp", "show", "--precision", "0", "--json").code == 0


def test_bad_sort_and_regex_are_usage_errors(two_exps, trail):
    res = trail("exp", "show", "--sort-by", "nope")
    assert res.code == 2 and "--sort-by nope: no such metric or param" in res.err
    res = trail("exp", "show", "--keep", "(")
    assert res.code == 2 and "--keep '(' is not a valid regular expression" in res.err


def test_several_baselines_and_branches(two_exps, trail):
    first = two_exps.git("rev-parse", "HEAD").strip()
    two_exps.git("add", "-A")
    two_exps.git("commit", "-q", "-m", "second baseline")
    assert trail("exp", "run", "-n", "later", "-S", "train.epochs=4").code == 0
    assert [r["name"] for r in _rows(trail)] == ["workspace", "main", "later"]
    rows = _rows(trail, "-n", "2")
    assert [r["type"] for r in rows].count("baseline") == 2
    assert {r["name"] for r in rows if r["baseline"] == first} == {first[:7], "low", "high"}
    two_exps.git("branch", "old", first)
    rows = _rows(trail, "-a")
    assert {r["name"] for r in rows if r["type"] == "baseline"} == {"main", "old"}
    assert {r["name"] for r in _rows(trail, "-A")} >= {"low", "high", "later"}


def test_paths_are_shown_from_the_current_directory(two_exps, trail, monkeypatch):
    (two_exps / "sub").mkdir()
    monkeypatch.chdir(two_exps / "sub")
    rows = _rows(trail)  # JSON paths are relative to the root, as DVC's
    assert set(rows[2]["deps"]) == {"train.py"} and "metrics.json" in rows[2]["metrics"]
    header = trail("exp", "show").out.splitlines()[0].split()
    assert "../train.py" in header  # the table's, from the current directory


def test_an_unreadable_metrics_file_is_reported_and_the_rest_shown(two_exps, trail):
    pipeline = (two_exps / "trail.yaml").read_text() + "metrics:\n- scores.yaml\n"
    two_exps.gen({"metrics.json": '{"acc": 0.9,\n  oops}\n', "trail.yaml": pipeline})
    two_exps.gen({"scores.yaml": "f1: 0.5\nrecall: [0.1\n"})
    assert trail("exp", "save", "-n", "broken").code == 0
    res = trail("exp", "show", "--json")
    assert res.code == 1
    rows = {r["name"]: r for r in flat_rows(json.loads(res.out))}
    assert rows["low"]["metrics"]["metrics.json"]["acc"] == 0.6
    assert rows["broken"]["errors"]["metrics.json"].startswith("metrics.json:2: invalid JSON")
    assert "ERROR: broken: metrics.json:2: invalid JSON" in res.err
    assert rows["broken"]["errors"]["scores.yaml"].startswith("scores.yaml:3: invalid YAML")
    res = trail("exp", "show")
    assert res.code == 1 and "[broken]" in res.out


def test_one_cat_file_process_serves_every_commit(two_exps, trail, monkeypatch):
    for lr in ("0.4", "0.5", "0.6"):
        assert trail("exp", "run", "-S", f"train.lr={lr}").code == 0
    started = []
    real = subprocess.Popen

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, args, *a, **kw):
            started.append(list(args))
            super().__init__(args, *a, **kw)

    monkeypatch.setattr(subprocess, "Popen", Counting)
    assert len(_rows(trail)) == 7
    cat_files = [a for a in started if a[:2] == ["git", "cat-file"]]
    assert len(cat_files) == 1, started
    assert len(started) <= 6  # rev-parse, for-each-ref (x2), grep (pointer files), cat-file


def test_cached_metrics_are_read_from_the_cache(trail_repo, trail):
    make_project(trail_repo)
    text = (
        (trail_repo / "trail.yaml")
        .read_text()
        .replace("        cache: false\n", "        cache: true\n")
    )
    trail_repo.gen({"trail.yaml": text})
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "cached metrics")
    assert trail("exp", "run", "-n", "c", "-S", "train.lr=0.25").code == 0
    ref = "refs/exps/" + _prefix(trail_repo) + "/c"
    assert "metrics.json" not in trail_repo.git("ls-tree", "-r", "--name-only", ref).split()
    rows = {r["name"]: r for r in _rows(trail)}
    assert rows["c"]["metrics"] == {"metrics.json": {"acc": 0.75, "loss.train": 0.75}}


def test_a_cached_metrics_object_is_read_once(trail_repo, trail, monkeypatch):
    make_project(trail_repo)
    text = (trail_repo / "trail.yaml").read_text().replace("cache: false", "cache: true")
    trail_repo.gen({"trail.yaml": text})
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "cached metrics")
    for name in ("a", "b", "c"):  # -f: same inputs, run again: three experiments, one object
        assert trail("exp", "run", "-f", "-n", name, "-S", "train.lr=0.25").code == 0
    from trail.odb.local import LocalODB

    reads = []
    real = LocalODB.read_verified

    def counted(self, oid):
        reads.append(str(oid))
        return real(self, oid)

    monkeypatch.setattr(LocalODB, "read_verified", counted)
    rows = {r["name"]: r for r in _rows(trail)}
    assert all(rows[n]["metrics"]["metrics.json"]["acc"] == 0.75 for n in "abc")
    assert len(reads) == len(set(reads)) == 1


def test_exp_diff_between_experiments_and_the_workspace(two_exps, trail):
    res = trail("exp", "diff", "low", "high")
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0].split() == ["Path", "Metric", "low", "high", "Change"]  # DVC's columns
    assert lines[1].split()[:5] == ["metrics.json", "acc", "0.6", "0.9", "0.3"]
    assert ["params.yaml", "train.lr", "0.2", "0.3"] in [line.split() for line in lines]
    data = json.loads(trail("exp", "diff", "low", "high", "--json").out)
    assert data["params"] == {
        "params.yaml": {"train.lr": {"old": 0.2, "new": 0.3, "diff": pytest.approx(0.1)}}
    }
    assert data["metrics"]["metrics.json"]["acc"]["old"] == 0.6
    assert trail("exp", "diff", "high").out == ""  # the workspace holds high's results
    res = trail("exp", "diff", "nope")
    assert res.code == 1 and "unknown experiment or revision 'nope'" in res.err


def test_env_diff_shows_a_package_that_differs(two_exps, trail, tmp_path):
    site = tmp_path / "extra-site"
    (site / "fakepkg-1.2.3.dist-info").mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [trail_exe(), "exp", "run", "-n", "other-env", "-S", "train.lr=0.5"],
        cwd=two_exps, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    res = trail("exp", "diff", "--env", "low", "other-env")
    assert res.code == 0, res.err
    assert ["packages.fakepkg", "-", "1.2.3"] in [line.split() for line in res.out.splitlines()]
    data = json.loads(trail("exp", "diff", "--env", "low", "other-env", "--json").out)
    assert data["packages.fakepkg"] == {"old": None, "new": "1.2.3"}
    assert "python.version" not in data
    res = trail("exp", "diff", "--env", "main")
    assert res.code == 1 and "no environment is recorded for 'main'" in res.err
    assert sys.version.split()[0]  # the current environment is what `--env low` compares with
    assert trail("exp", "diff", "--env", "low").code == 0


def _prefix(tmp) -> str:
    head = tmp.git("rev-parse", "HEAD").strip()
    return f"{head[:2]}/{head[2:]}"


def test_result_commands_take_experiment_names(two_exps, trail):
    res = trail("metrics", "diff", "low", "high", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out)["metrics.json"]["acc"]["new"] == pytest.approx(0.9)
    res = trail("params", "diff", "main", "low")
    assert ["params.yaml", "train.lr", "0.1", "0.2"] in [
        line.split() for line in res.out.splitlines()
    ]
    res = trail("metrics", "diff", "main", "nope")
    assert res.code == 1 and "unknown revision 'nope'" in res.err


def test_templated_and_foreach_metrics_are_found(trail_repo, trail):
    """exp show reads pipelines through the real loader: ``${}`` paths and foreach stages."""
    trail_repo.scm_gen(
        {
            "params.yaml": "out: res\nscale: 2\n",
            "score.py": (
                "import json, os, sys\n"
                "out, item, scale = sys.argv[1:]\n"
                "os.makedirs(out, exist_ok=True)\n"
                "json.dump({item: int(scale)}, open(f'{out}/{item}.json', 'w'))\n"
            ),
            "trail.yaml": (
                "stages:\n"
                "  score:\n"
                "    foreach: [a, b]\n"
                "    do:\n"
                "      cmd: python3 score.py ${out} ${item} ${scale}\n"
                "      params: [scale]\n"
                "      metrics:\n"
                "      - ${out}/${item}.json:\n"
                "          cache: false\n"
            ),
        },
        commit="pipeline",
    )
    res = trail("exp", "run", "-n", "three", "-S", "scale=3")
    assert res.code == 0, res.err
    rows = {r["name"]: r for r in _rows(trail)}
    assert rows["three"]["metrics"] == {"res/a.json": {"a": 3}, "res/b.json": {"b": 3}}
    assert rows["three"]["params"]["params.yaml"]["scale"] == 3
