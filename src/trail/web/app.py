"""The Starlette app: one shell page per registered ``Page``, their JSON endpoints under
``/api/``, actions under ``/api/actions/``, the static files, and the guard in front of all."""

from __future__ import annotations

import html
import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from trail.web import security
from trail.web.answers import error_body, error_status, to_json
from trail.web.page import Api, Blob, Call, Page, discover
from trail.web.state import UiState

STATIC = os.path.join(os.path.dirname(__file__), "static")
MAX_BODY = 1 << 20
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def create_app(ui: UiState, pages: list[Page] | None = None) -> Guard:
    """The app for ``ui``'s repository with ``pages`` (default: every registered page)."""
    pages = discover() if pages is None else pages
    endpoints: dict[str, Api] = {}
    actions: dict[str, Callable[[Call], Any]] = {}
    for page in pages:
        for name, endpoint in page.endpoints().items():
            _claim(endpoints, name, endpoint, page)
        for name, handler in page.actions.items():
            _claim(actions, name, handler, page)
    if len({p.path for p in pages}) != len(pages):
        raise ValueError(f"two pages share a path: {sorted(p.path for p in pages)}")
    routes = [Route("/", _home(pages)), Route("/api/version", _version(ui))]
    routes += [Route(p.path, _shell(ui, p, pages)) for p in pages]
    routes += [
        Route("/api/actions/{name:path}", _action(ui, actions), methods=["POST"]),
        Route("/api/{name:path}", _api(ui, endpoints)),
        Route("/static/vega.js", _vega(ui)),
        Route("/static/{name}", _static),
    ]
    return Guard(Starlette(routes=routes), ui, endpoints)


def _claim(found: dict[str, Any], name: str, value: Any, page: Page) -> None:
    """Pages come from several hands: one taking another's endpoint is a mistake to see."""
    if name in found:
        raise ValueError(f"page {page.path} defines '{name}', which another page has")
    found[name] = value


WARM = ("experiments/table",)  # computed at start-up: the first page shown needs it


class Guard:
    """Refuses requests without the token or to an unknown Host, trades a ``?token=`` on a
    page for a cookie (and a URL without it), and adds the security headers to every answer."""

    def __init__(self, app: Starlette, ui: UiState, endpoints: dict[str, Api]) -> None:
        self.app, self.ui, self.endpoints = app, ui, endpoints

    def warm(self) -> None:
        """Compute the answers the first page needs, before a browser asks (a thread)."""
        for name in WARM:
            if name in self.endpoints:
                _answer(self.ui, name, self.endpoints[name], {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        answer = self._refusal(request)
        if answer is None and self._arriving(request):
            answer = self._welcome(request)
        if answer is not None:
            await answer(scope, receive, _with_headers(send))
            return
        await self.app(scope, receive, _with_headers(send))

    def _arriving(self, request: Request) -> bool:
        """A page opened from the printed address (API calls may carry the token each time)."""
        page = request.method == "GET" and not request.url.path.startswith("/api/")
        return page and security.token_in_query(request, self.ui)

    def _refusal(self, request: Request) -> Response | None:
        if not security.host_allowed(request, self.ui):
            return Response("trail ui: unknown Host header\n", 403, media_type="text/plain")
        if not security.has_token(request, self.ui):
            return Response(
                "trail ui: open the address `trail ui` printed (it holds the access token)\n",
                403,
                media_type="text/plain",
            )
        return None

    def _welcome(self, request: Request) -> Response:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        target = request.url.path + ("?" + _encode(query) if query else "")
        answer = RedirectResponse(target, 303)
        answer.set_cookie(
            security.cookie_name(request), self.ui.token, httponly=True, samesite="strict"
        )
        return answer


def _encode(query: list[tuple[str, str]]) -> str:
    from urllib.parse import urlencode

    return urlencode(query)


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            headers += [
                (b"content-security-policy", security.CSP.encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"same-origin"),
                (b"x-frame-options", b"DENY"),
            ]
            message["headers"] = headers
        await send(message)

    return wrapped


# -- pages ---------------------------------------------------------------------------------


def _home(pages: list[Page]) -> Callable[[Request], Awaitable[Response]]:
    first = next((p.path for p in pages if p.nav), "/experiments")

    async def home(request: Request) -> Response:
        return RedirectResponse(first, 303)

    return home


def _shell(ui: UiState, page: Page, pages: list[Page]) -> Callable[[Request], Awaitable[Response]]:
    links = "".join(
        f'<a href="{p.path}"{" aria-current=page" if p is page else ""}>{html.escape(p.title)}</a>'
        for p in pages
        if p.nav
    )
    scripts = ['<script src="/static/vega.js" defer></script>'] if page.charts else []
    scripts += [
        '<script src="/static/app.js" defer></script>',
        f'<script src="/static/{html.escape(page.script)}" defer></script>',
    ]
    body = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(page.title)} · trail</title>"
        '<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/style.css">'
        + "".join(scripts)
        + f'</head><body data-page="{html.escape(page.path)}" '
        f'data-read-only="{int(ui.read_only)}">'
        f'<header><a class="brand" href="/">trail</a><nav>{links}</nav>'
        f'<span id="live" title="updates live"></span>'
        f'<span class="repo">{html.escape(os.path.basename(ui.root))}</span></header>'
        '<div id="errors" role="alert" hidden></div><main id="main"></main></body></html>\n'
    )

    async def shell(request: Request) -> Response:
        return Response(body, media_type="text/html", headers={"cache-control": "no-store"})

    return shell


