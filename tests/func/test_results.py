"""params diff, metrics show|diff through the real entry point, in temp Git repositories."""

from __future__ import annotations

import json

import pytest

PIPELINE = """\
stages:
  train:
    cmd: python train.py
    params: [lr, {other.toml: null}]
    metrics: [m.json]
    outs: [model.bin]
metrics: [extra.yaml]
"""


@pytest.fixture
def results_repo(trail_repo):
    trail_repo.scm_gen(
        {
            "trail.yaml": PIPELINE,
            "params.yaml": "lr: 0.1\nmodel:\n  depth: 3\n  layers: [1, 2]\n",
            "other.toml": "[opt]\nname = 'adam'\n",
            "m.json": '{"acc": 0.5, "loss": {"train": 1.0}, "tag": "a"}',
            "extra.yaml": "auc: 0.8\n",
        },
        commit="first run",
    )
    trail_repo.git("tag", "v1")
    trail_repo.gen(
        {
            "params.yaml": "lr: 0.2\nmodel:\n  depth: 3\n  layers: [1, 2, 3]\n",
            "m.json": '{"acc": 0.75, "loss": {"train": 0.5}, "tag": "b", "f1": 0.6}',
        }
    )
    return trail_repo


def test_metrics_show_json_shape(results_repo, trail):
    res = trail("metrics", "show", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out) == {
        "": {  # DVC's key for the workspace shown alone
            "data": {
                "m.json": {"data": {"acc": 0.75, "loss": {"train": 0.5}, "tag": "b", "f1": 0.6}},
                "extra.yaml": {"data": {"auc": 0.8}},
            }
        }
    }


def test_metrics_show_table_over_branches_and_tags(results_repo, trail):
    res = trail("metrics", "show", "-a", "-T")
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0].split() == ["Revision", "Path", "acc", "auc", "f1", "loss.train", "tag"]
    assert ["workspace", "m.json", "0.75", "-", "0.6", "0.5", "b"] in [ln.split() for ln in lines]
    assert ["v1", "m.json", "0.5", "-", "-", "1.0", "a"] in [ln.split() for ln in lines]
    assert [ln.split()[0] for ln in lines[1:]] == ["workspace"] * 2 + ["main"] * 2 + ["v1"] * 2


def test_metrics_show_md_csv_and_precision(results_repo, trail):
    results_repo.gen("m.json", '{"acc": 0.123456789}')
    md = trail("metrics", "show", "m.json", "--md", "--precision", "3").out.splitlines()
    assert md[0] == "| Path   | acc   |"
    assert md[1].startswith("|---")
    assert md[2] == "| m.json | 0.123 |"
    csv = trail("metrics", "show", "m.json", "--csv").out.splitlines()
    assert csv == ["Path,acc", "m.json,0.12346"]


def test_metrics_diff_json_and_table(results_repo, trail):
    res = trail("metrics", "diff", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out) == {
        "m.json": {
            "acc": {"old": 0.5, "new": 0.75, "diff": 0.25},
            "f1": {"old": None, "new": 0.6},
            "loss.train": {"old": 1.0, "new": 0.5, "diff": -0.5},
            "tag": {"old": "a", "new": "b"},
        }
    }
    table = trail("metrics", "diff").out.splitlines()
    assert table[0].split() == ["Path", "Metric", "HEAD", "workspace", "Change"]  # DVC's
    assert table[1].split() == ["m.json", "acc", "0.5", "0.75", "0.25"]
    full = trail("metrics", "diff", "--all", "--json").out
    assert json.loads(full)["extra.yaml"] == {"auc": {"old": 0.8, "new": 0.8, "diff": 0.0}}


def test_metrics_diff_between_two_commits(results_repo, trail):
    results_repo.git("commit", "-qam", "second run")
    assert json.loads(trail("metrics", "diff", "HEAD", "HEAD", "--json").out) == {}
    res = trail("metrics", "diff", "v1", "main", "--targets", "m.json", "--json")
    assert json.loads(res.out)["m.json"]["acc"] == {
        "old": 0.5,
        "new": 0.75,
        "diff": 0.25,
    }


