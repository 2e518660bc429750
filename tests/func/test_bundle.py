"""``trail bundle``: a version of an artifact with its lineage, verified and compared."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile

import pytest
from registry_helpers import copy_project, model_template_fixture, new_version, tick  # noqa: F401


@pytest.fixture
def project(tmp_dir, model_template):
    return copy_project(model_template, tmp_dir)


def _manifest(path):
    return json.loads((path / "bundle.json").read_text())


def test_bundle_round_trip(project, trail, tmp_path_factory, monkeypatch):
    v1_model = (project / "model.json").read_text()
    commit = project.git("rev-parse", "HEAD").strip()
    new_version(project, trail, monkeypatch, 0.5)  # the workspace now holds v0.1.0
    tick(monkeypatch)
    assert trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "prod").code == 0
    out = tmp_path_factory.mktemp("out") / "bundle"
    res = trail("bundle", "clf#prod", "-o", str(out))
    assert res.code == 0, res.err
    assert "Bundled clf v0.0.1 (prod) of commit" in res.out
    assert (out / "files" / "model.json").read_text() == v1_model
    assert (out / "files" / "src" / "serve.py").exists()
    m = _manifest(out)
    assert (m["name"], m["version"], m["stage"], m["commit"]) == ("clf", "v0.0.1", "prod", commit)
    assert m["artifact"]["meta"] == {"serve": "src/serve.py:load"}
    lineage = m["lineage"]
    assert lineage["produced_by"] == "train"
    assert [s["name"] for s in lineage["stages"]] == ["prepare", "train"]
    train = lineage["stages"][1]
    assert train["cmd"] == "python3 src/train.py 1.0"
    assert train["params"] == {"params.yaml": {"train.shrink": 1.0}}
    kinds = {d["path"]: d["kind"] for d in train["deps"]}
    assert kinds == {"data": "data", "src/train.py": "code"}
    assert all(d["hash"].startswith("blake3:") for d in train["deps"])
    assert lineage["hash"] == next(o["hash"] for o in train["outs"] if o["path"] == "model.json")
    assert m["metrics"] == {"metrics.json": {"shrink": 1.0, "rows": 40}}
    env = m["environment"]
    assert env["recorded"] and env["source"].startswith("run of stage 'train'")
    assert "pytest" in env["packages"]
    requirements = (out / "requirements.txt").read_text()
    assert f"pytest=={env['packages']['pytest']}\n" in requirements
    for name, entry in m["files"].items():
        data = (out / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert sorted(m["files"]) == ["files/model.json", "files/src/serve.py", "requirements.txt"]
    res = trail("bundle", "verify", str(out))
    assert res.code == 0 and "all 3 files match" in res.out


def test_bundle_as_a_tar_gz(project, trail, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "clf.tar.gz"
    # what a bundle killed half-way left beside its destination goes with the next one
    dead = subprocess.Popen(["true"])
    dead.wait()
    left = out.parent / f".trail-tmp-{dead.pid}-0-1"
    (left / "files").mkdir(parents=True)
    assert trail("bundle", "clf@v0.0.1", "-o", str(out)).code == 0
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert names[0] == "bundle.json" and "files/model.json" in names
    res = trail("bundle", "verify", str(out))
    assert res.code == 0, res.err
    res = trail("bundle", "clf@v0.0.1", "-o", str(out))
    assert res.code == 2 and "already exists" in res.err
    assert trail("bundle", "clf@v0.0.1", "-o", str(out), "-f").code == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["clf.tar.gz"]


def test_a_tampered_bundle_fails_verify_naming_the_file(project, trail, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "b"
    assert trail("bundle", "clf", "-o", str(out)).code == 0
    with open(out / "files" / "model.json", "a") as f:
        f.write(" ")
    res = trail("bundle", "verify", str(out))
    assert res.code == 1
    assert "files/model.json: changed" in res.err and len(res.err.strip().splitlines()) == 1
    (out / "files" / "model.json").unlink()
    (out / "files" / "extra.py").write_text("import os")
    res = trail("bundle", "verify", str(out))
    assert res.code == 1
    assert "files/model.json: missing" in res.err
    assert "files/extra.py: not in the manifest" in res.err


def test_bundle_diff_names_the_param_that_changed(project, trail, monkeypatch, tmp_path_factory):
    new_version(project, trail, monkeypatch, 0.5)
    out = tmp_path_factory.mktemp("out")
    assert trail("bundle", "clf@v0.0.1", "-o", str(out / "a")).code == 0
    assert trail("bundle", "clf@v0.1.0", "-o", str(out / "b.tar.gz")).code == 0
    res = trail("bundle", "diff", str(out / "a"), str(out / "b.tar.gz"))
    assert res.code == 0, res.err
    assert "params:\n  params.yaml:train.shrink: 1.0 -> 0.5\n" in res.out
    assert "model.json:" in res.out and "code:" not in res.out
    # versions of the registry need no bundle on disk
    res = trail("bundle", "diff", "clf@v0.0.1", "clf@v0.1.0", "--json")
    diff = json.loads(res.out)
    assert diff["params"] == [{"key": "params.yaml:train.shrink", "old": 1.0, "new": 0.5}]
    assert diff["packages"] == [] and diff["code"] == []
    assert [c["key"] for c in diff["commands"]] == ["train"]
    res = trail("bundle", "diff", str(out / "a"), str(out / "a"))
    assert res.code == 0 and "do not differ" in res.out


def test_code_changes_are_named_as_code(project, trail, monkeypatch):
    (project / "src" / "train.py").write_text(
        (project / "src" / "train.py").read_text() + "# tuned\n"
    )
    assert trail("repro").code == 0
    tick(monkeypatch)
    project.git("commit", "-q", "-am", "code")
    tick(monkeypatch)
    assert trail("artifacts", "register", "clf").code == 0
    diff = json.loads(trail("bundle", "diff", "clf@v0.0.1", "clf@v0.0.2", "--json").out)
    assert [c["key"] for c in diff["code"]] == ["src/train.py"]
    assert diff["params"] == []


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (("bundle", "clf"), "say where to write the bundle", 2),
        (("bundle", "nope", "-o", "x"), "unknown artifact 'nope'", 1),
        (("bundle", "clf@1.0", "-o", "x"), "invalid version '1.0'", 2),
        (("bundle", "clf#nostage", "-o", "x"), "no version of 'clf' is in stage 'nostage'", 1),
        (("bundle", "verify", "nowhere"), "nowhere is not a bundle", 1),
        (("bundle", "diff", "one"), "usage: trail bundle diff A B", 2),
    ],
)
def test_bundle_bad_input(project, trail, args, message, code):
    res = trail(*args)
    assert res.code == code and message in res.err, res.err
    assert not (project / "x").exists()


def test_data_and_imports_in_the_lineage(trail_repo, trail, monkeypatch, tmp_path_factory):
    """A model trained on data added with ``trail add`` and data imported from another
    repository: both appear, the import with its source repository and commit."""
    source = tmp_path_factory.mktemp("source")
    src = type(trail_repo)(source)
    src.git("init", "-q", "-b", "main")
    src.gen({"labels.csv": "a,1\n"})
    src.git("add", "-A")
    src.git("commit", "-q", "-m", "labels")
    src_commit = src.git("rev-parse", "HEAD").strip()
    trail_repo.gen({"raw.csv": "x,y\n1,2\n", "train.py": "open('m.bin','w').write('m')\n"})
    assert trail("add", "raw.csv").code == 0
    assert trail("import", str(source), "labels.csv").code == 0
    trail_repo.gen(
        "trail.yaml",
        "stages:\n  train:\n    cmd: python3 train.py\n"
        "    deps: [train.py, raw.csv, labels.csv]\n    outs: [m.bin]\n",
    )
    assert trail("repro").code == 0
    assert trail("artifacts", "add", "m", "m.bin").code == 0
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "m")
    assert trail("artifacts", "register", "m").code == 0
    m = json.loads(trail("bundle", "m", "-o", "../mb", "--json").out)
    lineage = m["lineage"]
    assert [d["path"] for d in lineage["data"]] == ["raw.csv"]
    (imp,) = lineage["imports"]
    assert imp["path"] == "labels.csv" and imp["repo"]["rev_lock"] == src_commit
    assert imp["repo"]["url"] == str(source)


def test_environment_from_an_experiments_record(project, trail, monkeypatch, tmp_path_factory):
    """Without the stage run's log (another clone, logs pruned), the environment comes from
    the experiment that made the model."""
    import shutil

    res = trail("exp", "run", "-n", "small", "-S", "train.shrink=0.3")
    assert res.code == 0, res.err
    shutil.rmtree(project / ".trail" / "tmp" / "logs")
    assert trail("exp", "apply", "small").code == 0
    tick(monkeypatch)
    project.git("commit", "-q", "-am", "small")
    tick(monkeypatch)
    assert trail("artifacts", "register", "clf").code == 0
    out = tmp_path_factory.mktemp("out") / "b"
    res = trail("bundle", "clf", "-o", str(out), "--json")
    assert res.code == 0, res.err
    env = json.loads(res.out)["environment"]
    assert env["recorded"] and env["source"] == "experiment 'small'"
    assert "pytest" in env["packages"]
    # with no record at all, the bundle says the environment is this machine's
    tick(monkeypatch)
    project.git(
        "update-ref",
        "-d",
        project.git("for-each-ref", "--format=%(refname)", "refs/trail-exps/").strip(),
    )
    res = trail("bundle", "clf", "-o", str(out), "-f")
    assert res.code == 0 and "warning: no record of the run that made it" in res.err
    assert json.loads((out / "bundle.json").read_text())["environment"]["recorded"] is False
