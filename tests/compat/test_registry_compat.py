"""The registry against the real GTO 1.10.1 (its own venv, ``.venv-gto``) and the real DVC:
``gto show --json`` and ``gto history --json`` agree with trail's on tags either tool made,
trail orders versions as GTO's semver package does, ``dvc artifacts get`` fetches what trail
registered, and ``trail artifacts add`` writes the bytes DVC writes.

``make test`` sets TRAIL_TEST_GTO and TRAIL_REQUIRE_GTO=1 (a missing gto fails the run there);
elsewhere these tests skip and say why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trail.registry import semver

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "func"))
from registry_helpers import (  # noqa: F401 (a fixture)
    copy_project,
    make_model_project,
    model_template_fixture,
    new_version,
    tick,
)

pytestmark = pytest.mark.compat


def _gto_exe() -> str:
    exe = os.environ.get("TRAIL_TEST_GTO")
    if not exe or not os.path.exists(exe):
        if os.environ.get("TRAIL_REQUIRE_GTO") == "1":
            pytest.fail(f"TRAIL_TEST_GTO does not point to a gto executable: {exe!r}")
        pytest.skip("the real gto is not installed here (run through `make test`)")
    return exe


# Many GTO calls in one process of GTO's venv (each `gto` command costs a second or two of
# imports): its Python API, which its CLI calls, with the CLI's defaults and JSON.
_BATCH = """
import json, sys
import gto.api
from gto.constants import VersionSort
from gto.utils import make_ready_to_serialize
out = []
for verb, args, kwargs in json.load(sys.stdin):
    if verb == "show":
        kwargs = dict(sort=VersionSort.Timestamp, table=False, **kwargs)
    elif verb == "history":
        kwargs = dict(table=False, **kwargs)
    result = getattr(gto.api, verb)(".", *args, **kwargs)
    out.append(make_ready_to_serialize(result) if verb in ("show", "history") else None)