def test_params_diff_whole_files_and_lists(results_repo, trail):
    res = trail("params", "diff", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out) == {
        "params.yaml": {
            "lr": {"old": 0.1, "new": 0.2, "diff": 0.1},
            "model.layers": {"old": "[1, 2]", "new": "[1, 2, 3]"},  # text, as DVC writes it
        }
    }
    table = trail("params", "diff", "--all").out.splitlines()
    assert table[0].split() == ["Path", "Param", "HEAD", "workspace"]
    assert ["other.toml", "opt.name", "adam", "adam"] in [ln.split() for ln in table]
    assert ["params.yaml", "model.layers", "[1,", "2]", "[1,", "2,", "3]"] in [
        ln.split() for ln in table
    ]


def test_a_params_file_that_is_gone_is_not_filled_from_the_lock_file(results_repo, trail):
    lock = (
        "schema: '2.0'\nstages:\n  train:\n    cmd: x\n    params:\n      p.yaml:\n        a: 1\n"
    )
    results_repo.scm_gen({"trail.lock": lock}, commit="lock")
    res = trail("params", "diff", "--all", "--json")
    assert res.code == 0, res.err
    assert "p.yaml" not in json.loads(res.out)  # as DVC: a stale lock entry is no params file


def test_cached_metrics_at_a_revision_come_from_the_cache(trail_repo, trail):
    """A stage's metric with ``cache: true`` is git-ignored: its old value comes from the
    object the lock file names."""
    trail_repo.gen("m.json", '{"acc": 1}')
    assert trail("add", "m.json").code == 0
    pointer = trail_repo.joinpath("m.json.trail").read_text()
    hexdigest = pointer.split("blake3: ")[1].split()[0]
    trail_repo.joinpath("m.json.trail").unlink()
    lock = (
        "schema: '2.0'\nstages:\n  train:\n    cmd: x\n    outs:\n    - path: m.json\n"
        f"      hash: blake3\n      blake3: {hexdigest}\n      size: 10\n"
    )
    stage = "stages:\n  train:\n    cmd: x\n    metrics: [m.json]\n"
    trail_repo.scm_gen({"trail.yaml": stage, "trail.lock": lock}, commit="cached metric")
    trail_repo.git("add", ".gitignore")
    assert "m.json\n" not in trail_repo.git("ls-files")
    trail_repo.joinpath("m.json").chmod(0o644)
    trail_repo.joinpath("m.json").unlink()
    trail_repo.gen("m.json", '{"acc": 3}')
    res = trail("metrics", "diff", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out) == {"m.json": {"acc": {"old": 1, "new": 3, "diff": 2}}}
    obj = trail_repo / ".trail" / "cache" / "files" / "blake3" / hexdigest[:2] / hexdigest[2:]
    obj.chmod(0o644)
    obj.write_text('{"acc": 9}')
    _one_error_line(trail("metrics", "diff"), "corrupt cache object", "trail fsck")


def _one_error_line(res, *needles):
    assert res.code == 1
    lines = [ln for ln in res.err.splitlines() if ln.strip()]
    assert len(lines) == 1, res.err
    assert lines[0].startswith("ERROR: ") and "Traceback" not in res.err
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_broken_metrics_file_names_file_and_line(results_repo, trail):
    results_repo.gen("m.json", '{"acc": 0.9,\n  "loss": }\n')
    res = trail("metrics", "show")
    _one_error_line(res, "m.json:2: invalid JSON")
    assert "extra.yaml" in res.out  # the files that parse are still shown
    _one_error_line(trail("metrics", "diff"), "m.json:2: invalid JSON")
    assert json.loads(trail("metrics", "show", "--json").out)[""]["data"]["m.json"] == {
        "error": {"type": "JSONFileCorruptedError",  # DVC's name for it; the message is trail's
                  "msg": "m.json:2: invalid JSON: Expecting value"}
    }  # fmt: skip


def test_broken_yaml_metrics_at_a_revision(results_repo, trail):
    results_repo.scm_gen("extra.yaml", "auc: [0.8\n", commit="broken")
    _one_error_line(trail("metrics", "diff", "HEAD~1", "HEAD"), "extra.yaml:2: invalid YAML")


