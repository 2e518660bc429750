"""``trail serve`` through real HTTP on loopback: a real ``trail`` process per test, a free
port, stopped by its pid at the end."""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import json
import re
import select
import subprocess
import threading
import time

import pytest
from registry_helpers import copy_project, model_template_fixture, new_version, tick  # noqa: F401

from trail.testing.plugin import trail_exe

RECORDS = [{"x": 2.0, "y": 1.0}, {"x": 6.0, "y": 3.0}, {"x": 3.9, "y": 2.0}, {"x": 4.2, "y": 2.1}]


@pytest.fixture
def project(tmp_dir, model_template):
    return copy_project(model_template, tmp_dir)


class Server:
    def __init__(self, args, cwd):
        self.proc = subprocess.Popen(
            [trail_exe(), "serve", *args, "--port", "0"],
            cwd=cwd,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.port = 0
        self.lines: list[str] = []

    def start(self) -> Server:
        line = self.readline(60)
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert found, f"trail serve did not start: {line}{self.rest()}"
        self.port = int(found.group(1))
        return self

    def readline(self, timeout: float) -> str:
        assert self.proc.stderr is not None
        ready, _, _ = select.select([self.proc.stderr], [], [], timeout)
        line = self.proc.stderr.readline() if ready else ""
        self.lines.append(line)
        return line

    def rest(self) -> str:
        assert self.proc.stderr is not None
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.stderr.read()

    def stop(self) -> None:
        """End the server (by its pid) and close what this process holds of it."""
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=30)
        if self.proc.stderr is not None:
            self.proc.stderr.close()

    def request(self, method, path, body=None, conn=None):
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        conn.request(method, path, data, {"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        if own:
            conn.close()
        return response.status, payload


@contextlib.contextmanager
def serving(args, cwd):
    server = Server(args, cwd)
    try:
        yield server.start()
    finally:
        server.stop()


def direct(project, model_path):
    """What the project's loader predicts, called directly in this process."""
    spec = importlib.util.spec_from_file_location("direct_serve", project / "src" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load(str(model_path)).predict(RECORDS)


def test_predictions_equal_the_loader_called_directly(project, trail):
    expected = direct(project, project / "model.json")
    with serving(["clf"], project) as server:
        status, body = server.request("POST", "/predict", RECORDS)
        assert status == 200 and json.loads(body) == expected
        status, body = server.request("POST", "/predict", {"records": RECORDS})
        assert status == 200 and json.loads(body) == {"predictions": expected}
        status, body = server.request("GET", "/health")
        assert status == 200 and json.loads(body) == {"status": "ok"}
        status, body = server.request("GET", "/version")
        commit = project.git("rev-parse", "HEAD").strip()
        assert json.loads(body) == {
            "name": "clf",
            "version": "v0.0.1",
            "stage": None,
            "commit": commit,
        }
        status, body = server.request("GET", "/nothing")
        assert status == 404


def test_bad_requests_get_one_line_errors_and_the_server_goes_on(project):
    with serving(["clf@v0.0.1"], project) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        status, body = server.request("POST", "/predict", b'[{"x": 1', conn)
        assert status == 400
        assert body.count(b"\n") == 1 and b"malformed JSON" in body
        assert json.loads(body)["error"].startswith("malformed JSON")
        status, body = server.request("POST", "/predict", {"x": 1}, conn)
        assert status == 400 and b"expected a JSON list of records" in body
        status, body = server.request("POST", "/predict", [{"boom": 1}], conn)
        assert status == 500 and body.count(b"\n") == 1
        assert json.loads(body) == {"error": "predict failed: ValueError: boom asked for"}
        status, body = server.request("POST", "/predict", [{"x": 1}], conn)  # KeyError: 'y'
        assert status == 500
        status, body = server.request("POST", "/predict", RECORDS, conn)  # same connection
        assert status == 200 and len(json.loads(body)) == len(RECORDS)
        conn.close()


def test_a_loader_that_raises_stops_serve_with_one_line(project, trail, monkeypatch):
    (project / "src" / "serve.py").write_text("def load(path):\n    raise OSError('no GPU')\n")
    tick(monkeypatch)
    project.git("commit", "-q", "-am", "broken loader")
    tick(monkeypatch)
    assert trail("artifacts", "register", "clf").code == 0
    proc = subprocess.run(
        [trail_exe(), "serve", "clf", "--port", "0"], cwd=project, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "ERROR: loading the model with serve.py:load failed: OSError: no GPU"
    )
    res = trail("serve", "clf@v0.0.1", "--port", "0", "--follow")
    assert res.code == 2 and "--follow needs NAME#STAGE or NAME" in res.err


def test_follow_swaps_versions_without_losing_a_request(project, trail, monkeypatch):
    first = direct(project, project / "model.json")
    new_version(project, trail, monkeypatch, 0.2)
    second = direct(project, project / "model.json")
    assert first != second
    tick(monkeypatch)
    assert trail("artifacts", "assign", "clf", "--version", "v0.0.1", "--stage", "prod").code == 0
    answers: list[tuple[int, object]] = []
    failures: list[str] = []
    stop = threading.Event()

    def client(server: Server, keep_alive: bool) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        while not stop.is_set():
            try:
                status, body = server.request(
                    "POST", "/predict", RECORDS, conn if keep_alive else None
                )
                answers.append((status, json.loads(body)))
            except Exception as exc:  # a lost request
                failures.append(repr(exc))
        conn.close()

    with serving(["clf#prod", "--follow", "--interval", "0.1"], project) as server:
        threads = [threading.Thread(target=client, args=(server, i % 2 == 0)) for i in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        tick(monkeypatch)
        assert (
            trail("artifacts", "assign", "clf", "--version", "v0.1.0", "--stage", "prod").code == 0
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            info = json.loads(server.request("GET", "/version")[1])
            if info["version"] == "v0.1.0":
                break
            time.sleep(0.05)
        time.sleep(0.5)  # requests go on after the swap too
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert info == {
            "name": "clf",
            "version": "v0.1.0",
            "stage": "prod",
            "commit": project.git("rev-parse", "HEAD").strip(),
        }
        assert "now serving clf v0.1.0 (prod)" in server.readline(10)
    assert failures == []
    assert answers and all(status == 200 for status, _ in answers)
    bodies = [body for _, body in answers]
    assert set(map(json.dumps, bodies)) == {json.dumps(first), json.dumps(second)}
    swap = bodies.index(second)
    assert all(b == second for b in bodies[swap + 50 :])  # once swapped, it stays swapped


def test_serve_a_bundle_outside_the_repository(project, trail, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert trail("bundle", "clf", "-o", str(out / "b")).code == 0
    assert trail("bundle", "clf", "-o", str(out / "b.tar.gz")).code == 0
    expected = direct(project, project / "model.json")
    for target in ("b", "b.tar.gz"):
        with serving([str(out / target)], out) as server:
            status, body = server.request("POST", "/predict", RECORDS)
            assert status == 200 and json.loads(body) == expected
            assert json.loads(server.request("GET", "/version")[1])["version"] == "v0.0.1"
    (out / "b" / "files" / "src" / "serve.py").write_text("def load(p):\n    return None\n")
    proc = subprocess.run(
        [trail_exe(), "serve", str(out / "b"), "--port", "0"], capture_output=True, text=True
    )
    assert proc.returncode == 1 and "files/src/serve.py: changed" in proc.stderr
