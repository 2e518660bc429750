"""``trail artifacts``: declarations in the pipeline file, versions and stages as Git tags."""

from __future__ import annotations

import json

import pytest
from registry_helpers import copy_project, model_template_fixture, new_version, tags, tick  # noqa: F401


@pytest.fixture
def project(tmp_dir, model_template):
    return copy_project(model_template, tmp_dir)


def test_add_writes_dvcs_artifacts_section_keeping_comments(trail_repo, trail):
    trail_repo.gen("trail.yaml", "# my pipeline\nstages: {}  # none yet\n")
    trail_repo.gen({"models": {"m.pkl": "x"}})
    res = trail(
        "artifacts",
        "add",
        "m",
        "models/m.pkl",
        "--type",
        "model",
        "--desc",
        "the model",
        "--label",
        "cv",
        "--label",
        "resnet",
        "--meta",
        "serve=src/serve.py:load",
    )
    assert res.code == 0, res.err
    assert "Added artifact 'm' in trail.yaml" in res.out
    assert (trail_repo / "trail.yaml").read_text() == (
        "# my pipeline\n"
        "stages: {}  # none yet\n"
        "artifacts:\n"
        "  m:\n"
        "    path: models/m.pkl\n"
        "    desc: the model\n"
        "    type: model\n"
        "    labels:\n"
        "    - cv\n"
        "    - resnet\n"
        "    meta:\n"
        "      serve: src/serve.py:load\n"
    )
    res = trail("artifacts", "add", "m", "models/m.pkl")  # replaces the entry, as DVC does
    assert res.code == 0 and "Updated artifact 'm'" in res.out
    assert "desc" not in (trail_repo / "trail.yaml").read_text()


def test_add_in_a_subdirectory_names_it_sub_dir_colon_name(trail_repo, trail, monkeypatch):
    trail_repo.gen({"sub": {"dir": {"model.bin": "x"}}})
    monkeypatch.chdir(trail_repo / "sub" / "dir")
    res = trail("artifacts", "add", "net", "model.bin")
    assert res.code == 0, res.err
    assert "Added artifact 'sub/dir:net' in sub/dir/trail.yaml" in res.out
    monkeypatch.chdir(trail_repo)
    assert trail("artifacts", "add", "sub/dir:other", "sub/dir/model.bin").code == 0
    listed = json.loads(trail("artifacts", "list", "--json").out)
    assert [(a["name"], a["path"], a["file"]) for a in listed] == [
        ("sub/dir:net", "sub/dir/model.bin", "sub/dir/trail.yaml"),
        ("sub/dir:other", "sub/dir/model.bin", "sub/dir/trail.yaml"),
    ]
    assert "path: model.bin" in (trail_repo / "sub" / "dir" / "trail.yaml").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bad name!", "m"), "invalid artifact name 'bad name!'"),
        (("m", "../outside"), "path '../outside' is outside the repository"),
        (("m", "."), "cannot be an artifact"),
        (("m", "x", "--label", "a b"), "invalid label 'a b'"),
        (("m", "x", "--meta", "novalue"), "--meta takes KEY=VALUE"),
    ],
)
def test_add_refuses_bad_input_changing_nothing(trail_repo, trail, args, message):
    res = trail("artifacts", "add", *args)
    assert res.code in (1, 2) and message in res.err, res.err
    assert len(res.err.strip().splitlines()) == 1
    assert not (trail_repo / "trail.yaml").exists()