def test_missing_target(results_repo, trail):
    _one_error_line(
        trail("metrics", "show", "nope.json"), "nope.json: no such file in the workspace"
    )
    res = trail("metrics", "diff", "--targets", "nope.json")
    _one_error_line(res, "nope.json: no such file at any of: HEAD, workspace")


@pytest.mark.parametrize("cmd", [("metrics", "diff"), ("params", "diff")])
def test_unknown_revision(results_repo, trail, cmd):
    _one_error_line(trail(*cmd, "nosuchrev"), "unknown revision 'nosuchrev'")
    _one_error_line(
        trail("metrics", "show", "-a", "nope"), "nope: no such file at any of: workspace, main"
    )


def test_target_outside_the_repository(results_repo, trail):
    _one_error_line(trail("metrics", "show", "../x.json"), "outside the repository")


def test_a_terminal_gets_a_rich_table(results_repo):
    """Under a pseudo-terminal the table is drawn by rich (bold headers); piped it is plain."""
    import os
    import subprocess

    from trail.testing.plugin import on_terminal, trail_exe

    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    code, shown = on_terminal([trail_exe(), "metrics", "show"], env=env)
    assert code == 0
    assert "\x1b[1m" in shown and "loss.train" in shown and "0.75" in shown
    piped = subprocess.run([trail_exe(), "metrics", "show"], capture_output=True, text=True)
    assert "\x1b[" not in piped.stdout and piped.stdout.splitlines()[0].split()[0] == "Path"


def test_before_the_first_commit_everything_is_new(scm, trail):
    assert trail("init").code == 0
    scm.gen({"trail.yaml": "metrics: [m.json]\n", "m.json": '{"acc": 1}', "params.yaml": "a: 1\n"})
    assert json.loads(trail("metrics", "diff", "--json").out) == {
        "m.json": {"acc": {"old": None, "new": 1}}
    }
    assert json.loads(trail("params", "diff", "--json").out) == {
        "params.yaml": {"a": {"old": None, "new": 1}}
    }


