"""``trail ui``'s HTTP API through Starlette's test client, on the demo project (read-only
tests share one build of it; tests that change something get their own copy)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

starlette = pytest.importorskip("starlette", reason="the ui extra is not installed")
from starlette.testclient import TestClient  # noqa: E402

from trail.repo import Repo  # noqa: E402
from trail.testing.plugin import run_main  # noqa: E402
from trail.web.app import create_app  # noqa: E402
from trail.web.server import allowed_hosts  # noqa: E402
from trail.web.state import UiState  # noqa: E402

BASE = "http://127.0.0.1:8765"
TOKEN = "test-token-123"


def client_for(root, read_only=False, token=True):
    repo = Repo.find(str(root))
    ui = UiState(repo.root, repo.dialect, TOKEN, read_only=read_only)
    ui.hosts = allowed_hosts("127.0.0.1", 8765)
    client = TestClient(create_app(ui), base_url=BASE, follow_redirects=False)
    if token:
        client.headers["Authorization"] = f"Bearer {TOKEN}"
    return client


def act(client, name, body, origin=BASE):
    headers = {"Origin": origin} if origin else {}
    return client.post(f"/api/actions/{name}", json=body, headers=headers)


@pytest.fixture(scope="module")
def api(demo_project):
    return client_for(demo_project)


@pytest.fixture
def own(project_copy, monkeypatch):
    """A client over a copy of the project that a test may change, run from its root (as
    `trail ui` runs: -S paths are read from there)."""
    monkeypatch.chdir(project_copy)
    return client_for(project_copy), project_copy


def eventually(check, timeout=5.0):
    """The page's view catches up within a poll or two (the version is looked at every 0.4 s)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not seen in time"
        time.sleep(0.1)


def cli_json(root, *args):
    cwd = os.getcwd()
    os.chdir(root)
    try:
        res = run_main(*args)
    finally:
        os.chdir(cwd)
    assert res.code == 0, res.err
    return json.loads(res.out)


# -- access ------------------------------------------------------------------------------


def test_every_request_needs_the_token(demo_project):
    anon = client_for(demo_project, token=False)
    for path in ("/experiments", "/api/experiments", "/static/app.js", "/api/version"):
        answer = anon.get(path)
        assert answer.status_code == 403, path
        assert "token" in answer.text
    assert anon.get("/api/version?token=wrong").status_code == 403
    assert anon.get(f"/api/version?token={TOKEN}").status_code == 200


def test_the_token_in_the_url_becomes_a_cookie_and_leaves_the_url(demo_project):
    anon = client_for(demo_project, token=False)
    first = anon.get(f"/experiments?token={TOKEN}&filter=acc")
    assert first.status_code == 303
    assert first.headers["location"] == "/experiments?filter=acc"
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"trail_ui_8765={TOKEN}")
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    page = anon.get("/experiments?filter=acc")  # the client keeps the cookie
    assert page.status_code == 200
    assert '<script src="/static/experiments.js"' in page.text


def test_an_unknown_host_header_is_refused(api):
    # a DNS-rebinding page reaches 127.0.0.1 under its own name
    assert api.get("/api/version", headers={"Host": "evil.example:8765"}).status_code == 403
    assert api.get("/api/version", headers={"Host": "localhost:8765"}).status_code == 200


def test_answers_carry_a_strict_content_security_policy(api):
    answer = api.get("/experiments")
    csp = answer.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_static_files_are_only_the_apps_own(api):
    assert api.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert api.get("/static/style.css").status_code == 200
    assert api.get("/static/page.py").status_code == 404
    assert api.get("/static/..%2Fpage.py").status_code == 404


def test_the_home_page_leads_to_the_experiments_and_every_page_is_served(api):
    assert api.get("/").headers["location"] == "/experiments"
    for path in ("/experiments", "/compare", "/plots", "/pipeline", "/data", "/runs"):
        page = api.get(path)
        assert page.status_code == 200, path
        assert 'id="main"' in page.text
        for other in ("/experiments", "/plots", "/pipeline", "/data", "/runs"):
            assert f'href="{other}"' in page.text


# -- experiments -------------------------------------------------------------------------


def test_api_experiments_is_exactly_exp_show_json(api, demo_project):
    assert api.get("/api/experiments").json() == cli_json(demo_project, "exp", "show", "--json")
    assert api.get("/api/experiments?all-commits=1&num=2").json() == cli_json(
        demo_project, "exp", "show", "-A", "-n", "2", "--json"
    )
    assert api.get("/api/experiments?precision=2").json() == cli_json(
        demo_project, "exp", "show", "--json", "--precision", "2"
    )


