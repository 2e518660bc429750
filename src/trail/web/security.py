"""Who may use the app: the token from the printed URL (kept in a cookie after the first
visit), a Host header naming this server (no DNS rebinding), and for actions the page's own
origin (no cross-site requests) and a server not started with ``--read-only``."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.requests import Request

from trail.web.state import UiState

COOKIE = "trail_ui_{port}"  # per port: cookies are shared between the ports of one host

CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)  # Vega compiles its expressions with Function(): 'unsafe-eval', and only that


def cookie_name(request: Request) -> str:
    return COOKIE.format(port=request.url.port or 80)


def token_in_query(request: Request, ui: UiState) -> bool:
    return _same(request.query_params.get("token"), ui.token)


def has_token(request: Request, ui: UiState) -> bool:
    """The token came as ``?token=``, in the cookie, or as ``Authorization: Bearer`` (scripts)."""
    if token_in_query(request, ui) or _same(request.cookies.get(cookie_name(request)), ui.token):
        return True
    auth = request.headers.get("authorization", "")
    return auth.startswith("Bearer ") and _same(auth[7:], ui.token)


def host_allowed(request: Request, ui: UiState) -> bool:
    return ui.hosts is None or request.headers.get("host", "").lower() in ui.hosts


def same_origin(request: Request, ui: UiState) -> bool:
    """The request comes from one of this server's pages: its Origin (or, without one, its
    Referer) is this server."""
    here = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() == here
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == here
    return False


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())