def test_paths_leaving_the_repository_are_refused(results_repo, trail, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.json"
    outside.write_text('{"secret": 1}')
    results_repo.gen("trail.yaml", "metrics: [../secret.json]\n")
    _one_error_line(trail("metrics", "show"), "refusing path '../secret.json' from trail.yaml")
    results_repo.gen("trail.yaml", "metrics: [link.json]\n")
    (results_repo / "link.json").symlink_to(outside)
    res = trail("metrics", "show", "--json")
    assert res.code == 0 and "secret" not in res.out


def test_bad_precision_is_a_usage_error(results_repo, trail):
    res = trail("metrics", "show", "--precision", "-1")
    assert res.code == 2
    assert "'-1' is not a number of digits" in res.err


def test_cached_metric_missing_from_the_cache(trail_repo, trail):
    lock = (
        "schema: '2.0'\nstages:\n  train:\n    cmd: x\n    outs:\n    - path: m.json\n"
        f"      hash: blake3\n      blake3: {'ab' * 32}\n      size: 10\n"
    )
    stage = "stages:\n  train:\n    cmd: x\n    metrics: [m.json]\n"
    trail_repo.scm_gen({"trail.yaml": stage, "trail.lock": lock}, commit="run elsewhere")
    trail_repo.gen("m.json", '{"acc": 3}')
    res = trail("metrics", "diff")
    _one_error_line(res, "m.json: cached output of revision HEAD is not in the cache")


def test_paths_are_shown_from_the_current_directory(results_repo, trail, monkeypatch):
    (results_repo / "sub").mkdir()
    monkeypatch.chdir(results_repo / "sub")
    shown = json.loads(trail("metrics", "show", "--json").out)[""]["data"]
    assert set(shown) == {"../m.json", "../extra.yaml"}
    assert set(json.loads(trail("metrics", "diff", "--json").out)) == {"../m.json"}
    assert set(json.loads(trail("params", "diff", "--json").out)) == {"../params.yaml"}
    only = json.loads(trail("metrics", "show", "../m.json", "--json").out)[""]["data"]
    assert set(only) == {"../m.json"}


def test_all_commits_leaves_experiments_out(results_repo, trail):
    results_repo.git("commit", "-qam", "second run")
    results_repo.gen("m.json", '{"acc": 0.99}')
    results_repo.git("stash", "-q")  # a commit only a non-branch ref reaches, like an exp
    stash = results_repo.git("rev-parse", "refs/stash").strip()
    results_repo.git("update-ref", "refs/exps/ab/cdef/exp-one", stash)
    results_repo.git("stash", "drop", "-q")
    res = trail("metrics", "show", "-A", "--json")
    assert res.code == 0, res.err
    revs = json.loads(res.out)
    assert len(revs) == 1 + 3  # the workspace and the three commits of main
    assert all("0.99" not in json.dumps(v) for v in revs.values()), (
        "an experiment's commit was listed"
    )


def test_broken_pipeline_file_names_file_and_line(results_repo, trail):
    results_repo.gen("trail.yaml", "metrics:\n  - [m.json\n")
    for cmd in (("metrics", "show"), ("metrics", "diff"), ("params", "diff")):
        _one_error_line(trail(*cmd), "trail.yaml:3: invalid YAML")


TEMPLATED = """\
stages:
  evaluate:
    foreach: ${splits}
    do:
      cmd: python eval.py ${item}
      metrics:
      - ${report_dir}/${item}.json:
          cache: false
metrics:
- ${report_dir}/summary.json
"""


def test_templated_and_foreach_metrics_at_each_revision(trail_repo, trail):
    """The real loader decides which files are metrics: ``${}`` from each revision's own
    params.yaml, ``foreach`` stages, and pipeline files in subdirectories."""
    trail_repo.scm_gen(
        {
            "trail.yaml": TEMPLATED,
            "params.yaml": "splits: [train, test]\nreport_dir: reports\n",
            "reports": {
                "train.json": '{"acc": 0.9}',
                "test.json": '{"acc": 0.7}',
                "summary.json": '{"n": 2}',
            },
            "sub": {
                "trail.yaml": "stages:\n  s:\n    cmd: x\n    params: [k]\n"
                "    metrics: [{m.json: {cache: false}}]\n",
                "params.yaml": "k: 1\n",
                "m.json": '{"loss": 0.5}',
            },
        },
        commit="first run",
    )
    trail_repo.gen(
        {
            "params.yaml": "splits: [val]\nreport_dir: out\n",
            "out": {"val.json": '{"acc": 0.8}', "summary.json": '{"n": 1}'},
            "sub": {"params.yaml": "k: 2\n"},
        }
    )
    res = trail("metrics", "show", "-a", "--json")
    assert res.code == 0, res.err
    shown = {rev: set(v["data"]) for rev, v in json.loads(res.out).items()}
    assert shown == {
        "workspace": {"out/val.json", "out/summary.json", "sub/m.json"},
        "main": {"reports/train.json", "reports/test.json", "reports/summary.json", "sub/m.json"},
    }
    diff = json.loads(trail("params", "diff", "--json").out)
    assert diff["sub/params.yaml"] == {"k": {"old": 1, "new": 2, "diff": 1}}
    assert diff["params.yaml"]["report_dir"] == {"old": "reports", "new": "out"}


def test_bad_template_in_a_revision_names_file_and_line(trail_repo, trail):
    trail_repo.scm_gen({"trail.yaml": "metrics:\n- ${nowhere}/m.json\n"}, commit="bad")
    _one_error_line(
        trail("metrics", "show", "-a"), "trail.yaml:2", "could not find 'nowhere' in vars or params"
    )


def test_terminal_table_shows_brackets_as_they_are(trail_repo):
    """rich reads "[x]" as markup; a table of data must show such text verbatim."""
    from trail.testing.plugin import on_terminal, trail_exe

    trail_repo.gen({"m.json": '{"tag": "[bold]x[/bold]", "acc": 0.5}'})
    trail_repo.gen("trail.yaml", "metrics:\n- m.json\n")
    code, shown = on_terminal([trail_exe(), "metrics", "show"], cwd=trail_repo)
    assert code == 0
    assert "[bold]x[/bold]" in shown