def test_register_assign_unassign_deprecate_write_gtos_tags(project, trail, monkeypatch):
    assert tags(project) == ["clf@v0.0.1"]
    first = project.git("rev-parse", "HEAD").strip()
    assert project.git("cat-file", "tag", "clf@v0.0.1").endswith(
        "\n\nRegistering artifact clf version v0.0.1"  # GTO's words, no newline added
    )
    new_version(project, trail, monkeypatch, 0.9)
    tick(monkeypatch)
    res = trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "prod")
    assert res.code == 0, res.err
    assert "Created git tag 'clf#prod#1' that assigns stage 'prod' to version v0.0.1" in res.out
    assert project.git("rev-parse", "clf#prod#1^{commit}").strip() == first
    tick(monkeypatch)
    assert trail("artifacts", "assign", "clf", "--stage", "dev").code == 0  # HEAD: v0.1.0
    tick(monkeypatch)
    assert trail("artifacts", "unassign", "clf", "--stage", "dev").code == 0
    tick(monkeypatch)
    assert trail("artifacts", "deprecate", "clf", "--version", "v0.0.1").code == 0
    assert tags(project) == [
        "clf#dev!#3",
        "clf#dev#2",
        "clf#prod#1",
        "clf@v0.0.1",
        "clf@v0.0.1!",
        "clf@v0.1.0",
    ]
    assert project.git("cat-file", "tag", "clf#dev!#3").endswith(
        "Unassigning stage 'dev' to artifact 'clf' version 'v0.1.0'"
    )
    before = tags(project)
    res = trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "qa")
    assert res.code == 1 and "version v0.0.1 of 'clf' was deregistered" in res.err
    assert tags(project) == before
    shown = json.loads(trail("artifacts", "show", "--json").out)
    assert shown == {
        "clf": {
            "version": "v0.1.0",
            "stage": {},  # prod held v0.0.1, deregistered: no stage is in use
            "registered": True,
            "active": True,
        }
    }
    tick(monkeypatch)
    res = trail("artifacts", "deprecate", "clf")
    assert res.code == 0 and "clf@deprecated" in tags(project)
    assert json.loads(trail("artifacts", "show", "--json").out) == {}
    events = json.loads(trail("artifacts", "history", "clf", "--json").out)
    assert [e["event"] for e in events] == [
        "deprecation",
        "deregistration",
        "unassignment",
        "assignment",
        "assignment",
        "registration",
        "registration",
    ]


def test_register_versions_bumps_and_show_text(project, trail, monkeypatch):
    new_version(project, trail, monkeypatch, 0.8, bump="major")
    new_version(project, trail, monkeypatch, 0.7, bump="patch")
    tick(monkeypatch)
    assert trail("artifacts", "assign", "clf", "--stage", "prod").code == 0
    assert tags(project)[-3:] == ["clf@v0.0.1", "clf@v1.0.0", "clf@v1.0.1"]
    res = trail("artifacts", "show")
    assert res.code == 0
    assert res.out.split("\n")[0].split() == ["name", "latest", "#prod"]
    assert res.out.split("\n")[1].split() == ["clf", "v1.0.1", "v1.0.1"]
    res = trail("artifacts", "show", "clf")
    assert [line.split()[1] for line in res.out.strip().split("\n")[1:]] == [
        "v1.0.1",
        "v1.0.0",
        "v0.0.1",
    ]
    res = trail("artifacts", "show", "clf#prod", "--json")
    assert [v["version"] for v in json.loads(res.out)] == ["v1.0.1"]
    res = trail("artifacts", "history")
    assert res.code == 0 and "assignment" in res.out and "clf#prod#1" in res.out


def test_assign_at_a_new_commit_registers_it_first(project, trail, monkeypatch):
    project.gen("README", "more")
    tick(monkeypatch)
    project.git("add", "README")
    project.git("commit", "-q", "-m", "readme")
    tick(monkeypatch)
    res = trail("artifacts", "assign", "clf", "HEAD", "--version", "v2.0.0", "--stage", "prod")
    assert res.code == 0, res.err
    assert "Created git tag 'clf@v2.0.0' that registers version" in res.out
    assert "clf#prod#1" in res.out
    assert json.loads(trail("artifacts", "show", "--json").out)["clf"]["stage"] == {
        "prod": "v2.0.0"
    }


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (("register", "clf", "--version", "1.0.0"), "invalid version '1.0.0'", 2),
        (("register", "clf", "--version", "v1.0"), "invalid version 'v1.0'", 2),
        (("register", "nope"), "unknown artifact 'nope'", 1),
        (("register", "clf"), "commit", 1),  # HEAD is v0.0.1 already
        (("register", "clf", "HEAD~1"), "there is no 'trail.yaml' at commit", 1),
        (("register", "clf", "no-such-rev"), "unknown revision 'no-such-rev'", 1),
        (("assign", "clf", "--version", "v0.0.1", "--stage", "pr#od"), "invalid stage", 2),
        (("assign", "clf", "--version", "v0.0.1", "--stage", "pr@od"), "invalid stage", 2),
        (("assign", "clf", "--version", "v9.9.9", "--stage", "prod"), "no version v9.9.9", 1),
        (("assign", "nope", "--version", "v0.0.1", "--stage", "prod"), "unknown artifact", 1),
        (("unassign", "clf", "--stage", "prod"), "no version of 'clf' is in stage 'prod'", 1),
        (("deprecate", "nope"), "unknown artifact 'nope'", 1),
        (("deprecate", "clf", "--version", "v3.0.0"), "has no version v3.0.0", 1),
    ],
)
def test_bad_input_is_one_line_and_writes_no_tag(project, trail, args, message, code):
    before = tags(project)
    res = trail("artifacts", *args)
    assert res.code == code, res.err
    assert message in res.err and len(res.err.strip().splitlines()) == 1, res.err
    assert tags(project) == before