async def _static(request: Request) -> Response:
    name = request.path_params["name"]
    types = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    kind = types.get(os.path.splitext(name)[1])
    if kind is None or name not in _static_names():
        return Response("not found\n", 404, media_type="text/plain")
    with open(os.path.join(STATIC, name), "rb") as f:
        data = f.read()
    return Response(data, media_type=kind, headers={"cache-control": "no-cache"})


def _static_names() -> set[str]:
    return set(os.listdir(STATIC))


def _vega(ui: UiState) -> Callable[[Request], Awaitable[Response]]:
    async def vega(request: Request) -> Response:
        bundle = ui.extras.get("vega")
        if bundle is None:
            try:
                bundle = await run_in_threadpool(_load_bundle, ui)
            except Exception as exc:  # the plots extra missing: say so on the page
                message = json.dumps(str(exc))
                return Response(
                    f"console.warn({message}); window.vegaMissing = {message};",
                    media_type="text/javascript",
                )
            ui.extras["vega"] = bundle
        return Response(bundle, media_type="text/javascript", headers={"cache-control": "no-cache"})

    return vega


def _load_bundle(ui: UiState) -> bytes:
    from trail.results.html import javascript_bundle

    cache = os.path.join(ui.root, ui.dialect.private_dir, "plots")
    return javascript_bundle(cache).encode()


# -- the API -------------------------------------------------------------------------------


def _version(ui: UiState) -> Callable[[Request], Awaitable[Response]]:
    async def version(request: Request) -> Response:
        number = await run_in_threadpool(ui.watcher.version)
        return _json({"version": number, "read_only": ui.read_only})

    return version


def _api(ui: UiState, endpoints: dict[str, Api]) -> Callable[[Request], Awaitable[Response]]:
    async def api(request: Request) -> Response:
        name = request.path_params["name"]
        endpoint = endpoints.get(name)
        if endpoint is None:
            return _json({"error": {"message": f"no such endpoint: /api/{name}"}}, 404)
        query = _query(request)
        return await run_in_threadpool(_answer, ui, name, endpoint, query)

    return api


def _query(request: Request) -> dict[str, list[str]]:
    return {k: request.query_params.getlist(k) for k in request.query_params if k != "token"}


def _answer(ui: UiState, name: str, endpoint: Api, query: dict[str, list[str]]) -> Response:
    def compute() -> Any:
        return _run(ui, endpoint.handler, query, {})

    try:
        if endpoint.cached:
            key = (name, tuple(sorted((k, tuple(v)) for k, v in query.items())))
            value = ui.answers.get(key, ui.watcher.version(), lambda: _encoded(compute()))
        else:
            value = compute()
    except Exception as exc:
        return _failure(ui, exc)
    return _response(value)


def _encoded(value: Any) -> Any:
    return value if isinstance(value, bytes | Blob | Response) else to_json(value)


def _run(
    ui: UiState, handler: Callable[[Call], Any], query: dict[str, list[str]], body: Any
) -> Any:
    repo = ui.open_repo()
    try:
        return handler(Call(repo, query, body, ui))
    finally:
        repo.close()


def _response(value: Any) -> Response:
    if isinstance(value, Response):
        return value
    if isinstance(value, bytes):
        return Response(value, media_type="application/json")
    if isinstance(value, Blob):
        return _blob(value)
    return Response(to_json(value), media_type="application/json")


def _blob(blob: Blob) -> Response:
    headers = {"cache-control": "no-store"}
    if blob.filename is not None:
        from urllib.parse import quote

        headers["content-disposition"] = f"attachment; filename*=UTF-8''{quote(blob.filename)}"
    if blob.size is not None:
        headers["content-length"] = str(blob.size)
    if blob.stream is None:
        return Response(blob.data, media_type=blob.media_type, headers=headers)
    stream = blob.stream

    def chunks() -> Any:
        with stream:
            while chunk := stream.read(1 << 20):
                yield chunk

    return StreamingResponse(chunks(), media_type=blob.media_type, headers=headers)


def _failure(ui: UiState, exc: Exception) -> Response:
    from trail.errors import TrailError

    if not isinstance(exc, TrailError) or ui.verbose:
        import traceback

        traceback.print_exception(exc)
    return _json(error_body(exc), error_status(exc) if isinstance(exc, TrailError) else 500)


def _json(value: Any, status: int = 200) -> Response:
    return Response(to_json(value), status, media_type="application/json")


def _action(
    ui: UiState, actions: dict[str, Callable[[Call], Any]]
) -> Callable[[Request], Awaitable[Response]]:
    async def action(request: Request) -> Response:
        name = request.path_params["name"]
        handler = actions.get(name)
        if handler is None:
            return _json({"error": {"message": f"no such action: {name}"}}, 404)
        refusal = _action_refusal(request, ui)
        if refusal is not None:
            return _json({"error": {"message": refusal}}, 403)
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return _json({"error": {"message": "request too large"}}, 413)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return _json({"error": {"message": "the request body is not JSON"}}, 400)
        if not isinstance(body, dict):
            return _json({"error": {"message": "the request body must be a JSON object"}}, 400)
        return await run_in_threadpool(_act, ui, handler, _query(request), body)

    return action


def _action_refusal(request: Request, ui: UiState) -> str | None:
    if ui.read_only:
        return "this server is read-only (started with --read-only)"
    if not security.same_origin(request, ui):
        return "refused: the request does not come from this server's pages"
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return "refused: actions take a JSON body (Content-Type: application/json)"
    return None


def _act(
    ui: UiState, handler: Callable[[Call], Any], query: dict[str, list[str]], body: Any
) -> Response:
    try:
        value = _run(ui, handler, query, body)
    except Exception as exc:
        return _failure(ui, exc)
    finally:
        ui.watcher.bump()
    return _response(value)
