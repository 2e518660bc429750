"""``trail ui``'s Quality page through Starlette's test client: the tables among the tracked
outputs, a table's profile at a revision and drift between two, each equal to what
``trail data profile`` / ``trail data drift`` print; bad paths refused, a file that is no
table told, and a missing ``data`` extra told (never a 500).

The demo project's raw/iris.csv has 60 rows at HEAD~1 ("data v1") and 90 at HEAD."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

pytest.importorskip("starlette", reason="the ui extra is not installed")
pytest.importorskip("duckdb", reason="trail[data] is part of the test extra")
from starlette.testclient import TestClient

from trail.repo import Repo
from trail.testing.plugin import run_main
from trail.web.app import create_app
from trail.web.server import allowed_hosts
from trail.web.state import UiState

BASE = "http://127.0.0.1:8765"
TOKEN = "test-token-123"


def client_for(root):
    repo = Repo.find(str(root))
    ui = UiState(repo.root, repo.dialect, TOKEN)
    ui.hosts = allowed_hosts("127.0.0.1", 8765)
    client = TestClient(create_app(ui), base_url=BASE, follow_redirects=False)
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    return client


@pytest.fixture(scope="module")
def project(demo_project, tmp_path_factory):
    """A copy of the demo project for this module: profiles computed here are stored in its
    cache, not in the session's shared project."""
    root = tmp_path_factory.mktemp("quality") / "demo"
    shutil.copytree(demo_project, root, symlinks=True)
    return root


@pytest.fixture(scope="module")
def api(project):
    return client_for(project)


def cli(root, *args, codes=(0,)):
    cwd = os.getcwd()
    os.chdir(root)
    try:
        res = run_main(*args)
    finally:
        os.chdir(cwd)
    assert res.code in codes, res.err
    return json.loads(res.out)


def test_the_page_is_served_with_its_charts(api):
    page = api.get("/quality")
    assert page.status_code == 200
    assert '<script src="/static/quality.js"' in page.text
    assert '<script src="/static/vega.js"' in page.text
    assert api.get("/static/quality.js").status_code == 200
    assert '<a href="/quality"' in api.get("/data").text


def test_tables_are_the_table_files_of_the_tracked_outputs(api):
    answer = api.get("/api/quality/tables").json()
    assert answer["rev"] == "workspace" and answer["engine_missing"] is None
    tables = {t["path"]: t for t in answer["tables"]}
    assert set(tables) == {"raw/iris.csv"}  # meta.json, the image, data/*.json: no tables
    iris = tables["raw/iris.csv"]
    assert (iris["output"], iris["format"], iris["isdir"], iris["files"]) == (
        "raw",
        "csv",
        False,
        1,
    )
    assert iris["size"] > 0 and iris["hash"].startswith("blake3:")
    older = api.get("/api/quality/tables?rev=HEAD~1").json()
    assert older["rev"] == "HEAD~1"
    assert older["tables"][0]["hash"] != iris["hash"]
    assert older["tables"][0]["size"] < iris["size"]


def test_a_directory_of_parts_is_one_table_and_its_parts_are_tables(
    project_copy, trail, monkeypatch
):
    root = project_copy
    (root / "parts").mkdir()
    (root / "parts" / "a.csv").write_text("x,y\n1,a\n2,b\n")
    (root / "parts" / "b.csv").write_text("x,y\n3,c\n")
    (root / "parts" / "README").write_text("two parts\n")
    monkeypatch.chdir(root)
    assert trail("add", "-q", "parts").code == 0
    client = client_for(root)
    tables = {t["path"]: t for t in client.get("/api/quality/tables").json()["tables"]}
    assert (tables["parts"]["isdir"], tables["parts"]["files"]) == (True, 2)
    assert {"parts/a.csv", "parts/b.csv"} <= set(tables) and "parts/README" not in tables
    whole = client.get("/api/quality/profile?path=parts").json()
    assert (whole["rows"], whole["files"]) == (3, 2)
    assert client.get("/api/quality/profile?path=parts/b.csv").json()["rows"] == 1


def test_a_profile_at_a_revision_is_what_the_command_computes(api, project):
    old = api.get("/api/quality/profile?path=raw/iris.csv&rev=HEAD~1").json()
    assert (old["rows"], old["rev"], old["path"]) == (60, "HEAD~1", "raw/iris.csv")
    assert [c["name"] for c in old["columns"]] == ["x", "y", "label"]
    x = old["columns"][0]
    assert x["type"] == "float" and sum(x["histogram"]["counts"]) == 60
    assert len(x["histogram"]["edges"]) == len(x["histogram"]["counts"]) + 1
    assert old["columns"][2]["top"] == [["a", 20], ["b", 20], ["c", 20]]
    ran = cli(project, "data", "profile", "raw/iris.csv", "--rev", "HEAD~1", "--json")
    assert old["columns"] == ran["columns"] and old["hash"] == ran["hash"]
    now = api.get("/api/quality/profile?path=raw/iris.csv").json()
    assert now["rows"] == 90 and now["rev"] is None and now["target"] == "raw/iris.csv"
    assert api.get("/api/quality/profile?path=raw/iris.csv&rev=workspace").json()["rows"] == 90
    first_try = api.get("/api/quality/profile?path=raw/iris.csv&rev=first-try").json()
    assert first_try["rows"] == 60  # an experiment of the first baseline