def test_the_table_has_every_baseline_and_experiment(api):
    table = api.get("/api/experiments/table").json()
    names = [r["name"] for r in table["rows"]]
    assert names[0] == "workspace" and "main" in names
    assert {"shrunk", "grown"} <= set(names)
    assert sum(r["kind"] == "baseline" for r in table["rows"]) == 2  # both have experiments
    assert "first-try" in names
    headers = [c["header"] for c in table["columns"]]
    acc = headers.index("accuracy")
    shrink = headers.index("train.shrink")
    shrunk = next(r for r in table["rows"] if r["name"] == "shrunk")
    assert shrunk["values"][shrink] == 0.8
    assert isinstance(shrunk["values"][acc], float)


def test_an_unknown_endpoint_and_a_bad_query_are_told(api):
    assert api.get("/api/nothing").status_code == 404
    bad = api.get("/api/experiments?num=x")
    assert bad.status_code == 400
    assert "num" in bad.json()["error"]["message"]
    unknown = api.get("/api/experiments?sort-by=accuracy")
    assert unknown.status_code == 400
    assert "sort-by" in unknown.json()["error"]["message"]


# -- pipeline ----------------------------------------------------------------------------


def test_pipeline_draws_a_node_per_stage_with_its_state(api):
    answer = api.get("/api/pipeline").json()
    for stage in ("prepare", "train", "evaluate", "raw.trail"):
        assert f'data-name="{stage}"' in answer["svg"]
        assert answer["nodes"][stage]["state"] == "up to date"
    assert answer["svg"].count('class="edge"') == len(answer["edges"]) == 4
    train = answer["nodes"]["train"]["details"]
    assert train["cmd"] == ["python3 src/train.py 1.0 5"]
    assert {d["path"] for d in train["deps"]} == {"src/train.py", "data"}
    assert all(d["hash"] for d in train["deps"])
    assert train["params"] == {"params.yaml": {"train.shrink": 1.0, "train.epochs": 5}}


def test_a_changed_stage_says_why_and_a_never_run_one_is_grey(own):
    client, root = own
    (root / "params.yaml").write_text((root / "params.yaml").read_text().replace("5", "7"))
    text = (root / "trail.yaml").read_text() + "  report:\n    cmd: echo hi > report.txt\n"
    (root / "trail.yaml").write_text(text + "    deps: [metrics.json]\n    outs: [report.txt]\n")
    nodes = client.get("/api/pipeline").json()["nodes"]
    assert nodes["train"]["state"] == "changed"
    assert {"changed deps": {"params.yaml": {"train.epochs": "modified"}}} in nodes["train"][
        "changes"
    ]
    assert nodes["report"]["state"] == "never run"
    assert nodes["prepare"]["state"] == "up to date"


def test_a_running_stage_is_seen_by_its_output_lock(own):
    import fcntl

    from trail.pipeline.scheduler import output_lock_path

    client, root = own
    repo = Repo.find(str(root))
    os.makedirs(os.path.dirname(output_lock_path(repo.private_dir, "model.json")), exist_ok=True)
    code = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)\n"
    )
    holder = subprocess.Popen(
        ["python3", "-c", code, output_lock_path(repo.private_dir, "model.json")],
        stdout=subprocess.PIPE,
        text=True,
    )
    repo.close()

    def train_state():
        return client.get("/api/pipeline").json()["nodes"]["train"]["state"]

    try:
        assert holder.stdout.readline().strip() == "locked"
        eventually(lambda: train_state() == "running")
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    eventually(lambda: train_state() == "up to date")
    fd = os.open(output_lock_path(repo.private_dir, "model.json"), os.O_RDWR)
    try:  # the probes left no lock behind: repro can take it at once
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)


def test_a_broken_pipeline_file_names_its_line_and_other_pages_keep_working(own):
    client, root = own
    text = (root / "trail.yaml").read_text().replace("    outs: [model.json]", "    outz: [x]")
    (root / "trail.yaml").write_text(text)
    answer = client.get("/api/pipeline")
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["file"] == "trail.yaml" and error["line"] == 11
    assert "outz" in error["message"]
    assert client.get("/api/experiments/table").status_code == 200
    assert client.get("/api/runs").status_code == 200
    rows = client.get("/api/experiments/table").json()["rows"]
    assert any("trail.yaml:11" in msg for msg in rows[0]["errors"].values())


