"""Pipelines, imports and experiments in repositories the real dvc 3.67.1 made: trail does
what dvc does on the same repository — the same lock file bytes, the same refusals (naming
file:line), the same environment for an experiment's commands, the same answers in a DVC
repository below its Git root."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

pytestmark = pytest.mark.compat

TWO_STAGES = """\
stages:
  one:
    cmd: cp a.txt a.out
    deps: [a.txt]
    outs: [a.out]
  two:
    cmd: cp b.txt b.out
    deps: [b.txt, a.out]
    outs: [b.out]
"""


def _twin(repo) -> object:
    """A copy of ``repo`` beside it (not inside), for running the other tool on the same
    state."""
    twin = repo.parent / (repo.name + "-twin")
    shutil.copytree(repo, twin, symlinks=True)
    return type(repo)(twin)


def test_a_dvc2_lock_file_keeps_its_unchanged_entries(dvc_repo, trail, dvc):
    dvc_repo.gen({"a.txt": "a\n", "b.txt": "b\n", "dvc.yaml": TWO_STAGES})
    dvc("repro", "-q")
    # what DVC 2 wrote: no `hash:` keys, objects at the cache's root
    lock = dvc_repo / "dvc.lock"
    lock.write_text(
        "".join(ln for ln in lock.read_text().splitlines(True) if "hash: md5" not in ln)
    )
    cache = dvc_repo / ".dvc" / "cache"
    for sub in (cache / "files" / "md5").iterdir():
        shutil.move(str(sub), str(cache / sub.name))
    shutil.rmtree(cache / "files")
    shutil.rmtree(cache / "runs", ignore_errors=True)
    twin = _twin(dvc_repo)
    (dvc_repo / "b.txt").write_text("changed\n")
    dvc("repro", "-q")
    os.chdir(twin)
    (twin / "b.txt").write_text("changed\n")
    assert trail("repro", "-q").code == 0
    assert (twin / "dvc.lock").read_text() == lock.read_text()  # unchanged deps stay DVC 2's


def test_adding_a_stage_output_is_refused(dvc_repo, trail, dvc):
    dvc_repo.gen({"a.txt": "a\n", "b.txt": "b\n", "dvc.yaml": TWO_STAGES})
    dvc("repro", "-q")
    theirs = dvc("add", "a.out", check=False)
    ours = trail("add", "a.out")
    assert theirs.code != 0 and ours.code == 1
    assert "overlaps with an output of stage: 'one' in 'dvc.yaml'" in theirs.err
    assert "cannot update 'a.out': overlaps with an output of stage: 'one' in 'dvc.yaml'" in (
        ours.err
    )
    assert not (dvc_repo / "a.out.dvc").exists()


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({"dvc.yaml": "stages:\n  a:\n    cmd: echo a\n    cmd: echo b\n"}, "dvc.yaml:4"),
        (
            {
                "dvc.yaml": "stages:\n  a:\n    cmd: echo a\n    params: [lr]\n",
                "params.yaml": "lr: 1\nlr: 2\n",
            },
            "params.yaml:2",
        ),
    ],
)
def test_duplicate_keys_are_errors(dvc_repo, trail, dvc, files, where):
    dvc_repo.gen(files)
    assert dvc("repro", check=False).code != 0  # dvc refuses the file too
    res = trail("repro")
    assert res.code == 1 and where in res.err and "duplicate key" in res.err
    assert "Traceback" not in res.err and not (dvc_repo / "dvc.lock").exists()


def test_a_param_missing_from_its_file_is_an_error(dvc_repo, trail, dvc):
    dvc_repo.gen({"dvc.yaml": "stages:\n  a:\n    cmd: echo a\n    params: [lr, nope]\n"})
    dvc_repo.gen("params.yaml", "lr: 1\n")
    theirs = dvc("repro", check=False)
    assert theirs.code != 0 and "Parameters 'nope' are missing from 'params.yaml'" in theirs.err
    res = trail("repro")
    assert res.code == 1 and "parameters 'nope' are missing from 'params.yaml'" in res.err
    assert not (dvc_repo / "dvc.lock").exists()


ENV_SCRIPT = """\
import json, os
keys = ("DVC_EXP_BASELINE_REV", "DVC_EXP_NAME", "DVC_ROOT")
json.dump({k: os.environ.get(k) for k in keys}, open("env.json", "w"))
"""
ENV_STAGE = """\
stages:
  env:
    cmd: {py} env.py
    params: [lr]
    outs:
    - env.json:
        cache: false
