"""fsspec file systems behind trail's ``FileSystem`` protocol; their errors are translated here,
once (STYLE habit 7)."""

from __future__ import annotations

import contextlib
import io
import posixpath
import threading
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from trail.errors import (
    RemoteAuthError,
    RemoteError,
    RemoteNotFoundError,
    RemoteReadOnlyError,
    RemoteUnreachableError,
)
from trail.fs.base import OnBytes
from trail.fs.registry import Backend, split_url

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
    )
)
_AUTH = frozenset(("PermissionDenied", "NoCredentialsError", "PartialCredentialsError"))


def translate(url: str, exc: BaseException) -> BaseException:
    """The ``RemoteError`` a third-party exception means (``FileNotFoundError`` passes)."""
    if isinstance(exc, RemoteError | FileNotFoundError):
        return exc
    names = {t.__name__ for t in type(exc).__mro__}
    detail = " ".join(str(exc).split())[:200]
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


def fs_kwargs(backend: Backend, url: str, options: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """Constructor arguments for the backend's class, and the root path inside it."""
    opts = {k: v for k, v in options.items() if k != "url"}
    name = backend.protocols[0]
    if name == "s3":
        return _s3_kwargs(opts), url.split("://", 1)[1].rstrip("/")
    if name == "ssh":
        return _ssh_kwargs(url, opts), split_url(url)[4] or "/"
    if name == "http":
        return _http_kwargs(opts), url.rstrip("/")
    opts.pop("jobs", None)
    return dict(opts), url.split("://", 1)[1].rstrip("/")


def _s3_kwargs(opts: dict[str, str]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "skip_instance_cache": True,
        # Our own retry loop handles transient errors; botocore's would hide an unreachable
        # endpoint behind a minute of silent retries.
        "config_kwargs": {"retries": {"max_attempts": 2}, "connect_timeout": 5},
    }
    for ours, theirs in (
        ("access_key_id", "key"),
        ("secret_access_key", "secret"),
        ("session_token", "token"),
        ("endpointurl", "endpoint_url"),
        ("profile", "profile"),
    ):
        if ours in opts:
            kwargs[theirs] = opts[ours]
    if "region" in opts:
        kwargs["client_kwargs"] = {"region_name": opts["region"]}
    return kwargs


def _ssh_kwargs(url: str, opts: dict[str, str]) -> dict[str, Any]:
    _scheme, host, port, user, _path = split_url(url)
    kwargs: dict[str, Any] = {
        "host": host,
        "port": int(opts.get("port") or port or 22),
        "known_hosts": None,
        "skip_instance_cache": True,
    }
    if user or "user" in opts:
        kwargs["username"] = opts.get("user") or user
    if "keyfile" in opts:
        kwargs["client_keys"] = [opts["keyfile"]]
    if "password" in opts:
        kwargs["password"] = opts["password"]
    return kwargs


def _http_kwargs(opts: dict[str, str]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"skip_instance_cache": True}
    auth = opts.get("auth")
    if auth == "basic":
        import aiohttp

        basic = aiohttp.BasicAuth(opts.get("user", ""), opts.get("password", ""))
        kwargs["client_kwargs"] = {"auth": basic}
    elif auth == "custom":
        header = opts.get("custom_auth_header", "Authorization")
        kwargs["headers"] = {header: opts.get("password", "")}
    return kwargs


class RemoteFS:
    """One fsspec file system, built on first use (SSH connects in its constructor)."""

    def __init__(
        self, cls: Any, kwargs: dict[str, Any], root: str, url: str, backend: Backend
    ) -> None:
        self.cls, self.kwargs, self.root, self.url = cls, kwargs, root, url
        self.backend = backend
        self.readonly = backend.readonly
        self.can_list = not backend.readonly
        self._fs: Any = None
        self._lock = threading.Lock()

    @property
    def fs(self) -> Any:
        with self._lock:
            if self._fs is None:
                with translated(self.url):
                    self._fs = self.cls(**self.kwargs)
            return self._fs

    def _abs(self, path: str) -> str:
        if self.backend.protocols[0] == "http":
            return f"{self.root}/{path}" if path else self.root
        return posixpath.join(self.root, path) if path else self.root

    def exists(self, path: str) -> bool:
        with translated(self.url):
            return bool(self.fs.exists(self._abs(path)))

    def put_file(self, local: str, path: str, on_bytes: OnBytes = None) -> None:
        if self.readonly:
            raise RemoteReadOnlyError(self.url)
        dst = self._abs(path)
        with translated(self.url):
            try:
                if self.backend.atomic_put:
                    self.fs.put_file(local, dst)
                else:
                    self._put_then_rename(local, dst)
            except FileNotFoundError as exc:
                raise RemoteNotFoundError(self.url, str(exc)) from exc
        if on_bytes is not None:
            import os

            on_bytes(os.path.getsize(local))

    def _put_then_rename(self, local: str, dst: str) -> None:
        parent = posixpath.dirname(dst)
        tmp = posixpath.join(parent, f".trail-tmp-{uuid.uuid4().hex}")
        self.fs.makedirs(parent, exist_ok=True)
        try:
            self.fs.put_file(local, tmp)
            self.fs.mv(tmp, dst)
        except BaseException:
            with contextlib.suppress(Exception):
                self.fs.rm_file(tmp)
            # SFTP refuses to rename onto an existing name; the same content is already there.
            if not self.fs.exists(dst):
                raise

    def get_file(self, path: str, local: str, on_bytes: OnBytes = None) -> None:
        with translated(self.url):
            self.fs.get_file(self._abs(path), local)
        if on_bytes is not None:
            import os

            on_bytes(os.path.getsize(local))

    def read_bytes(self, path: str) -> bytes:
        with translated(self.url):
            return bytes(self.fs.cat_file(self._abs(path)))

    def open_read(self, path: str) -> BinaryIO:
        with translated(self.url):
            raw = self.fs.open(self._abs(path), "rb")
        return io.BufferedReader(_Translating(raw, self.url))

    def read_small(self, path: str, limit: int) -> bytes | None:
        return None  # a network round trip for the size would cost what it saves

    def write_bytes(self, path: str, data: bytes) -> None:
        if self.readonly:
            raise RemoteReadOnlyError(self.url)
        import os
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix="trail-up-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            self.put_file(tmp, path)
        finally:
            os.unlink(tmp)

    def remove(self, path: str) -> None:
        if self.readonly:
            raise RemoteReadOnlyError(self.url)
        with translated(self.url), contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self._abs(path))

    def walk_files(self, path: str) -> Iterator[str]:
        base = self._abs(path)
        with translated(self.url):
            try:
                found = self.fs.find(base)
            except FileNotFoundError:
                return
        prefix = base.rstrip("/") + "/"
        for name in found:
            if name.startswith(prefix):
                yield name[len(prefix) :]

    def local_path(self, path: str) -> str | None:
        return None

    def check(self, for_write: bool = False) -> None:
        with translated(self.url):
            if self.backend.protocols[0] == "s3":
                bucket = self.root.split("/", 1)[0]
                try:
                    self.fs.info(bucket)
                except FileNotFoundError:
                    raise RemoteNotFoundError(self.url, f"no bucket '{bucket}'") from None
            elif self.backend.protocols[0] != "http":
                self.fs.exists(self.root)


class _Translating(io.RawIOBase):
    """An fsspec file whose read errors (a dropped connection mid-stream) are translated."""

    def __init__(self, raw: Any, url: str) -> None:
        super().__init__()
        self.raw, self.url = raw, url

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        with translated(self.url):
            data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            with translated(self.url), contextlib.suppress(FileNotFoundError):
                self.raw.close()
        super().close()
