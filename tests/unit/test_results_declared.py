"""Which files a revision declares as params, metrics and plots; lock records."""

from __future__ import annotations

from trail.results.declared import CachedOut, declared_files
from trail.results.revision import Revision, WorkspaceReader

PIPELINE = """\
params: [config/extra.json]
metrics: [summary.json]
plots:
- roc.csv
- cmp:
    y: {a.csv: acc, b.csv: [acc, loss]}
stages:
  train:
    wdir: sub
    cmd: x
    params:
    - lr
    - ../other.toml: [opt.name]
    - py.py:
    metrics:
    - m.json:
        cache: false
    plots:
    - log.csv: {x: epoch}
"""
LOCK = """\
schema: '2.0'
stages:
  train:
    cmd: x
    params:
      params.yaml:
        lr: 0.1
        model: {depth: 2}
    outs:
    - path: model.bin
      hash: md5
      md5: ab12
      size: 3
    - path: old.bin
      md5: abcd
"""


def test_declared_files_of_a_pipeline(tmp_dir):
    tmp_dir.gen({"dvc.yaml": PIPELINE, "dvc.lock": LOCK, "params.yaml": "lr: 1\n"})
    declared = declared_files(WorkspaceReader(str(tmp_dir)), ["dvc.yaml"], "dvc.lock")
    assert declared.params == (
        "params.yaml",
        "config/extra.json",
        "sub/params.yaml",  # a bare key lives in params.yaml of the stage's wdir
        "other.toml",
        "sub/py.py",
    )
    assert declared.metrics == ("summary.json", "sub/m.json")
    assert [(p.id, p.top_level) for p in declared.plots] == [
        ("roc.csv", True),
        ("cmp", True),
        ("sub/log.csv", False),
    ]
    assert declared.plots[2].props == {"x": "epoch"}
    assert declared.lock_params == {"sub/params.yaml": {"lr": 0.1, "model.depth": 2}}
    assert declared.lock_outs == {
        "sub/model.bin": CachedOut("md5", "ab12"),
        "sub/old.bin": CachedOut("md5-dos2unix", "abcd"),
    }


def test_no_pipeline_means_params_yaml_only(tmp_dir):
    reader = WorkspaceReader(str(tmp_dir))
    assert declared_files(reader, [], "trail.lock").params == ()
    tmp_dir.gen("params.yaml", "a: 1\n")
    declared = declared_files(reader, [], "trail.lock")
    assert declared.params == ("params.yaml",)
    assert declared.metrics == () and declared.plots == ()


def test_workspace_revision_reads_disk_only(tmp_dir):
    tmp_dir.gen({"d": {"a.png": b"1", "s": {"b.png": b"2"}}, "x.json": "{}"})
    reader = WorkspaceReader(str(tmp_dir))
    assert reader.list_files("d") == ["d/a.png", "d/s/b.png"]
    rev = Revision(reader, declared_files(reader, [], "trail.lock"), lambda a, h: b"!")
    assert rev.read(["x.json", "missing.json"]) == {"x.json": b"{}"}


def test_prefetch_reads_many_revisions_at_once(scm):
    from trail.results.revision import GitReader, prefetch
    from trail.scm.git import Git

    scm.scm_gen({"m.json": "1", "d": {"f": "x"}}, commit="one")
    scm.scm_gen("m.json", "2", commit="two")
    git = Git(str(scm))
    readers = [GitReader(git, git.resolve(r), r) for r in ("HEAD~1", "HEAD")]
    prefetch(readers, lambda r: ["m.json", "d", "nope"])
    assert [r.known for r in readers] == [
        {"m.json": b"1", "d": None, "nope": None},  # a directory is not a file
        {"m.json": b"2", "d": None, "nope": None},
    ]
    git.root = "/nonexistent"  # served from memory from now on: no git process runs
    assert readers[0].read(["m.json", "nope"]) == {"m.json": b"1"}


def test_declared_files_of_a_git_revision_use_its_own_vars(scm):
    """Templating reads the params and vars files of the revision, not of the workspace."""
    from trail.results.revision import GitReader
    from trail.scm.git import Git

    pipeline = (
        "vars: [conf.yaml]\n"
        "stages:\n  grid:\n    matrix: {lr: '${lrs}', depth: [1]}\n"
        "    cmd: x\n    wdir: ${base}\n    plots: ['p-${item.lr}.csv']\n"
        "    metrics: ['m-${item.lr}-${item.depth}.json']\n"
    )
    scm.scm_gen(
        {"sub": {"trail.yaml": pipeline, "conf.yaml": "lrs: [0.1, 0.2]\nbase: w\n"}}, commit="one"
    )
    scm.gen("sub/conf.yaml", "lrs: [9]\nbase: other\n")
    git = Git(str(scm))
    sha = git.resolve("HEAD")
    assert git.files_named([sha], "trail.yaml") == {sha: ["sub/trail.yaml"]}
    declared = declared_files(GitReader(git, sha, "HEAD"), ["sub/trail.yaml"], "trail.lock")
    assert declared.metrics == ("sub/w/m-0.1-1.json", "sub/w/m-0.2-1.json")
    assert [p.id for p in declared.plots] == ["sub/w/p-0.1.csv", "sub/w/p-0.2.csv"]


def test_a_pipeline_inside_an_output_is_not_the_projects(tmp_dir):
    tmp_dir.gen(
        {
            "dvc.yaml": "stages:\n  s:\n    cmd: x\n    outs: [vendor]\n",
            "vendor": {"dvc.yaml": "metrics: [m.json]\n"},
        }
    )
    reader = WorkspaceReader(str(tmp_dir))
    assert declared_files(reader, ["dvc.yaml", "vendor/dvc.yaml"], "dvc.lock").metrics == ()