print(json.dumps(out))
"""


@pytest.fixture
def gto():
    """``gto(*argv)`` runs the real gto command; ``gto.batch([(verb, args, kwargs)…])``
    calls its API in one process and returns what each call printed as JSON."""
    exe = _gto_exe()
    # GTO cannot make a tag with GIT_COMMITTER_DATE set: it runs on the clock
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATE")}

    class Gto:
        def __call__(self, *args: str) -> str:
            proc = subprocess.run([exe, *args], capture_output=True, text=True, env=env)
            if proc.returncode != 0:
                raise AssertionError(f"gto {' '.join(args)} failed: {proc.stderr}{proc.stdout}")
            return proc.stdout

        def batch(self, calls: list) -> list:
            python = os.path.join(os.path.dirname(exe), "python")
            proc = subprocess.run(
                [python, "-c", _BATCH],
                input=json.dumps(calls),
                capture_output=True,
                text=True,
                env=env,
            )
            if proc.returncode != 0:
                raise AssertionError(f"gto API calls failed: {proc.stderr[-2000:]}")
            return json.loads(proc.stdout)

    return Gto()


@pytest.fixture
def project(tmp_dir, model_template):
    return copy_project(model_template, tmp_dir)


def _agree(gto, trail, *names: str) -> None:
    """Every view GTO has of the registry, as JSON, is trail's: the registry through the
    `gto show --json` command itself, the rest through its API in one process."""
    res = trail("artifacts", "show", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out) == json.loads(gto("show", "--json"))
    views = [("history",), *((verb, name) for name in names for verb in ("show", "history"))]
    theirs = gto.batch([(view[0], list(view[1:]), {}) for view in views])
    for view, expected in zip(views, theirs, strict=True):
        res = trail("artifacts", *view, "--json")
        assert res.code == 0, res.err
        assert json.loads(res.out) == expected, view


def test_gto_reads_the_tags_trail_makes(project, trail, gto, monkeypatch):
    new_version(project, trail, monkeypatch, 0.8)
    new_version(project, trail, monkeypatch, 0.6, bump="major")
    for args in (
        ("assign", "clf", "--version", "v0.0.1", "--stage", "prod"),
        ("assign", "clf", "--version", "v0.1.0", "--stage", "staging"),
        ("assign", "clf", "--stage", "dev"),
        ("assign", "clf", "--version", "v1.0.0", "--stage", "prod"),
        ("unassign", "clf", "--stage", "dev"),
        ("deprecate", "clf", "--version", "v0.1.0"),
    ):
        tick(monkeypatch)
        res = trail("artifacts", *args)
        assert res.code == 0, res.err
    # a second artifact in a subdirectory, then deprecated
    project.gen({"sub": {"dir": {"m.bin": "x"}}})
    monkeypatch.chdir(project / "sub" / "dir")
    assert trail("artifacts", "add", "net", "m.bin").code == 0
    monkeypatch.chdir(project)
    tick(monkeypatch)
    project.git("add", "-A")
    project.git("commit", "-q", "-m", "net")
    for args in (
        ("register", "sub/dir:net", "--version", "v2.0.0-rc.1"),
        ("assign", "sub/dir:net", "--version", "v2.0.0-rc.1", "--stage", "dev"),
    ):
        tick(monkeypatch)
        assert trail("artifacts", *args).code == 0
    assert "sub/dir=net@v2.0.0-rc.1" in project.git("tag", "-l")
    _agree(gto, trail, "clf", "sub/dir:net")
    tick(monkeypatch)
    assert trail("artifacts", "deprecate", "sub/dir:net").code == 0
    _agree(gto, trail, "clf")


def test_trail_reads_the_tags_gto_makes(project, trail, gto, monkeypatch):
    """GTO runs on the clock, so several of its tags share a second: the order GTO gives
    events of one second is what trail must reproduce."""
    new_version(project, trail, monkeypatch, 0.8)
    for var in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
        monkeypatch.delenv(var, raising=False)
    project.gen("README", "more")
    project.git("add", "README")
    project.git("commit", "-q", "-m", "readme")
    gto.batch(
        [
            ("register", ["clf", "HEAD"], {"version": "v1.0.0"}),
            ("assign", ["clf", "prod"], {"version": "v0.0.1"}),
            ("assign", ["clf", "prod"], {"version": "v1.0.0"}),
            ("assign", ["clf", "dev"], {"ref": "HEAD~1"}),
            ("unassign", ["clf"], {"version": "v1.0.0", "stage": "prod"}),
            ("assign", ["clf", "qa"], {"version": "v0.1.0"}),
        ]
    )
    _agree(gto, trail, "clf")
    gto.batch([("deregister", ["clf"], {"version": "v0.0.1"}), ("deprecate", ["clf"], {})])
    _agree(gto, trail, "clf")
    # (deprecated, the artifact still shows when its deprecation shares a second with other
    # events: GTO's newest-first order puts the deprecation last among them)


def test_a_stage_on_a_commit_with_no_version(project, trail, gto, monkeypatch):
    """``gto assign --sr`` puts a commit in a stage without registering it: GTO then shows a
    version named by the commit."""
    for var in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
        monkeypatch.delenv(var, raising=False)
    project.gen("README", "more")
    project.git("add", "README")
    project.git("commit", "-q", "-m", "readme")
    gto("assign", "clf", "HEAD", "--stage", "dev", "--sr")
    _agree(gto, trail, "clf")
    assert trail("artifacts", "show", "clf#dev").code == 0


def test_tags_made_by_both_tools_in_turn(project, trail, gto, monkeypatch):
    for var in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
        monkeypatch.delenv(var, raising=False)
    new_version(project, trail, monkeypatch, 0.7)
    for var in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
        monkeypatch.delenv(var, raising=False)
    gto("assign", "clf", "--version", "v0.0.1", "--stage", "prod")
    assert trail("artifacts", "assign", "clf", "--version", "v0.1.0", "--stage", "prod").code == 0
    gto("assign", "clf", "--version", "v0.0.1", "--stage", "dev")
    # each tool numbers the artifact's stage tags after the other's
    assert {"clf#prod#1", "clf#prod#2", "clf#dev#3"} <= set(project.git("tag", "-l").split())
    _agree(gto, trail, "clf")


VERSIONS = st.builds(
    lambda nums, pre, build: "v" + ".".join(map(str, nums)) + pre + build,
    st.tuples(*[st.integers(0, 12)] * 3),
    st.one_of(
        st.just(""),
        st.lists(
            st.one_of(st.integers(0, 30).map(str), st.sampled_from(["rc", "alpha", "b", "x-1"])),
            min_size=1,
            max_size=3,
        ).map(lambda ids: "-" + ".".join(ids)),
    ),
    st.sampled_from(["", "+build.1", "+7"]),
)


@settings(max_examples=10, deadline=None)
@given(st.lists(VERSIONS, min_size=2, max_size=30, unique=True))
def test_versions_sort_as_gtos_semver_sorts_them(versions):
    """``semver.precedence`` against the semver package GTO sorts with, in GTO's venv."""
    python = os.path.join(os.path.dirname(_gto_exe()), "python")
    code = (
        "import json, sys\n"
        "from gto.versions import SemVer\n"
        "vs = json.load(sys.stdin)\n"
        "print(json.dumps(sorted(vs, key=SemVer)))\n"
    )
    proc = subprocess.run(
        [python, "-c", code], input=json.dumps(versions), capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    ours = sorted(versions, key=lambda v: semver.precedence(semver.parse(v)))
    assert ours == json.loads(proc.stdout)  # both sorts are stable: ties keep their order


def test_dvc_artifacts_get_fetches_a_version_trail_registered(
    dvc_dialect_repo, trail, dvc, monkeypatch, tmp_path_factory
):
    _gto_exe()
    repo = dvc_dialect_repo
    make_model_project(repo, trail, monkeypatch, pipeline_file="dvc.yaml")
    first = (repo / "model.json").read_text()
    store = tmp_path_factory.mktemp("store")
    assert trail("remote", "add", "-d", "store", str(store)).code == 0
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "remote")
    new_version(repo, trail, monkeypatch, 0.3)
    tick(monkeypatch)
    assert trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "prod").code == 0
    assert trail("push", "-T").code == 0
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    dvc("artifacts", "get", str(repo), "clf", "--rev", "v0.0.1", "-o", "v1.json")
    assert (elsewhere / "v1.json").read_text() == first
    dvc("artifacts", "get", str(repo), "clf", "--stage", "prod", "-o", "prod.json")
    assert (elsewhere / "prod.json").read_text() == first
    dvc("artifacts", "get", str(repo), "clf", "-o", "latest.json")
    assert (elsewhere / "latest.json").read_text() == (repo / "model.json").read_text()


