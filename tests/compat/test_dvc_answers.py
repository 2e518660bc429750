"""A DVC project made and run by the real dvc 3.67.1 (metrics and plots inside a cached output
directory, experiments): trail gives DVC's answers, in DVC's JSON/CSV shapes, compared with
what the real dvc prints on the same repository. Only what must differ is normalised, and
each test says what."""

from __future__ import annotations

import json
import os
import sys

import pytest

pytestmark = pytest.mark.compat

TRAIN = """\
import json, os, yaml
p = yaml.safe_load(open("params.yaml"))["train"]
os.makedirs("eval/plots", exist_ok=True)
json.dump({"acc": p["lr"] * 2, "nested": {"loss": 1 - p["lr"]}}, open("eval/metrics.json", "w"))
with open("eval/plots/log.csv", "w") as f:
    f.write("step,acc\\n0,0.1\\n1," + str(p["lr"]) + "\\n")
open("model.bin", "w").write("model %s" % p["lr"])
"""

PIPELINE = """\
stages:
  train:
    cmd: {py} train.py
    deps: [train.py]
    params: [train.lr]
    outs: [eval, model.bin]
metrics:
- eval/metrics.json
plots:
- eval/plots/log.csv:
    x: step
    y: acc
"""


@pytest.fixture(scope="module")
def eval_project(built):
    """dvc ran the pipeline at two commits (v1, main) and two experiments of main."""
    b = built("eval")
    (b.root / "train.py").write_text(TRAIN)
    (b.root / "params.yaml").write_text("train:\n  lr: 0.25\n  epochs: 3\n")
    (b.root / "dvc.yaml").write_text(PIPELINE.format(py=sys.executable))
    (b.root / "raw.txt").write_text("raw\n")
    b.dvc("add", "-q", "raw.txt")
    b.dvc("repro", "-q")
    b.git("add", "-A")
    b.git("commit", "-q", "-m", "first run")
    b.git("tag", "v1")
    (b.root / "params.yaml").write_text("train:\n  lr: 0.3\n  epochs: 3\n")
    b.dvc("repro", "-q")
    b.git("add", "-A")
    b.git("commit", "-q", "-m", "second run")
    b.dvc("exp", "run", "-q", "-n", "exp-a", "-S", "train.lr=0.5")
    b.dvc("exp", "run", "-q", "-n", "exp-b", "-S", "train.lr=0.75")
    return b


@pytest.fixture
def repo(eval_project, tmp_dir, monkeypatch):
    return eval_project.copy_to(tmp_dir, monkeypatch)


def _same_json(trail, dvc, *args: str) -> object:
    ours, theirs = trail(*args), dvc(*args)
    assert ours.code == theirs.code == 0, ours.err
    assert json.loads(ours.out) == json.loads(theirs.out), f"trail {' '.join(args)}"
    return json.loads(ours.out)


def test_metrics_inside_a_cached_directory_at_revisions(repo, trail, dvc):
    assert "eval/metrics.json" not in repo.git("ls-files")  # only in the cache at a revision
    shown = _same_json(trail, dvc, "metrics", "show", "-A", "--json")  # full commit ids
    v1 = repo.git("rev-parse", "v1").strip()
    assert shown[v1]["data"]["eval/metrics.json"]["data"]["acc"] == 0.5
    _same_json(trail, dvc, "metrics", "show", "-a", "--json")
    diff = _same_json(trail, dvc, "metrics", "diff", "v1", "--json")
    assert diff["eval/metrics.json"]["acc"] == {"old": 0.5, "new": 1.5, "diff": 1.0}
    _same_json(trail, dvc, "metrics", "diff", "v1", "HEAD", "--all", "--json")