def test_a_broken_params_file_is_named_with_its_line(own):
    client, root = own
    (root / "params.yaml").write_text("prepare:\n  seed: [1\ntrain: {}\n")
    rows = client.get("/api/experiments/table").json()["rows"]
    assert any("params.yaml:3: invalid YAML" in msg for msg in rows[0]["errors"].values())
    answer = client.get("/api/pipeline")
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert (error["file"], error["line"]) == ("params.yaml", 3)


# -- plots and compare -------------------------------------------------------------------


def test_plots_draw_every_plot_for_the_chosen_revisions(api):
    answer = api.get("/api/plots?rev=main&rev=shrunk&rev=workspace").json()
    assert answer["revs"] == ["workspace", "main", "shrunk"]  # in DVC's order
    ids = [p["id"] for p in answer["plots"]]
    assert ids == ["confusion.csv", "train_log.csv"]
    log = next(p for p in answer["plots"] if p["id"] == "train_log.csv")
    revs = {row["rev"] for row in log["spec"]["data"]["values"]}
    assert revs == {"main", "shrunk", "workspace"}
    default = api.get("/api/plots").json()
    assert default["revs"] == ["workspace", "HEAD"]


def test_an_unknown_revision_is_an_error_not_a_crash(api):
    answer = api.get("/api/plots?rev=no-such-thing")
    assert answer.status_code == 409
    assert "no-such-thing" in answer.json()["error"]["message"]


def test_compare_puts_rows_side_by_side_with_their_plots(api):
    answer = api.get("/api/compare?exp=shrunk&exp=grown&exp=main").json()
    assert [r["name"] for r in answer["table"]["rows"]] == ["shrunk", "grown", "main"]
    assert answer["plots"]["revs"] == ["shrunk", "grown", "main"]
    missing = api.get("/api/compare?exp=nope")
    assert missing.status_code == 400
    assert "nope" in missing.json()["error"]["message"]


# -- data --------------------------------------------------------------------------------


def test_data_outputs_history_listing_and_diff(api):
    outs = {o["path"]: o for o in api.get("/api/data/outputs").json()["outputs"]}
    assert outs["raw"]["nfiles"] == 3 and outs["raw"]["source"] == "raw.trail"
    assert outs["model.json"]["source"] == "trail.yaml:train"
    assert outs["raw"]["size"] > 0
    history = api.get("/api/data/history?path=raw").json()["versions"]
    assert [v["subject"] for v in history] == ["data v2", "data v1, first run"]
    assert history[0]["hash"] != history[1]["hash"]
    listing = api.get("/api/data/list?path=raw").json()["entries"]
    assert [(e["path"], e["isdir"]) for e in listing] == [
        ("raw/images", True),
        ("raw/iris.csv", False),
        ("raw/meta.json", False),
    ]
    old = api.get(f"/api/data/list?path=raw&rev={history[1]['commit']}").json()["entries"]
    assert next(e for e in old if e["path"] == "raw/iris.csv")["size"] < listing[1]["size"]
    diff = api.get("/api/data/diff?a=HEAD~1&b=HEAD").json()
    assert {m["path"] for m in diff["modified"]} >= {"raw/", "raw/iris.csv"}


def test_previews_and_downloads(api, demo_project):
    csv = api.get("/api/data/preview?path=raw/iris.csv").json()
    assert csv["kind"] == "table" and csv["header"] == [["x", "y", "label"]]
    assert len(csv["rows"]) == 50
    meta = api.get("/api/data/preview?path=raw/meta.json").json()
    assert meta["kind"] == "json" and '"source": "synthetic"' in meta["text"]
    image = api.get("/api/data/preview?path=raw/images/sample.png").json()
    assert image["kind"] == "image"
    png = api.get("/api/data/file?path=raw/images/sample.png")
    assert png.headers["content-type"] == "image/png"
    assert png.content == (demo_project / "raw/images/sample.png").read_bytes()
    down = api.get("/api/data/file?path=raw/iris.csv&download=1")
    assert down.headers["content-disposition"] == "attachment; filename*=UTF-8''iris.csv"
    assert down.content == (demo_project / "raw/iris.csv").read_bytes()
    first = api.get("/api/data/list?path=raw&rev=HEAD~1").json()["entries"]
    older = api.get("/api/data/file?path=raw/iris.csv&rev=HEAD~1")
    assert len(older.content) == next(e for e in first if e["path"] == "raw/iris.csv")["size"]


