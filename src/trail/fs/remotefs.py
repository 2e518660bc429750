"""fsspec file systems behind trail's ``FileSystem`` protocol; their errors are translated here,
once (STYLE habit 7)."""

from __future__ import annotations

import contextlib
import io
import posixpath
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from trail import __version__
from trail.errors import RemoteNotFoundError, RemoteReadOnlyError
from trail.fs.base import OnBytes
from trail.fs.registry import Backend, split_url
from trail.fs.translate import translated, unsatisfiable

if TYPE_CHECKING:
    from trail.fs.batch import Done, Op

T = TypeVar("T")


POOL = 64  # connections to one S3 endpoint


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
        "config_kwargs": {
            # Retries are ours (trail.fs.batch: jittered, and a dead endpoint opens a breaker);
            # botocore's would multiply them and hide an unreachable endpoint behind a minute
            # of silent retries.
            "retries": {"max_attempts": 0},
            "connect_timeout": 5,
            # A batch keeps this many requests in flight on one event loop (-j up to it).
            "max_pool_connections": POOL,
            # Our requests are well-formed by construction; checking each costs CPU per object.
            "parameter_validation": False,
            # A fixed User-Agent: botocore otherwise rebuilds its own, twice per request, at
            # about a tenth of the client's CPU for a batch of small objects.
            "user_agent": f"trail/{__version__}",
            # trail hashes every object it reads and writes; CRC32 headers on top of that cost
            # both ends CPU per request and protect nothing more.
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
        },
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
        self.ranged = backend.ranged
        self.jobs = backend.jobs
        self._fs: Any = None
        self._lock = threading.Lock()

    @property
    def fs(self) -> Any:
        with self._lock:
            if self._fs is None:
                with translated(self.url):
                    self._fs = self.cls(**self.kwargs)
                if self.backend.protocols[0] == "s3":
                    self._fs.retries = 1  # as botocore's (see _s3_kwargs)
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

    def run(
        self, ops: Iterable[tuple[T, Op]], *, jobs: int, on_bytes: OnBytes = None
    ) -> Iterator[Done[T]]:
        """Async backends run the batch on their own event loop, others on threads."""
        from trail.fs.batch import Retry, run_on_loop, run_threads

        fs = self.fs  # built here, in the caller's thread: SSH connects in its constructor
        retry = Retry(self.url)
        if getattr(fs, "async_impl", False):
            from trail.fs.remoteasync import AsyncOps

            run = AsyncOps(fs, self.url, self.backend, self._abs)
            return run_on_loop(fs.loop, run.execute, ops, jobs=jobs, retry=retry, on_bytes=on_bytes)
        return run_threads(self._execute, ops, jobs=jobs, retry=retry, on_bytes=on_bytes)

    def _execute(self, op: Op, on_bytes: OnBytes) -> bytes | int | None:
        from trail.fs.batch import Get, Put, Read, Stat

        if isinstance(op, Put):
            self.put_file(op.local, op.path, on_bytes)
        elif isinstance(op, Get):
            self.get_file(op.path, op.local, on_bytes)
        elif isinstance(op, Read):
            with translated(self.url):
                try:
                    data = self.fs.cat_file(self._abs(op.path), start=op.start, end=op.end)
                except Exception as exc:
                    if op.start == 0 and unsatisfiable(exc):
                        return b""  # no byte 0: the file is empty
                    raise
            return bytes(data)
        elif isinstance(op, Stat):
            with translated(self.url):
                size = self.fs.size(self._abs(op.path))
            return None if size is None else int(size)
        else:
            self.write_bytes(op.path, op.data)
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
