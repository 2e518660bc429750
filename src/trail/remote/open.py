"""From a remote's name to its object store."""

from __future__ import annotations

from trail.config import Config
from trail.fs.registry import open_fs
from trail.remote import settings
from trail.remote.store import RemoteStore


def open_remote(config: Config, name: str | None) -> RemoteStore:
    """The named remote (the default one for None), ready to use; nothing is contacted yet."""
    info = settings.get(config, name)
    # Relative folders are relative to the config file that names them (the control dir).
    base = config.control_dir or "."
    fs = open_fs(info.url, info.options, base=base)
    return RemoteStore(info.name, fs)
