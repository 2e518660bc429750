"""From a remote's name to its object store."""

from __future__ import annotations

from trail.config import Config
from trail.fs.open import open_fs
from trail.remote import settings
from trail.remote.store import RemoteStore


def open_remote(config: Config, name: str | None) -> RemoteStore:
    """The named remote (the default one for None), ready to use; nothing is contacted yet."""
    info = settings.get(config, name)
    # Relative folders are relative to the config file that names them (the control dir).
    base = config.control_dir or "."
    fs = open_fs(info.url, info.options, base=base)
    return RemoteStore(info.name, fs, share_inodes=_cache_inodes_private(config))


def _cache_inodes_private(config: Config) -> bool:
    """Whether cache objects share their inode with nothing in the workspace: then a folder
    remote may hard-link them (a link is one system call, a copy writes every byte). With
    ``cache.type`` hardlink or symlink, a file edited in place in the workspace (root ignores
    the read-only bit) would change the cache object — and through a link the remote's copy,
    the one meant to survive that; so those caches are copied to and from the remote."""
    from trail.workspace.links import parse_link_types

    kinds = parse_link_types(config.get("cache", "type"))
    return not {"hardlink", "symlink"} & set(kinds)