def test_registering_a_version_that_exists(project, trail, monkeypatch):
    project.gen("README", "more")
    project.git("add", "README")
    project.git("commit", "-q", "-m", "readme")
    res = trail("artifacts", "register", "clf", "--version", "v0.0.1")
    assert res.code == 1 and "version v0.0.1 of 'clf' already exists" in res.err
    assert tags(project) == ["clf@v0.0.1"]
    tick(monkeypatch)
    assert trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "prod").code == 0
    res = trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "prod")
    assert res.code == 1 and "already in stage 'prod'" in res.err
    assert (
        trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "prod", "-f").code
        == 0
    )
    assert "clf#prod#2" in tags(project)


def test_stages_allowed_by_a_gto_file(project, trail):
    project.gen(".gto", "stages: [dev, prod]\n")
    res = trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "qa")
    assert res.code == 2 and "unknown stage 'qa': .gto allows dev, prod" in res.err
    assert trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "dev").code == 0
    stages = json.loads(trail("artifacts", "show", "--json").out)["clf"]["stage"]
    assert stages == {"dev": "v0.0.1", "prod": None}  # configured stages are all shown


def test_push_sends_the_tags_to_the_git_remote(project, trail, tmp_path_factory):
    remote = tmp_path_factory.mktemp("remote") / "origin.git"
    project.git("init", "-q", "--bare", str(remote))
    project.git("remote", "add", "origin", str(remote))
    res = trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "prod", "--push")
    assert res.code == 0 and "Pushed it to 'origin'" in res.out
    pushed = project.git("ls-remote", "--tags", str(remote))
    assert "refs/tags/clf#prod#1" in pushed
    res = trail("artifacts", "deprecate", "clf", "--push", "--remote", "nowhere")
    assert res.code == 1 and "tag 'clf@deprecated' was made here, but pushing it" in res.err
    assert "nowhere" in res.err and len(res.err.strip().splitlines()) == 1


def test_get_downloads_a_version_from_another_repository(
    project, trail, monkeypatch, tmp_path_factory
):
    store = tmp_path_factory.mktemp("store")
    assert trail("remote", "add", "-d", "store", str(store)).code == 0
    project.git("add", "-A")
    project.git("commit", "-q", "-m", "remote")
    first_model = (project / "model.json").read_text()
    new_version(project, trail, monkeypatch, 0.5)
    tick(monkeypatch)
    assert trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "prod").code == 0
    assert trail("push", "-T").code == 0
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    res = trail("artifacts", "get", str(project), "clf#prod", "-o", "prod.json")
    assert res.code == 0, res.err
    assert "Downloaded clf v0.0.1 (prod)" in res.out
    assert (elsewhere / "prod.json").read_text() == first_model
    res = trail("artifacts", "get", f"file://{project}", "clf")  # latest version, by URL
    assert res.code == 0, res.err
    assert (elsewhere / "model.json").read_text() == (project / "model.json").read_text()
    res = trail("artifacts", "get", str(project), "clf@v7.0.0")
    assert res.code == 1 and "'clf' has no version v7.0.0" in res.err


def test_actions_in_quick_succession_each_get_their_own_second(project, trail, monkeypatch):
    """GTO orders tags by their second: two assignments of one second could leave the stage
    with the first version. trail waits for a new second instead."""
    new_version(project, trail, monkeypatch, 0.5)
    for var in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
        monkeypatch.delenv(var)
    for version in ("v0.1.0", "v0.0.1", "v0.1.0"):
        res = trail("artifacts", "assign", "clf", "--version", version, "--stage", "prod", "-f")
        assert res.code == 0, res.err
    assert trail("artifacts", "deprecate", "clf", "--version", "v0.1.0").code == 0
    times = project.git(
        "for-each-ref",
        "--format=%(taggerdate:unix)",
        "--sort=taggerdate",
        "refs/tags/clf#*",
        "refs/tags/clf@v0.1.0!",
    ).split()
    assert len(times) == 4 and len(set(times)) == 4
    assert json.loads(trail("artifacts", "show", "--json").out)["clf"]["stage"] == {
        "prod": "v0.0.1"  # v0.1.0, assigned last, was deregistered
    }
