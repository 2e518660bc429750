"""``trail ui``'s Models page through Starlette's test client: the artifacts, one artifact's
versions, stages and history, and a version's lineage — each equal to what ``trail artifacts
show --json``, ``history --json`` and ``trail bundle`` say; registering, assigning and
unassigning through the page (one tag each, as the commands make them), refused read-only and
from other origins; bad names and versions one line in the error panel's shape.

The project (``trail.testing.models_ui``): the demo project with ``clf`` (model.json) at v1.0.0
(shrink 1.0) in ``prod`` and v1.1.0 (shrink 0.9, HEAD) in ``dev``."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

pytest.importorskip("starlette", reason="the ui extra is not installed")
from starlette.testclient import TestClient

from trail.repo import Repo
from trail.testing.plugin import run_main
from trail.web.app import create_app
from trail.web.server import allowed_hosts
from trail.web.state import UiState

BASE = "http://127.0.0.1:8765"
TOKEN = "test-token-123"


def client_for(root, read_only=False):
    repo = Repo.find(str(root))
    ui = UiState(repo.root, repo.dialect, TOKEN, read_only=read_only)
    ui.hosts = allowed_hosts("127.0.0.1", 8765)
    client = TestClient(create_app(ui), base_url=BASE, follow_redirects=False)
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    return client


def act(client, name, body, origin=BASE):
    headers = {"Origin": origin} if origin else {}
    return client.post(f"/api/actions/models/{name}", json=body, headers=headers)


def cli(root, *args):
    cwd = os.getcwd()
    os.chdir(root)
    try:
        res = run_main(*args)
    finally:
        os.chdir(cwd)
    assert res.code == 0, res.err
    return json.loads(res.out) if "--json" in args else res.out


def tags(root):
    out = subprocess.run(["git", "tag", "-l"], cwd=root, capture_output=True, text=True, check=True)
    return sorted(out.stdout.split())


@pytest.fixture(scope="module")
def api(models_project):
    return client_for(models_project)


@pytest.fixture
def own(models_copy, monkeypatch):
    monkeypatch.chdir(models_copy)
    return client_for(models_copy), models_copy


def test_the_page_is_served_and_linked_from_every_page(api):
    page = api.get("/models")
    assert page.status_code == 200
    assert '<script src="/static/models.js"' in page.text
    assert '<script src="/static/vega.js"' not in page.text  # no charts: no Vega-Lite
    assert api.get("/static/models.js").status_code == 200
    assert '<a href="/models"' in api.get("/pipeline").text


def test_artifacts_are_what_artifacts_show_and_list_say(api, models_project):
    answer = api.get("/api/models").json()
    assert answer["allowed_stages"] is None  # no .gto: any stage name
    shown = cli(models_project, "artifacts", "show", "--json")
    listed = {d["name"]: d for d in cli(models_project, "artifacts", "list", "--json")}
    assert [m["name"] for m in answer["models"]] == ["clf"] == list(shown)
    for m in answer["models"]:
        want = shown[m["name"]]
        assert m["latest"] == want["version"] == "v1.1.0"
        holders = {s: held["version"] for s, held in m["stages"].items()}
        assert holders == {s: v for s, v in want["stage"].items() if v}
        assert holders == {"prod": "v1.0.0", "dev": "v1.1.0"}
        assert (m["registered"], m["active"]) == (want["registered"], want["active"])
        declared = listed[m["name"]]
        assert {k: m[k] for k in declared} == declared
    (clf,) = answer["models"]
    assert (clf["type"], clf["path"], clf["desc"], clf["labels"]) == (
        "model",
        "model.json",
        "nearest centroids",
        ["demo"],
    )


def test_an_artifact_has_the_versions_and_history_the_commands_print(api, models_project):
    data = api.get("/api/models/artifact?name=clf").json()
    shown = cli(models_project, "artifacts", "show", "clf", "--json", "--deprecated")
    assert [(v["version"], v["commit"], v["holds"]) for v in data["versions"]] == [
        (v["version"], v["commit_hexsha"], sorted({s["stage"] for s in v["stages"]})) for v in shown
    ]
    assert [v["holds"] for v in data["versions"]] == [["dev"], ["prod"]]
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=models_project, capture_output=True, text=True
    ).stdout.strip()
    assert data["versions"][0]["commit"] == head
    assert all(v["active"] and v["registered"] for v in data["versions"])
    held = {s: h["version"] for s, h in data["stages"].items()}
    assert held == {"prod": "v1.0.0", "dev": "v1.1.0"}
    assert data["history"] == cli(models_project, "artifacts", "history", "clf", "--json")
    assert [e["event"] for e in data["history"]] == [
        "assignment",
        "assignment",
        "registration",
        "registration",
    ]


def test_a_versions_lineage_is_what_its_bundle_records(api, models_project, tmp_path):
    answer = api.get("/api/models/lineage?spec=clf@v1.0.0").json()
    assert (answer["name"], answer["version"]) == ("clf", "v1.0.0")
    lin = answer["lineage"]
    assert (lin["source"], lin["produced_by"]) == ("stage", "train")
    assert [s["name"] for s in lin["stages"]] == ["prepare", "train"]
    train = lin["stages"][1]
    assert train["params"] == {"params.yaml": {"train.shrink": 1.0, "train.epochs": 5}}
    assert {d["path"]: d["kind"] for d in train["deps"]} == {"src/train.py": "code", "data": "data"}
    assert all(d["hash"] for d in train["deps"]) and train["outs"][0]["path"] == "model.json"
    assert [d["path"] for d in lin["data"]] == ["raw"] and lin["imports"] == []
    assert set(answer["metrics"]["metrics.json"]) == {"accuracy"}
    svg = answer["svg"]
    for node in ("data:raw", "stage:prepare", "stage:train", "artifact"):
        assert f'data-name="{node}"' in svg
    assert svg.count('class="edge"') == 3  # raw → prepare → train → clf
    assert 'aria-label="lineage graph"' in svg and ">clf v1.0.0</text>" in svg

    cli(models_project, "bundle", "clf@v1.0.0", "-o", str(tmp_path / "b"))
    bundled = json.loads((tmp_path / "b" / "bundle.json").read_text())
    for key in ("name", "version", "stage", "commit", "artifact", "lineage", "metrics"):
        assert answer[key] == bundled[key], key
    assert answer["environment"]["packages"] == bundled["environment"]["packages"]

    prod = api.get("/api/models/lineage?spec=clf%23prod").json()
    assert (prod["version"], prod["stage"], prod["commit"]) == ("v1.0.0", "prod", answer["commit"])
    newer = api.get("/api/models/lineage?spec=clf@v1.1.0").json()
    assert newer["lineage"]["stages"][1]["params"]["params.yaml"]["train.shrink"] == 0.9


@pytest.mark.parametrize(
    ("url", "status", "told"),
    [
        ("artifact?name=nope", 404, "unknown artifact 'nope'"),
        ("artifact?name=a%20b", 400, "invalid artifact name 'a b'"),
        ("artifact", 400, "missing query parameter 'name'"),
        ("lineage?spec=nope@v1.0.0", 404, "unknown artifact 'nope'"),
        ("lineage?spec=clf@v9.9.9", 409, "'clf' has no version v9.9.9"),
        ("lineage?spec=clf@1.0", 400, "invalid version '1.0'"),
        ("lineage?spec=clf%23qa", 409, "no version of 'clf' is in stage 'qa'"),
        ("lineage?spec=clf%23a@b", 400, "invalid stage name 'a@b'"),
    ],
)
def test_bad_names_and_versions_are_one_line_errors(api, url, status, told):
    answer = api.get(f"/api/models/{url}")
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert told in error["message"] and "\n" not in error["message"]
    assert error["file"] is None  # nothing for the panel to name as a place


def test_actions_are_refused_read_only_and_from_other_origins(own, models_project):
    client, root = own
    before = tags(root)
    body = {"name": "clf", "version": "v1.1.0", "stage": "prod"}
    assert act(client, "assign", body, origin="http://evil.example").status_code == 403
    assert act(client, "assign", body, origin=None).status_code == 403
    plain = client.post(
        "/api/actions/models/assign",
        content=json.dumps(body).encode(),
        headers={"Origin": BASE, "Content-Type": "text/plain"},
    )
    assert plain.status_code == 403
    reader = client_for(root, read_only=True)
    for name, posted in (("assign", body), ("register", {"name": "clf"}), ("unassign", body)):
        refused = act(reader, name, posted)
        assert refused.status_code == 403
        assert "read-only" in refused.json()["error"]["message"]
    assert tags(root) == before  # no tag was made


def test_register_assign_and_unassign_make_the_tags_the_commands_make(own):
    client, root = own
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "retrain"], cwd=root, check=True)
    done = act(client, "register", {"name": "clf", "bump": "major"})
    assert done.status_code == 200, done.text
    assert done.json()["tags"] == ["clf@v2.0.0"] and done.json()["version"] == "v2.0.0"
    assert client.get("/api/models").json()["models"][0]["latest"] == "v2.0.0"

    again = act(client, "register", {"name": "clf"})  # HEAD is v2.0.0 already
    assert again.status_code == 409 and "already version v2.0.0" in again.json()["error"]["message"]

    done = act(client, "assign", {"name": "clf", "version": "v2.0.0", "stage": "prod"})
    assert done.status_code == 200, done.text
    assert done.json()["tags"] == ["clf#prod#3"]
    shown = cli(root, "artifacts", "show", "--json")["clf"]
    assert shown["stage"] == {"dev": "v1.1.0", "prod": "v2.0.0"}
    versions = client.get("/api/models/artifact?name=clf").json()["versions"]
    assert [(v["version"], v["holds"]) for v in versions] == [
        ("v2.0.0", ["prod"]),
        ("v1.1.0", ["dev"]),
        ("v1.0.0", []),  # prod moved on
    ]
    assert versions[2]["stages"] == ["prod"]  # its assignment stays active, GTO's way

    done = act(client, "unassign", {"name": "clf", "stage": "dev"})
    assert done.status_code == 200, done.text
    assert done.json()["tags"] == ["clf#dev!#4"] and done.json()["version"] == "v1.1.0"
    assert cli(root, "artifacts", "show", "--json")["clf"]["stage"] == {"prod": "v2.0.0"}
    history = client.get("/api/models/artifact?name=clf").json()["history"]
    assert history == cli(root, "artifacts", "history", "clf", "--json")
    assert [e["event"] for e in history[:3]] == ["unassignment", "assignment", "registration"]


@pytest.mark.parametrize(
    ("name", "body", "status", "told"),
    [
        ("register", {"name": "clf", "version": "1.0"}, 400, "invalid version '1.0'"),
        ("register", {"name": "clf", "version": "v3.0.0", "bump": "minor"}, 400, "not both"),
        ("register", {"name": "clf", "bump": "huge"}, 400, "invalid --bump 'huge'"),
        ("register", {"name": "nope"}, 404, "unknown artifact 'nope'"),
        ("register", {"name": 7}, 400, "'name' must be a string"),
        ("register", {}, 400, "'name' is required"),
        ("assign", {"name": "clf", "version": "v1.0.0", "stage": "a#b"}, 400, "invalid stage"),
        ("assign", {"name": "clf", "version": "v9.0.0", "stage": "qa"}, 409, "no version v9.0.0"),
        ("assign", {"name": "clf", "version": "v1.0.0", "stage": "prod"}, 409, "already in stage"),
        ("assign", {"name": "clf", "version": "v1.0.0", "stage": "qa", "force": "y"}, 400, "force"),
        ("unassign", {"name": "clf", "stage": "qa"}, 409, "no version of 'clf' is in stage 'qa'"),
    ],
)
def test_bad_actions_are_one_line_and_make_no_tag(own, name, body, status, told):
    client, root = own
    before = tags(root)
    answer = act(client, name, body)
    assert answer.status_code == status, answer.text
    message = answer.json()["error"]["message"]
    assert told in message and "\n" not in message
    assert tags(root) == before


def test_a_tag_made_elsewhere_shows_without_a_reload(own):
    import time

    client, root = own
    before = client.get("/api/version").json()["version"]
    assert client.get("/api/models").json()["models"][0]["stages"]["prod"]["version"] == "v1.0.0"
    cli(root, "artifacts", "assign", "clf", "--version", "v1.1.0", "--stage", "prod")
    deadline = time.monotonic() + 5
    while client.get("/api/version").json()["version"] == before:
        assert time.monotonic() < deadline, "the new tag was not noticed"
        time.sleep(0.1)
    held = client.get("/api/models").json()["models"][0]["stages"]["prod"]
    assert held["version"] == "v1.1.0"
