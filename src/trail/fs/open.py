"""Open the file system at a URL: local paths on plain ``os`` calls, the rest through the
backend the registry names for its protocol (fsspec is imported only then)."""

from __future__ import annotations

from collections.abc import Mapping

from trail.fs.base import FileSystem
from trail.fs.registry import backend_for, load_class


def open_fs(url: str, options: Mapping[str, str], *, base: str = ".") -> FileSystem:
    """The file system at ``url`` with a remote's config ``options`` (credentials, endpoint…).

    A relative local path is taken relative to ``base`` (the config file's repository).
    """
    backend = backend_for(url)
    if backend is None:
        import os

        from trail.fs.local import LocalFS

        path = url[len("file://") :] if url.startswith("file://") else url
        return LocalFS(os.path.normpath(os.path.join(base, os.path.expanduser(path))))
    from trail.fs.remotefs import RemoteFS, fs_kwargs

    cls = load_class(backend)
    kwargs, root = fs_kwargs(backend, url, options)
    return RemoteFS(cls, kwargs, root, url, backend)