def test_plots_inside_a_cached_directory_at_revisions(repo, trail, dvc):
    pytest.importorskip("vl_convert")
    ours = json.loads(trail("plots", "diff", "v1", "--json").out)
    theirs = json.loads(dvc("plots", "diff", "v1", "--json").out)
    # The wrapper, plot ids, types and revisions are DVC's. The Vega-Lite spec is trail's own
    # (DVC's template code is not copied) and holds its points as long rows (rev, x, y), so
    # the points are compared as (plot, rev, x, y) text, as DVC keeps CSV values.
    assert _shape(ours) == _shape(theirs)
    assert _points(ours, long_rows=True) == _points(theirs, long_rows=False)
    assert ("eval/plots/log.csv", "v1", "1", "0.25") in _points(ours, long_rows=True)


def _shape(shown: dict) -> dict:
    return {
        "keys": sorted(shown),
        "plots": {
            pid: [(e["type"], e["revisions"]) for e in entries]
            for pid, entries in shown["data"].items()
        },
    }


def _points(shown: dict, long_rows: bool) -> list[tuple]:
    out = []
    for pid, entries in shown["data"].items():
        for entry in entries:
            for v in entry["content"]["data"]["values"]:
                if long_rows:
                    out.append((pid, v["rev"], str(v["x"]), str(v["y"])))
                else:
                    out.append((pid, v["rev"], v["step"], v["acc"]))
    return sorted(out)


def test_exp_show_json_is_dvcs(repo, trail, dvc):
    shown = _same_json(trail, dvc, "exp", "show", "--json")
    exps = {g["name"]: g["revs"][0]["data"] for g in shown[1]["experiments"]}
    assert exps["exp-a"]["metrics"]["eval/metrics.json"]["data"]["acc"] == 1.0  # from the cache
    for flags in (["-A"], ["-a", "--param-deps"], ["--sha", "--hide-workspace"], ["-n", "2"]):
        _same_json(trail, dvc, "exp", "show", "--json", *flags)


def test_exp_show_csv_is_dvcs(repo, trail, dvc):
    for flags in (
        [],
        ["--sort-by", "acc", "--sort-order", "desc"],
        ["--only-changed"],
        ["--drop", "train.py", "--keep", "acc"],
        ["-n", "2", "--precision", "2"],
    ):
        ours = trail("exp", "show", "--csv", *flags)
        assert ours.code == 0, ours.err
        assert ours.out == dvc("exp", "show", "--csv", *flags).out, flags


def test_metrics_and_params_json(repo, trail, dvc):
    (repo / "params.yaml").write_text("train:\n  lr: 0.4\n  epochs: [3, 4]\n")
    (repo / "eval" / "metrics.json").write_text('{"acc": 0.123456789123, "ok": true, "tag": "x"}')
    _same_json(trail, dvc, "metrics", "show", "--json")  # the workspace alone is ""
    _same_json(trail, dvc, "metrics", "diff", "--json")
    _same_json(trail, dvc, "params", "diff", "--json")  # a list param is text, as DVC's
    _same_json(trail, dvc, "params", "diff", "--all", "--json")
    for cmd in (["metrics", "diff"], ["params", "diff"], ["metrics", "show"]):
        assert trail(*cmd).out.split() == dvc(*cmd).out.split(), cmd


def test_declared_metrics_not_made_yet(repo, trail, dvc):
    (repo / "dvc.yaml").write_text((repo / "dvc.yaml").read_text() + "- later.json\n")
    ours = trail("metrics", "show", "--json")
    assert ours.code == 0 and "No metrics files found" not in ours.err
    assert json.loads(ours.out) == json.loads(dvc("metrics", "show", "--json").out)
    assert trail("metrics", "show").out.split() == dvc("metrics", "show").out.split()


def test_plots_render_what_they_can(repo, trail, dvc):
    pytest.importorskip("vl_convert")
    (repo / "dvc.yaml").write_text((repo / "dvc.yaml").read_text() + "- missing.csv\n")
    ours, theirs = trail("plots", "show", "--json"), dvc("plots", "show", "--json")
    assert ours.code == theirs.code == 0
    ours_j, theirs_j = json.loads(ours.out), json.loads(theirs.out)
    assert ours_j["errors"] == theirs_j["errors"]  # same entries, same messages
    assert _shape(ours_j) == _shape(theirs_j)  # the missing plot is an empty list in both
    assert trail("plots", "show").code == 0
    (repo / "dvc.yaml").write_text("stages: {}\n")
    assert trail("plots", "show", "--json").out == dvc("plots", "show", "--json").out == "{}\n"


