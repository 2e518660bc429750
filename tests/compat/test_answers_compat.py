"""Answers the real dvc gives that trail got wrong: `diff` of pipeline outputs, `stage add`
into a folder that does not exist yet, `pull` of an import made with `--no-download`,
`init` in a subdirectory of a Git repository."""

from __future__ import annotations

import json
import subprocess

import pytest

pytestmark = pytest.mark.compat

PIPELINE = """\
stages:
  train:
    cmd: mkdir -p out && cp in.txt model.pkl && cp in.txt out/a && cp in.txt metrics.json
    deps: [in.txt]
    outs: [model.pkl, out]
    metrics:
    - metrics.json:
        cache: false
"""


@pytest.fixture
def pipeline_repo(dvc_repo, dvc):
    dvc_repo.gen({"in.txt": "1\n", "dvc.yaml": PIPELINE})
    dvc("repro", "-q")
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "v1")
    dvc_repo.git("tag", "v1")
    dvc_repo.gen("in.txt", "2\n")
    dvc("repro", "-q")
    return dvc_repo


def test_diff_counts_pipeline_outputs_as_dvc_does(pipeline_repo, dvc, trail):
    variants = (
        ["--json"],
        ["--json", "--show-hash"],
        ["--show-hash"],
        [],
        ["--targets", "out", "--json"],
        ["--md"],
    )
    for args in variants:
        theirs = dvc("diff", *args)
        ours = trail("diff", *args)
        assert ours.code == 0, ours.err
        if "--json" in args:
            assert json.loads(ours.out) == json.loads(theirs.out), args
        elif "--md" in args:
            assert _cells(ours.out) == _cells(theirs.out)
        else:
            assert ours.out == theirs.out, args
        assert "model.pkl" in ours.out or "--targets" in args
        assert "metrics.json" not in ours.out


def _cells(table):
    """A Markdown table's cells, row by row (column widths aside)."""
    rows = [line for line in table.splitlines() if line.startswith("|") and "---" not in line]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows]


def test_diff_between_two_commits(pipeline_repo, dvc, trail):
    pipeline_repo.git("commit", "-q", "-am", "v2")
    theirs = json.loads(dvc("diff", "v1", "HEAD", "--json").out)
    ours = trail("diff", "v1", "HEAD", "--json")
    assert ours.code == 0 and json.loads(ours.out) == theirs
    assert json.loads(trail("diff", "HEAD", "HEAD", "--json").out) == {}


def test_stage_add_into_a_folder_to_come(dvc_repo, dvc, trail, tmp_path_factory):
    theirs = dvc("stage", "add", "-n", "train", "-o", "models/model.pkl", "make-model")
    yaml = (dvc_repo / "dvc.yaml").read_text()
    (dvc_repo / "dvc.yaml").unlink()
    ours = trail("stage", "add", "-n", "train", "-o", "models/model.pkl", "make-model")
    assert ours.code == 0, ours.err
    assert (dvc_repo / "dvc.yaml").read_text() == yaml
    assert "models" in theirs.err and "WARNING" in ours.err and "models" in ours.err
    assert not (dvc_repo / "models").exists()


def test_pull_fetches_an_import_made_with_no_download(
    dvc_repo, dvc, trail, tmp_path_factory, monkeypatch
):
    src = tmp_path_factory.mktemp("src")
    store = tmp_path_factory.mktemp("store")
    monkeypatch.chdir(src)
    subprocess.run(["git", "init", "-q"], check=True)
    (src / "data.txt").write_text("imported\n")
    dvc("init", "-q")
    dvc("remote", "add", "-d", "s", str(store))
    dvc("add", "-q", "data.txt")
    subprocess.run(["git", "add", "-A"], check=True)
    subprocess.run(["git", "commit", "-q", "-m", "src"], check=True)
    dvc("push", "-q")
    monkeypatch.chdir(dvc_repo)
    dvc("import", str(src), "data.txt", "-o", "theirs.txt", "--no-download")
    assert trail("import", str(src), "data.txt", "-o", "ours.txt", "--no-download").code == 0
    assert not (dvc_repo / "theirs.txt").exists() and not (dvc_repo / "ours.txt").exists()
    dvc("pull", "theirs.txt.dvc")
    res = trail("pull", "ours.txt.dvc")
    assert res.code == 0, res.err
    assert (dvc_repo / "ours.txt").read_text() == (dvc_repo / "theirs.txt").read_text()
    assert "ours.txt" in res.out


def test_init_in_a_subdirectory_of_git(scm, dvc, trail, monkeypatch):
    (scm / "project").mkdir()
    monkeypatch.chdir(scm / "project")
    theirs = dvc("init", check=False)
    assert theirs.code != 0 and "--subdir" in theirs.err
    ours = trail("init", "--dvc")
    assert ours.code == 1 and "--subdir" in ours.err and "git init" not in ours.err
    assert trail("init", "--dvc", "--subdir").code == 0
    (scm / "project" / "f.txt").write_text("v1\n")
    assert trail("add", "f.txt").code == 0
    assert (scm / "project" / ".gitignore").read_text() == "/f.txt\n"
    scm.git("add", "-A")
    scm.git("commit", "-q", "-m", "project")
    (scm / "project" / "f.txt").write_text("v2\n")
    assert trail("add", "f.txt").code == 0
    assert json.loads(trail("diff", "--json").out)["modified"] == [{"path": "f.txt"}]
    # dvc reads the repository trail made in the subdirectory
    assert json.loads(dvc("status", "--json").out) == {}
