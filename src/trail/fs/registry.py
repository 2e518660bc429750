"""Protocol → backend registry, with the extra to install when a backend's package is missing."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from trail.errors import RemoteBackendMissingError, RemoteConfigError


@dataclass(frozen=True, slots=True)
class Backend:
    """A storage protocol: the module and class fsspec uses for it, and the trail extra."""

    protocols: tuple[str, ...]
    module: str
    cls: str
    package: str
    extra: str
    readonly: bool = False
    atomic_put: bool = False  # a single PUT never shows a partial object (object stores)
    ranged: bool = False  # its fsspec class reads a byte range with one request (see FileSystem)
    # Requests a batch keeps in flight by default (0: four per core). An object store's client
    # holds each on one event loop for little CPU, and the store serves them in parallel.
    jobs: int = 0


BACKENDS = {
    b.protocols[0]: b
    for b in (
        Backend(
            ("s3",), "s3fs", "S3FileSystem", "s3fs", "s3", atomic_put=True, ranged=True, jobs=32
        ),
        Backend(("ssh", "sftp"), "sshfs", "SSHFileSystem", "sshfs", "ssh"),
        Backend(
            ("http", "https"),
            "fsspec.implementations.http",
            "HTTPFileSystem",
            "aiohttp",
            "http",
            readonly=True,
        ),
        Backend(
            ("gs", "gcs"),
            "gcsfs",
            "GCSFileSystem",
            "gcsfs",
            "gs",
            atomic_put=True,
            ranged=True,
            jobs=32,
        ),
        Backend(("azure", "az", "abfs"), "adlfs", "AzureBlobFileSystem", "adlfs", "azure"),
        Backend(("webdav", "webdavs"), "webdav4.fsspec", "WebdavFileSystem", "webdav4", "webdav"),
    )
}
_BY_PROTOCOL = {p: b for b in BACKENDS.values() for p in b.protocols}


def backend_for(url: str) -> Backend | None:
    """None for a local path or ``file://`` URL."""
    if "://" not in url:
        return None
    scheme = url.split("://", 1)[0].lower()
    if scheme == "file":
        return None
    try:
        return _BY_PROTOCOL[scheme]
    except KeyError:
        known = ", ".join(sorted(_BY_PROTOCOL))
        raise RemoteConfigError(f"unsupported remote URL {url} (known: file, {known})") from None


def load_class(backend: Backend) -> Any:
    try:
        if backend.package == "aiohttp":
            importlib.import_module("aiohttp")
        module = importlib.import_module(backend.module)
    except ImportError:
        raise RemoteBackendMissingError(
            backend.protocols[0], backend.package, backend.extra
        ) from None
    return getattr(module, backend.cls)


def split_url(url: str) -> tuple[str, str, int | None, str, str]:
    """(scheme, host, port, user, path) of a URL."""
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port, parts.username or "", parts.path