def test_plots_diff_images_and_a_missing_plot(dvc_repo, trail, dvc, tmp_path_factory):
    png = b"\x89PNG\r\n\x1a\n"
    dvc_repo.gen({"images": {"roc.png": ""}, "log.csv": "step,acc\n0,1\n"})
    (dvc_repo / "images" / "roc.png").write_bytes(png + b"old")
    dvc_repo.gen("dvc.yaml", "plots:\n- images/roc.png\n- log.csv\n- gone.csv\n")
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "plots")
    (dvc_repo / "images" / "roc.png").write_bytes(png + b"new")
    import shutil

    twin = tmp_path_factory.mktemp("twin") / "repo"
    shutil.copytree(dvc_repo, twin, symlinks=True)
    theirs = dvc("plots", "diff", "HEAD", "--json")
    os.chdir(twin)
    ours = trail("plots", "diff", "HEAD", "--json")
    assert ours.code == theirs.code == 0, ours.err  # what can be drawn is; the rest is listed
    ours_j, theirs_j = json.loads(ours.out), json.loads(theirs.out)
    assert ours_j["errors"] == theirs_j["errors"]

    def entries(shown: dict, root) -> dict:
        return {
            pid: [
                (e["type"], e["revisions"], os.path.relpath(e["url"], root) if "url" in e else "")
                for e in entries
            ]
            for pid, entries in shown["data"].items()
        }

    assert entries(ours_j, twin) == entries(theirs_j, dvc_repo)  # images written as DVC names
    for rev, data in (("workspace", b"new"), ("HEAD", b"old")):
        name = f"dvc_plots/{rev}_images_roc.png"
        assert (twin / name).read_bytes() == (dvc_repo / name).read_bytes() == png + data