"""


def test_exp_run_gives_the_commands_dvcs_environment(dvc_repo, trail, dvc):
    dvc_repo.gen({"params.yaml": "lr: 1\n", "env.py": ENV_SCRIPT})
    dvc_repo.gen("dvc.yaml", ENV_STAGE.format(py=sys.executable))
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "pipeline")
    dvc("exp", "run", "-q", "-n", "by-dvc", "-S", "lr=2")
    theirs = json.loads((dvc_repo / "env.json").read_text())
    assert trail("exp", "run", "-n", "by-trail", "-S", "lr=3").code == 0
    ours = json.loads((dvc_repo / "env.json").read_text())
    assert theirs["DVC_EXP_NAME"] == "by-dvc" and ours["DVC_EXP_NAME"] == "by-trail"
    assert ours["DVC_EXP_BASELINE_REV"] == theirs["DVC_EXP_BASELINE_REV"]
    assert ours["DVC_EXP_BASELINE_REV"] == dvc_repo.git("rev-parse", "HEAD").strip()
    assert os.path.realpath(ours["DVC_ROOT"]) == os.path.realpath(theirs["DVC_ROOT"])


def test_repro_verifies_a_frozen_import_and_a_data_source(dvc_repo, trail, dvc, tmp_path):
    source = tmp_path / "source.txt"
    source.write_text("source\n")
    dvc("import-url", "-q", str(source), "data.txt")
    dvc_repo.gen("plain.txt", "plain\n")
    dvc("add", "-q", "plain.txt")
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "imported")
    twin = _twin(dvc_repo)
    for where, run in ((dvc_repo, dvc), (twin, trail)):
        os.chdir(where)
        (where / "data.txt").write_text("edited\n")
        (where / "plain.txt").write_text("edited too\n")
        out = run("repro", "data.txt.dvc", "plain.txt.dvc").out
        assert "Verifying outputs in frozen stage: 'data.txt.dvc'" in out
        assert "Verifying data sources in stage: 'plain.txt.dvc'" in out
    for name in ("data.txt.dvc", "plain.txt.dvc"):
        assert (twin / name).read_text() == (dvc_repo / name).read_text(), name
    assert trail("status", "--json").out.strip() == "{}"
    assert dvc("status", "--json").out.strip() == "{}"  # the twin's objects are in its cache


SUB_TRAIN = """\
import json, yaml
json.dump({"acc": yaml.safe_load(open("params.yaml"))["lr"] * 2}, open("m.json", "w"))
"""


def test_a_dvc_repository_below_its_git_root(scm, trail, dvc):
    proj = scm / "proj"
    proj.mkdir()
    scm.gen({"top.txt": "top\n"})
    os.chdir(proj)
    dvc("init", "-q", "--subdir")
    proj_gen = type(scm)(proj)
    proj_gen.gen({"params.yaml": "lr: 0.1\n", "train.py": SUB_TRAIN})
    proj_gen.gen(
        "dvc.yaml",
        f"stages:\n  s:\n    cmd: {sys.executable} train.py\n    deps: [train.py]\n"
        "    params: [lr]\n    metrics: [m.json]\n",
    )
    dvc("repro", "-q")
    scm.git("add", "-A")
    scm.git("commit", "-q", "-m", "first")
    proj_gen.gen("params.yaml", "lr: 0.2\n")
    for args in (["params", "diff"], ["metrics", "diff"], ["metrics", "show", "-a"], ["status"]):
        ours, theirs = trail(*args, "--json"), dvc(*args, "--json")
        assert ours.code == 0, ours.err
        assert json.loads(ours.out) == json.loads(theirs.out), args
    assert trail("exp", "run", "-n", "t1").code == 0
    dvc("exp", "run", "-q", "-n", "d1", "-S", "lr=0.3")
    assert sorted(trail("exp", "list", "--name-only").out.split()) == ["d1", "t1"]
    assert sorted(dvc("exp", "list", "--name-only").out.split()) == ["d1", "t1"]
    assert trail("exp", "show", "--csv").out == dvc("exp", "show", "--csv").out


def test_at_the_git_root_a_nested_repository_is_its_own(dvc_repo, trail, dvc):
    nested = dvc_repo / "nested"
    nested.mkdir()
    os.chdir(nested)
    dvc("init", "-q", "--subdir")
    type(dvc_repo)(nested).gen(
        {"dvc.yaml": "stages:\n  inner:\n    cmd: echo hi > x\n    outs: [x]\n"}
    )
    os.chdir(dvc_repo)
    dvc_repo.gen({"dvc.yaml": "stages:\n  outer:\n    cmd: echo hi > y\n    outs: [y]\n"})
    ours, theirs = trail("status", "--json"), dvc("status", "--json")
    assert (
        json.loads(ours.out)
        == json.loads(theirs.out)
        == {"outer": [{"changed outs": {"y": "deleted"}}]}
    )
    assert "inner" not in trail("stage", "list", "--all").out
