"""Remote configuration: ``['remote "name"']`` sections and ``[core] remote`` at any level.

Secrets (SPEC 11) always go to ``config.local``, whatever level was asked for, and are never
shown in listings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trail.config import SECRET_KEYS, Config, IniFile
from trail.errors import RemoteConfigError

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
COMMON_KEYS = frozenset(("url", "jobs", "timeout", "verify", "no_traverse", "read_timeout"))
BACKEND_KEYS = {
    "s3": frozenset(
        ("endpointurl", "access_key_id", "secret_access_key", "region", "profile", "session_token")
    ),
    "ssh": frozenset(("user", "port", "keyfile", "password", "ask_password")),
    "http": frozenset(("auth", "user", "password", "custom_auth_header", "ask_password")),
    "local": frozenset(),
}
SCHEME_KIND = {"s3": "s3", "ssh": "ssh", "sftp": "ssh", "http": "http", "https": "http"}


@dataclass(frozen=True, slots=True)
class RemoteInfo:
    """A configured remote: its name, URL, options (secrets included) and the level it lives at."""

    name: str
    url: str
    options: dict[str, str]
    is_default: bool


def section(name: str) -> str:
    return f'remote "{name}"'


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise RemoteConfigError(
            f"bad remote name '{name}': use letters, digits, '_', '-' and '.' only"
        )


def kind_of(url: str) -> str:
    """``s3``, ``ssh``, ``http``, ``local`` or the URL's own scheme (gs, azure, webdav…)."""
    if "://" not in url:
        return "local"
    scheme = url.split("://", 1)[0].lower()
    return "local" if scheme == "file" else SCHEME_KIND.get(scheme, scheme)


def check_option(name: str, url: str, key: str) -> None:
    kind = kind_of(url)
    allowed = BACKEND_KEYS.get(kind)
    if allowed is None or key in COMMON_KEYS or key in allowed:
        return  # other backends (gs, azure, webdav) take their own fsspec options
    known = ", ".join(sorted(COMMON_KEYS | allowed))
    raise RemoteConfigError(f"unknown option '{key}' for {kind} remote '{name}' (known: {known})")


def masked(url: str) -> str:
    """The URL with any password in it replaced by ``***``."""
    from urllib.parse import urlsplit, urlunsplit

    if "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def stored_url(config: Config, level: str, url: str) -> str:
    """A relative folder is kept relative to the config file, as DVC keeps it."""
    import os

    if "://" in url or os.path.isabs(url) or url.startswith("~"):
        return url
    if level in ("repo", "local") and config.control_dir is not None:
        return os.path.relpath(os.path.abspath(url), config.control_dir).replace(os.sep, "/")
    return os.path.abspath(url)


def _ini(config: Config, level: str) -> IniFile:
    path = config.level_path(level)
    if path is None:
        raise RemoteConfigError(f"no {level} config outside a repository")
    return IniFile.read(path)


def remotes(config: Config) -> list[RemoteInfo]:
    """Every remote of the merged configuration, in name order."""
    merged = config.merged()
    default = merged.get("core", {}).get("remote")
    found = []
    for sec, opts in merged.items():
        if sec.startswith('remote "') and sec.endswith('"'):
            name = sec[len('remote "') : -1]
            found.append(RemoteInfo(name, opts.get("url", ""), dict(opts), name == default))
    return sorted(found, key=lambda r: r.name)


class NoDefaultRemoteError(RemoteConfigError):
    """No remote named, and none is the default. ``how`` says how to name one (a CLI flag,
    or an API argument)."""

    def __init__(self, how: str = "use -r NAME") -> None:
        super().__init__(
            f"no remote given and no default remote: {how} or `trail remote add -d NAME URL`"
        )


def get(config: Config, name: str | None) -> RemoteInfo:
    """The named remote, or the default one when ``name`` is None."""
    if name is None:
        name = config.get("core", "remote")
        if not name:
            raise NoDefaultRemoteError()
    for info in remotes(config):
        if info.name == name:
            if not info.url:
                raise RemoteConfigError(f"remote '{name}' has no url: `trail remote modify`")
            return info
    raise RemoteConfigError(f"unknown remote '{name}' (see `trail remote list`)")


def add(config: Config, level: str, name: str, url: str, *, default: bool, force: bool) -> None:
    from trail.config_schema import check_url

    check_name(name)
    check_url(url, name)  # a scheme no backend reads is refused before anything is written
    ini = _ini(config, level)
    if section(name) in ini.as_dict():
        if not force:
            raise RemoteConfigError(f"remote '{name}' already exists: use -f to overwrite it")
        ini.remove_section(section(name))
    ini.set(section(name), "url", stored_url(config, level, url))
    if default:
        ini.set("core", "remote", name)
    ini.write()
    config.invalidate()


def modify(config: Config, level: str, name: str, key: str, value: str | None) -> str:
    """Set (or, with ``value`` None, unset) an option; returns the level written."""
    info = get(config, name)
    if key == "name":
        raise RemoteConfigError("use `trail remote rename` to rename a remote")
    check_option(name, info.url, key)
    if key == "url" and value is not None:
        from trail.config_schema import check_url

        check_url(value, name)
    if key in SECRET_KEYS and value is not None and level == "repo":
        level = "local"  # never into the tracked config; an explicit --global is respected
    ini = _ini(config, level)
    if value is None:
        if not ini.unset(section(name), key):
            raise RemoteConfigError(f"option '{key}' of remote '{name}' is not set at {level}")
    else:
        ini.set(section(name), key, value)
    ini.write()
    config.invalidate()
    return level


def set_default(config: Config, level: str, name: str | None) -> None:
    """Make ``name`` the default remote; None unsets the default."""
    ini = _ini(config, level)
    if name is None:
        ini.unset("core", "remote")
    else:
        get(config, name)
        ini.set("core", "remote", name)
    ini.write()
    config.invalidate()


def remove(config: Config, level: str, name: str) -> None:
    ini = _ini(config, level)
    if not ini.remove_section(section(name)):
        raise RemoteConfigError(f"remote '{name}' does not exist in the {level} config")
    if ini.as_dict().get("core", {}).get("remote") == name:
        ini.unset("core", "remote")
    ini.write()
    _drop_elsewhere(config, level, name)
    config.invalidate()


def rename(config: Config, level: str, old: str, new: str) -> None:
    check_name(new)
    ini = _ini(config, level)
    if section(new) in config.merged():
        raise RemoteConfigError(f"remote '{new}' already exists")
    if not ini.rename_section(section(old), section(new)):
        raise RemoteConfigError(f"remote '{old}' does not exist in the {level} config")
    if ini.as_dict().get("core", {}).get("remote") == old:
        ini.set("core", "remote", new)
    ini.write()
    # Secrets of the remote sit in config.local: they follow the rename.
    if level != "local":
        local = _ini(config, "local") if config.control_dir else None
        if local is not None and local.rename_section(section(old), section(new)):
            local.write()
    config.invalidate()


def _drop_elsewhere(config: Config, level: str, name: str) -> None:
    """Secrets written to config.local belong to the removed remote too."""
    if level == "local" or config.control_dir is None:
        return
    local = _ini(config, "local")
    if local.remove_section(section(name)):
        local.write()