def _sorted_lists(value):
    if isinstance(value, dict):
        return {k: _sorted_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted(value)
    return value


def test_data_status_counts_stage_outputs(repo, trail, dvc):
    (repo / "model.bin").write_text("changed")
    import shutil

    shutil.rmtree(repo / "eval")
    for flags in ([], ["--granular"]):
        ours = json.loads(trail("data", "status", "--json", *flags).out)
        theirs = json.loads(dvc("data", "status", "--json", *flags).out)
        assert _sorted_lists(ours) == _sorted_lists(theirs)  # only the order of lists differs
    assert ours["uncommitted"]["deleted"][0] == "eval/"


def test_ls_lists_outputs_as_dvc(repo, trail, dvc):
    (repo / "model.bin").unlink()  # an output not on disk is still listed
    for args in (
        ["."],
        [".", "--json"],
        ["-R", "."],
        ["-R", "--dvc-only", ".", "--json"],
        [".", "eval", "--json"],
        ["--size", "--show-hash", "."],
        [".", "--rev", "v1", "-R", "--json"],
    ):
        ours, theirs = trail("ls", *args), dvc("list", *args)
        assert ours.code == theirs.code == 0, ours.err
        assert ours.out == theirs.out, args
    assert trail("list", ".").out == trail("ls", ".").out


def test_status_paths_are_relative_to_where_it_runs(dvc_repo, trail, dvc):
    dvc_repo.gen({"p": {"in.txt": "1\n"}, "loose.txt": "x\n"})
    (dvc_repo / "p" / "dvc.yaml").write_text(
        "stages:\n  s:\n    cmd: cp in.txt out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n"
    )
    dvc("repro", "-q", "-P")
    dvc_repo.gen({"p": {"in.txt": "2\n"}, "loose.txt.dvc": "outs:\n- path: loose.txt\n"})
    for where in (dvc_repo, dvc_repo / "p"):
        os.chdir(where)
        ours, theirs = trail("status", "--json"), dvc("status", "--json")
        assert json.loads(ours.out) == json.loads(theirs.out), where
    assert json.loads(ours.out)["../loose.txt.dvc"] == [
        {"changed outs": {"../loose.txt": "modified"}}  # an entry without a hash: "modified"
    ]


def test_data_status_without_git_and_quoted_hints(tmp_dir, trail, dvc):
    dvc("init", "-q", "--no-scm")
    tmp_dir.gen("f.txt", "a\n")
    dvc("add", "-q", "f.txt")
    tmp_dir.gen("f.txt", "b\n")
    ours = trail("data", "status")
    assert "Committed" not in ours.out and "git commit" not in ours.out  # no commits here
    assert "modified: f.txt" in ours.out
    assert json.loads(trail("data", "status", "--json").out) == json.loads(
        dvc("data", "status", "--json").out
    )


def test_git_hint_quotes_paths_with_spaces(dvc_repo, trail, dvc):
    dvc_repo.gen({"my data.txt": "a\n", "other data.txt": "b\n"})
    theirs = dvc("add", "other data.txt").out
    ours = trail("add", "my data.txt").out

    def added(out: str) -> list[str]:
        import shlex

        (line,) = [ln for ln in out.splitlines() if ln.strip().startswith("git add ")]
        return shlex.split(line)[2:]

    # dvc's order of the paths varies from run to run (a set); trail's is sorted
    assert sorted(added(theirs)) == [".gitignore", "other data.txt.dvc"]
    assert "'other data.txt.dvc'" in theirs  # quoted, as trail quotes it
    assert "git add .gitignore 'my data.txt.dvc'" in ours


def test_exp_list_all_names_each_baseline_once(repo, trail, dvc):
    def groups(text: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        head = ""
        for line in text.splitlines():
            if not line.startswith("\t"):
                assert line not in found, f"{line} listed twice"
                head = line
                found[head] = set()
            else:
                found[head].add(line.strip())
        return found

    ours, theirs = trail("exp", "list", "-A"), dvc("exp", "list", "-A")
    assert ours.code == 0, ours.err
    assert groups(ours.out) == groups(theirs.out)  # DVC lists in ref order: compared as sets
    shas = trail("exp", "ls", "--sha-only").out.split()
    assert sorted(s[:7] for s in shas) == sorted(trail("exp", "list").out.split()[1::2])


def test_exp_show_deps_are_the_pipelines_not_stale_lock_entries(repo, trail, dvc):
    text = (repo / "dvc.yaml").read_text().replace("deps: [train.py]", "deps: []")
    (repo / "dvc.yaml").write_text(text)  # the lock file still records train.py
    shown = _same_json(trail, dvc, "exp", "show", "--json")
    assert shown[0]["data"]["deps"] == {}


def test_params_of_a_deleted_params_file_are_gone(repo, trail, dvc):
    repo.git("rm", "-q", "-f", "params.yaml")
    repo.git("commit", "-q", "-m", "no params")
    diff = _same_json(trail, dvc, "params", "diff", "HEAD~1", "HEAD", "--json")
    assert diff["params.yaml"]["train.lr"] == {"old": 0.3, "new": None}  # not the lock's value


def test_exp_show_accepts_dvcs_flags(repo, trail, dvc):
    flags = ["--no-pager", "-f", "--hide-workspace", "--sha", "--param-deps"]
    ours = trail("exp", "show", "--csv", *flags)
    assert ours.code == 0, ours.err
    assert ours.out == dvc("exp", "show", "--csv", *flags).out
    pytest.importorskip("vl_convert")
    res = trail("exp", "show", "--pcp", "-o", "pcp")  # trail's: a parallel coordinates plot
    assert res.code == 0, res.err
    page = (repo / "pcp" / "index.html").read_text()
    assert '"fold"' in page and "train.lr" in page