def test_artifacts_add_writes_the_bytes_dvc_writes(dvc_repo, trail, tmp_path_factory):
    """The same edit by ``trail artifacts add`` and by DVC's own ``Artifacts.add`` (what
    DVCLive calls), on a pipeline file with comments."""
    _gto_exe()
    text = (
        "# pipeline\n"
        "stages:\n"
        "  train:  # the only stage\n"
        "    cmd: python train.py\n"
        "    outs:\n"
        "      - model.pkl\n"
        "artifacts:\n"
        "  old:\n"
        "    path: old.pkl\n"
    )
    dvc_repo.gen("dvc.yaml", text)
    res = trail(
        "artifacts",
        "add",
        "clf",
        "model.pkl",
        "--type",
        "model",
        "--desc",
        "a model",
        "--label",
        "cv",
        "--meta",
        "serve=src/serve.py:load",
    )
    assert res.code == 0, res.err
    ours = (dvc_repo / "dvc.yaml").read_text()
    dvc_repo.gen("dvc.yaml", text)
    python = os.path.join(os.path.dirname(os.environ["TRAIL_TEST_DVC"]), "python")
    code = (
        "from dvc.repo import Repo\n"
        "from dvc.annotations import Artifact\n"
        "Repo('.').artifacts.add('clf', Artifact(path='model.pkl', type='model', "
        "desc='a model', labels=['cv'], meta={'serve': 'src/serve.py:load'}))\n"
    )
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (dvc_repo / "dvc.yaml").read_text() == ours
