"""Third-party storage errors, translated once into trail's (STYLE habit 7)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from trail.errors import RemoteAuthError, RemoteError, RemoteUnreachableError
from trail.fs.batch import RemoteThrottledError

_UNREACHABLE = frozenset(
    (
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ClientConnectorError",
        "ClientOSError",
        "ServerDisconnectedError",
        "ServerTimeoutError",
        "ConnectionLost",
        "DisconnectError",
        "ChannelOpenError",
        "gaierror",
        # a response cut short or garbled on the way: worth another try, as a dropped
        # connection is
        "IncompleteRead",
        "ResponseParserError",
        "ClientPayloadError",
        "HTTPClientError",
    )
)
_AUTH = frozenset(("PermissionDenied", "NoCredentialsError", "PartialCredentialsError"))


_THROTTLED = frozenset(
    ("SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests")
)


def _answers(exc: BaseException) -> Iterator[tuple[object, object]]:
    """(error code, HTTP status) of the error and of what caused it: s3fs turns botocore's
    error into an ``OSError`` caused by it; aiohttp's carries a ``status``."""
    seen: BaseException | None = exc
    for _ in range(3):
        if seen is None:
            return
        response = getattr(seen, "response", None)
        if isinstance(response, dict):
            error, meta = response.get("Error", {}), response.get("ResponseMetadata", {})
            yield error.get("Code"), meta.get("HTTPStatusCode")
        yield None, getattr(seen, "status", None)
        seen = seen.__cause__ or seen.__context__


def throttled(exc: BaseException) -> bool:
    """Whether the remote asked to slow down: S3's 503 SlowDown, an HTTP 429 or 503."""
    return any(code in _THROTTLED or status in (429, 503) for code, status in _answers(exc))


def unsatisfiable(exc: BaseException) -> bool:
    """Whether a byte range was refused as past the end (HTTP 416): from 0, an empty file."""
    return any(code == "InvalidRange" or status == 416 for code, status in _answers(exc))


def translate(url: str, exc: BaseException) -> BaseException:
    """The ``RemoteError`` a third-party exception means (``FileNotFoundError`` passes)."""
    if isinstance(exc, RemoteError | FileNotFoundError):
        return exc
    names = {t.__name__ for t in type(exc).__mro__}
    detail = " ".join(str(exc).split())[:200]
    if throttled(exc):
        return RemoteThrottledError(url, detail)
    status = getattr(exc, "status", None) or getattr(exc, "code", None)
    if isinstance(exc, PermissionError) or names & _AUTH or status in (401, 403):
        return RemoteAuthError(url, detail)
    if isinstance(exc, ConnectionError | TimeoutError) or names & _UNREACHABLE:
        return RemoteUnreachableError(url, detail)
    return RemoteError(f"remote {url}: {detail or type(exc).__name__}")


@contextlib.contextmanager
def translated(url: str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        new = translate(url, exc)
        if new is exc:
            raise
        raise new from exc
