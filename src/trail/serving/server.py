"""The HTTP side of ``trail serve``: ``http.server``'s threading server, keep-alive, one write
per response, Nagle off — so a request costs well under a millisecond on top of ``predict``.

``POST /predict`` takes a JSON list of records and answers a JSON list of predictions; a JSON
object ``{"records": [...]}`` (or ``"instances"``, ``"inputs"``) is answered with
``{"predictions": [...]}``. ``GET /health`` and ``GET /version`` say the server is up and which
model it serves. Errors are one line of JSON, ``{"error": "..."}``: 400 for a body that is not
what ``/predict`` takes, 500 when ``predict`` raises (the server goes on serving).

The model lives in a ``Slot``: each request reads it once, so a swap (``--follow``) takes
effect for the next request while requests in flight finish on the model they started with.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from trail.serving.loader import Loaded

MAX_BODY = 256 << 20  # a request body larger than this is refused (413)
_WRAPPED = ("records", "instances", "inputs")


class Slot:
    """The model being served; replaced whole, never changed in place."""

    def __init__(self, loaded: Loaded) -> None:
        self._loaded = loaded
        self._lock = threading.Lock()

    @property
    def loaded(self) -> Loaded:
        return self._loaded

    def swap(self, loaded: Loaded) -> Loaded:
        """Serve ``loaded`` from the next request on; returns the one it replaces."""
        with self._lock:
            old, self._loaded = self._loaded, loaded
        return old


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status, self.message = status, message
        super().__init__(message)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _default(value: Any) -> Any:
    """numpy arrays and scalars (and anything else with ``tolist``/``item``) as plain JSON."""
    for method in ("tolist", "item"):
        if callable(getattr(value, method, None)):
            return getattr(value, method)()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client reuses its connection
    disable_nagle_algorithm = True  # small responses go out at once, no delayed-ACK stall
    server: ModelServer
    error_content_type = "application/json"
    error_message_format = '{"error": "%(message)s"}'

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.access_log:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self._send(200, {"status": "ok"})
        elif path == "/version":
            self._send(200, self.server.slot.loaded.info)
        elif path == "/predict":
            self._send(405, {"error": "use POST /predict with a JSON list of records"})
        else:
            self._send(404, {"error": f"no such endpoint: {path} (try /predict, /health)"})

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if path != "/predict":
            self._drain()
            self._send(404, {"error": f"no such endpoint: {path} (POST /predict)"})
            return
        loaded = self.server.slot.loaded  # one model for the whole request, swap or not
        try:
            records, wrapped = self._records()
        except BadRequest as exc:
            self._send(exc.status, {"error": exc.message})
            return
        try:
            predictions = loaded.model.predict(records)
            if not isinstance(predictions, list):
                predictions = _default(predictions)
            if not isinstance(predictions, list):
                raise TypeError(f"predict returned {type(predictions).__name__}, not a list")
            body = {"predictions": predictions} if wrapped else predictions
            data = json.dumps(body, default=_default).encode()
        except Exception as exc:  # the model failed this request, not the server
            self._send(500, {"error": _one_line(f"predict failed: {type(exc).__name__}: {exc}")})
            return
        self._write(200, data)

    def _records(self) -> tuple[list[Any], bool]:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self.close_connection = True
            raise BadRequest(411, "send the body with a Content-Length header")
        size = int(length)
        if size > MAX_BODY:
            self.close_connection = True
            raise BadRequest(413, f"request body of {size} bytes is over the {MAX_BODY} limit")
        raw = self.rfile.read(size)
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise BadRequest(400, _one_line(f"malformed JSON: {exc}")) from None
        if isinstance(body, list):
            return body, False
        if isinstance(body, dict):
            for key in _WRAPPED:
                if isinstance(body.get(key), list):
                    return body[key], True
        raise BadRequest(400, 'expected a JSON list of records, or {"records": [...]}')

    def _drain(self) -> None:
        length = self.headers.get("Content-Length")
        if length and length.isdigit() and int(length) <= MAX_BODY:
            self.rfile.read(int(length))
        else:
            self.close_connection = True

    def _send(self, status: int, body: Any) -> None:
        self._write(status, json.dumps(body).encode())

    def _write(self, status: int, data: bytes) -> None:
        head = (
            f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(data) + 1}\r\n"
            + ("Connection: close\r\n" if self.close_connection else "")
            + "\r\n"
        ).encode("latin-1")
        self.wfile.write(head + data + b"\n")  # one write: one packet for small answers
        self.log_request(status, len(data) + 1)


class ModelServer(ThreadingHTTPServer):
    """Serves the model in ``slot`` on ``host:port`` (port 0: any free one)."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, slot: Slot, *, access_log: bool = False) -> None:
        self.slot, self.access_log = slot, access_log
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is no error of the server's."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), int(self.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"