def test_drift_between_two_revisions_with_both_histograms(api, project):
    d = api.get("/api/quality/drift?path=raw/iris.csv&base=HEAD~1").json()
    assert (d["path"], d["rows"]) == ("raw/iris.csv", [60, 90])
    assert d["baseline"] == "raw/iris.csv@HEAD~1" and d["current"] == "raw/iris.csv"
    assert d["schema"] == {"added": [], "removed": [], "retyped": []}
    x = next(c for c in d["columns"] if c["name"] == "x")
    assert x["ks"] > 0 and x["psi"] > 0 and x["js"] is None
    assert (sum(x["histogram"]["base"]), sum(x["histogram"]["current"])) == (60, 90)
    label = next(c for c in d["columns"] if c["name"] == "label")
    assert label["histogram"]["values"] == ["a", "b", "c"] and label["js"] is not None
    ran = cli(project, "data", "drift", "raw/iris.csv@HEAD~1", "raw/iris.csv", "--json",
              codes=(0, 1))  # fmt: skip
    assert ran["columns"] == d["columns"] and ran["crossed"] == d["crossed"]


def test_thresholds_mark_the_columns_that_cross_them(api):
    d = api.get("/api/quality/drift?path=raw/iris.csv&base=HEAD~1&current=HEAD&psi=0&ks=1").json()
    assert d["thresholds"]["psi"] == 0 and d["thresholds"]["ks"] == 1 and d["crossed"] is True
    crossed = {c["name"]: c["crossed"] for c in d["columns"]}
    assert crossed == {"x": ["psi"], "y": ["psi"], "label": []}  # a, b, c: equal shares
    calm = api.get("/api/quality/drift?path=raw/iris.csv&base=HEAD&current=workspace").json()
    assert calm["crossed"] is False and all(c["crossed"] == [] for c in calm["columns"])
    assert all(c["psi"] == pytest.approx(0, abs=1e-9) for c in calm["columns"])
    bad = api.get("/api/quality/drift?path=raw/iris.csv&base=HEAD~1&ks=much")
    assert bad.status_code == 400 and "'ks' must be a number" in bad.json()["error"]["message"]


@pytest.mark.parametrize(
    "path",
    ["../outside", "/etc/passwd", "raw/../../etc/passwd", "src/train.py", "params.yaml", "nothing"],
)
def test_paths_outside_tracked_outputs_are_refused(api, path):
    for query in ({"path": path}, {"path": path, "rev": "HEAD~1"}):
        answer = api.get("/api/quality/profile", params=query)
        assert answer.status_code == 403, (path, answer.text)
        told = answer.json()["error"]["message"]
        assert "escape the repository" in told or f"at {query.get('rev', 'workspace')}" in told
    answer = api.get("/api/quality/drift", params={"path": path, "base": "HEAD~1"})
    assert answer.status_code == 403, (path, answer.text)


def test_a_file_that_is_no_table_is_a_clear_error(api):
    told = {
        ("raw/meta.json", "workspace"): "unknown table format",
        ("raw/meta.json", "HEAD"): "unknown table format",
        ("raw/images", "workspace"): "no table here",
        ("raw/images", "HEAD"): "is a directory",  # a directory inside a tracked one, at a rev
    }
    for (path, rev), message in told.items():
        for url, query in (("profile", {"rev": rev}), ("drift", {"base": rev, "current": rev})):
            answer = api.get(f"/api/quality/{url}", params={"path": path, **query})
            assert answer.status_code == 409, answer.text
            error = answer.json()["error"]
            assert message in error["message"] and error["file"] == path, error
    missing = api.get("/api/quality/profile?path=raw/iris.csv&rev=no-such-rev")
    assert missing.status_code == 409 and "no-such-rev" in missing.json()["error"]["message"]


def test_a_symlink_out_of_the_repository_is_refused(project_copy, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n")
    os.symlink(secret, project_copy / "raw" / "leak.csv")
    client = client_for(project_copy)
    for endpoint in ("profile", "drift"):
        answer = client.get(f"/api/quality/{endpoint}", params={"path": "raw/leak.csv"})
        assert answer.status_code == 403, answer.text
        assert "hunter2" not in answer.text


def test_without_the_data_extra_the_page_says_which_to_install(project_copy, monkeypatch):
    shutil.rmtree(project_copy / ".trail" / "cache" / "profiles", ignore_errors=True)
    with monkeypatch.context() as hidden:
        hidden.setitem(sys.modules, "duckdb", None)  # `import duckdb` fails as if not installed
        client = client_for(project_copy)
        assert (
            "pip install 'trail[data]'"
            in client.get("/api/quality/tables").json()["engine_missing"]
        )
        for url in ("profile?path=raw/iris.csv", "drift?path=raw/iris.csv&base=HEAD~1"):
            answer = client.get(f"/api/quality/{url}")
            assert answer.status_code == 409, answer.text
            error = answer.json()["error"]
            assert error["type"] == "EngineMissingError"
            assert "pip install 'trail[data]'" in error["message"]
    computed = client_for(project_copy).get("/api/quality/profile?path=raw/iris.csv").json()
    assert computed["stored"] is False
    with monkeypatch.context() as hidden:
        hidden.setitem(sys.modules, "duckdb", None)
        again = client_for(project_copy).get("/api/quality/profile?path=raw/iris.csv")
        assert again.status_code == 200 and again.json()["stored"] is True  # from the store
        assert again.json()["columns"] == computed["columns"]