@pytest.mark.parametrize(
    "path",
    ["../outside", "/etc/passwd", "raw/../../etc/passwd", "src/train.py", "params.yaml", "nothing"],
)
def test_paths_outside_tracked_outputs_are_refused(api, path):
    for endpoint in ("data/list", "data/preview", "data/file", "data/history"):
        answer = api.get(f"/api/{endpoint}", params={"path": path})
        assert answer.status_code == 403, (endpoint, path, answer.text)


def test_a_symlink_out_of_the_repository_is_refused(own, tmp_path):
    client, root = own
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    os.symlink(secret, root / "raw" / "leak.txt")
    answer = client.get("/api/data/file", params={"path": "raw/leak.txt"})
    assert answer.status_code == 403
    assert "secret" not in answer.text


# -- runs and actions --------------------------------------------------------------------


def test_stage_logs(api):
    runs = api.get("/api/runs").json()
    assert {s["stage"] for s in runs["stages"]} == {"prepare", "train", "evaluate"}
    log = api.get("/api/runs/stage-log?stage=train").json()
    assert "trained 3 centroids" in log["stdout"] and log["returncode"] == 0
    assert api.get("/api/runs/stage-log?stage=train&n=99").status_code == 400


def test_actions_need_the_same_origin_json_and_a_writable_server(own, demo_project):
    client, _root = own
    assert act(client, "queue", {}, origin="http://evil.example").status_code == 403
    assert act(client, "queue", {}, origin=None).status_code == 403
    plain = client.post(
        "/api/actions/queue", content=b"{}", headers={"Origin": BASE, "Content-Type": "text/plain"}
    )
    assert plain.status_code == 403
    reader = client_for(demo_project, read_only=True)
    refused = act(reader, "queue", {"set": ["train.shrink=0.5"]})
    assert refused.status_code == 403
    assert "read-only" in refused.json()["error"]["message"]
    assert reader.get("/api/version").json()["read_only"] is True
    assert client.get("/api/runs").json()["entries"] == []  # nothing was queued


def test_queue_an_experiment_with_edited_params(own):
    client, _root = own
    done = act(client, "queue", {"name": "half", "set": ["train.shrink=0.5"]})
    assert done.status_code == 200, done.text
    assert done.json()["queued"][0]["name"] == "half"
    entries = client.get("/api/runs").json()["entries"]
    assert [(e["name"], e["status"], e["set"]) for e in entries] == [
        ("half", "queued", ["train.shrink=0.5"])
    ]
    rows = client.get("/api/experiments/table").json()["rows"]
    assert ("half", "queued") in [(r["name"], r["status"]) for r in rows]
    bad = act(client, "queue", {"set": ["no-equals-sign"]})
    assert bad.status_code in (400, 409)
    assert bad.json()["error"]["message"]


def test_apply_asks_before_replacing_changes(own):
    client, root = own
    (root / "params.yaml").write_text((root / "params.yaml").read_text() + "# my edit\n")
    dirty = act(client, "apply", {"name": "shrunk"})
    assert dirty.status_code == 409
    assert dirty.json()["error"]["type"] == "DirtyWorkspaceError"
    done = act(client, "apply", {"name": "shrunk", "force": True})
    assert done.status_code == 200, done.text
    assert "shrink: 0.8" in (root / "params.yaml").read_text()
    assert done.json()["backup"]


def test_worker_start_and_kill_are_told_when_there_is_nothing_to_do(own):
    client, _root = own
    assert act(client, "worker/start", {"jobs": 1}).json() == {"pid": None, "started": False}
    assert act(client, "worker/stop", {}).status_code == 409
    assert act(client, "kill", {"id": "nope"}).status_code == 400
    assert act(client, "worker/start", {"jobs": "x"}).status_code == 400


def test_the_version_moves_when_the_repository_changes(own):
    client, root = own
    before = client.get("/api/version").json()["version"]
    time.sleep(0.5)
    assert client.get("/api/version").json()["version"] == before  # nothing changed
    (root / "metrics.json").write_text('{"accuracy": 0.1}')
    eventually(lambda: client.get("/api/version").json()["version"] != before)
    rows = client.get("/api/experiments/table").json()
    acc = [c["header"] for c in rows["columns"]].index("accuracy")
    assert rows["rows"][0]["values"][acc] == 0.1


# -- the command ---------------------------------------------------------------------------


def test_a_busy_port_is_a_clear_error(demo_project, trail, monkeypatch):
    from trail.web.server import bind

    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    monkeypatch.chdir(demo_project)
    try:
        res = trail("ui", "--no-browser", "--port", str(port))
    finally:
        sock.close()
    assert res.code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in res.err


def test_listening_beyond_loopback_warns(demo_project):
    from trail.web.server import exposure_warning

    assert exposure_warning("127.0.0.1", read_only=False) is None
    warning = exposure_warning("0.0.0.0", read_only=False)
    assert "anyone on the network" in warning and "queue" in warning
    assert allowed_hosts("0.0.0.0", 80) is None


def test_a_dvc_repository_is_served_too(tmp_path):
    from trail.testing.webui import build_project

    root = build_project(tmp_path / "dvcproj", dvc=True)
    client = client_for(root)
    nodes = client.get("/api/pipeline").json()["nodes"]
    assert set(nodes) == {"prepare", "train", "evaluate", "raw.dvc"}
    assert client.get("/api/experiments").json() == cli_json(root, "exp", "show", "--json")
    outs = {o["path"] for o in client.get("/api/data/outputs").json()["outputs"]}
    assert outs == {"data", "model.json", "raw"}
    assert client.get("/api/plots").json()["plots"]


def test_kill_a_run_then_stop_the_worker(own):
    """Two slow runs, one at a time: killing the first lets the worker take the second;
    stopping the worker kills that one too and the worker is gone."""
    client, root = own
    train = root / "src" / "train.py"
    train.write_text("import time\nprint('training slowly', flush=True)\ntime.sleep(300)\n")
    for name in ("slow-1", "slow-2"):
        assert act(client, "queue", {"name": name, "set": []}).status_code == 200

    def status(name):
        entries = client.get("/api/runs").json()["entries"]
        return next(e for e in entries if e["name"] == name)["status"]

    started = act(client, "worker/start", {"jobs": 1}).json()
    assert started["started"] and started["pid"] > 0
    try:
        eventually(lambda: status("slow-1") == "running", timeout=60)
        entry = next(e for e in client.get("/api/runs").json()["entries"] if e["name"] == "slow-1")
        eventually(lambda: "training slowly" in log_of(client, entry["id"]), timeout=60)
        assert act(client, "kill", {"id": "slow-1"}).json() == {"killed": ["slow-1"]}
        assert status("slow-1") == "killed"
        eventually(lambda: status("slow-2") == "running", timeout=60)
        assert act(client, "worker/stop", {}).json() == {"killed": ["slow-2"]}
        assert status("slow-2") == "killed"
        assert client.get("/api/runs").json()["worker"] is None
    finally:
        if client.get("/api/runs").json()["worker"] is not None:
            act(client, "worker/stop", {})


def log_of(client, entry_id):
    answer = client.get("/api/runs/queue-log", params={"id": entry_id, "offset": 0}).json()
    return answer["text"]


def test_a_running_stage_is_followed_live(own):
    """A `trail repro` in the workspace: the pipeline shows the stage running, the runs page
    lists it and its output arrives while it runs."""
    from trail.testing.plugin import trail_exe

    client, root = own
    with open(root / "trail.yaml", "a") as f:
        f.write(
            "  slow:\n"
            "    cmd: python3 -c \"print('halfway', flush=True); import time; time.sleep(60)\"\n"
            "    outs: [slow.txt]\n"
        )
    repro = subprocess.Popen(
        [trail_exe(), "repro", "slow"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:

        def live_text():
            return client.get("/api/runs/stage-live", params={"stage": "slow"}).json()["text"]

        eventually(lambda: "halfway" in live_text(), timeout=60)
        stages = {s["stage"]: s for s in client.get("/api/runs").json()["stages"]}
        assert stages["slow"]["running"] is True and stages["slow"]["runs"] == []
        state = client.get("/api/pipeline").json()["nodes"]["slow"]["state"]
        assert state == "running"
    finally:
        os.killpg(repro.pid, signal.SIGINT)
        repro.wait(30)
    done = client.get("/api/runs/stage-live", params={"stage": "slow"}).json()
    assert done["done"] is True


def test_a_repository_without_git_or_commits_gets_answers_not_crashes(tmp_dir, trail):
    assert trail("init", "--no-scm").code == 0
    client = client_for(tmp_dir)
    for page in ("/experiments", "/pipeline", "/plots", "/data", "/runs"):
        assert client.get(page).status_code == 200
    refused = client.get("/api/experiments/table")
    assert refused.status_code == 409
    assert "experiments need Git" in refused.json()["error"]["message"]
    assert client.get("/api/plots").json()["revs"] == ["workspace"]
    assert client.get("/api/pipeline").json()["nodes"] == {}
    assert client.get("/api/data/outputs").json()["outputs"] == []
