"""What each configuration option may hold, checked when ``config`` or ``remote`` sets one:
an unknown option, a value of the wrong type or a remote URL no backend reads is refused
(exit code 3) before anything is written, as DVC refuses it. The options are DVC's, plus
trail's own (``core.lock_timeout``, ``core.hash``, ``executor``)."""

from __future__ import annotations

from collections.abc import Callable

from trail.errors import ConfigError

Check = Callable[[str], str | None]  # the value → what is wrong with it, or None


def _bool(value: str) -> str | None:
    return None if value.lower() in ("true", "false") else "expected true or false"


def _int(value: str) -> str | None:
    return None if value.strip().lstrip("-").isdigit() else "expected an integer"


def _positive(value: str) -> str | None:
    return None if value.strip().isdigit() and int(value) >= 1 else "expected an integer >= 1"


def _float(value: str) -> str | None:
    try:
        float(value)
    except ValueError:
        return "expected a number"
    return None


def _text(value: str) -> str | None:
    return None


def _choice(*allowed: str) -> Check:
    def check(value: str) -> str | None:
        return None if value in allowed else f"expected one of {', '.join(allowed)}"

    return check


def _cache_types(value: str) -> str | None:
    known = ("reflink", "hardlink", "symlink", "copy")
    bad = [t.strip() for t in value.split(",") if t.strip() not in known]
    return f"Unsupported cache type(s): {', '.join(bad)}" if bad else None


SCHEMA: dict[str, dict[str, Check]] = {
    "core": {
        "remote": _text,
        "interactive": _bool,
        "analytics": _bool,
        "hardlink_lock": _bool,
        "no_scm": _bool,
        "autostage": _bool,
        "check_update": _bool,
        "site_cache_dir": _text,
        "checksum_jobs": _positive,
        "machine": _text,
        "experiments": _bool,
        "hash": _choice("blake3", "md5"),
        "lock_timeout": _float,
    },
    "cache": {
        "dir": _text,
        "type": _cache_types,
        "protected": _bool,
        "shared": _choice("group"),
        "slow_link_warning": _bool,
        "verify": _bool,
        **{k: _text for k in ("local", "s3", "gs", "ssh", "hdfs", "webhdfs", "azure")},
    },
    "state": {"dir": _text, "row_limit": _int, "row_cleanup_quota": _int},
    "index": {"dir": _text},
    "plots": {"html_template": _text, "auto_open": _bool, "out_dir": _text},
    "parsing": {
        "bool": _choice("store_true", "boolean_optional"),
        "list": _choice("nargs", "append"),
    },
    "studio": {"token": _text, "url": _text, "offline": _bool, "repo_url": _text},
    "hydra": {
        "enabled": _bool,
        "config_dir": _text,
        "config_module": _text,
        "config_name": _text,
        "plugins_path": _text,
    },
    "exp": {
        **{k: _text for k in ("code", "data", "models", "metrics", "params", "plots", "live")},
        "auto_push": _bool,
        "git_remote": _text,
    },
    "feature": {"machine": _bool, "push_exp_to_studio": _bool},
}
OPEN_SECTIONS = ("executor", "machine", "db", "ui")  # options read by their own parts


def check(section: str, key: str, value: str | None, dvc_repo: bool = False) -> None:
    """Refuse setting ``section.key`` to ``value`` (None: unsetting, only the name is checked);
    ``dvc_repo``: it is set in a DVC repository's own config."""
    name = f"{section.split(' ')[0]}.{key}"
    if dvc_repo and (section, key) == ("core", "hash") and value not in (None, "md5"):
        raise ConfigError(
            f"bad value {value!r} for '{name}': a DVC repository hashes with md5, the only "
            "hash dvc reads (blake3 is for trail repositories)"
        )
    if section.startswith('remote "'):
        if key == "url" and value is not None:
            check_url(value, section[len('remote "') : -1])
        return  # the other options of a remote are checked against its URL's backend
    if section.split(" ")[0] in OPEN_SECTIONS:
        return
    options = SCHEMA.get(section)
    if options is None:
        raise ConfigError(f"unknown config section '{section}' (in '{name}')")
    if key not in options:
        known = ", ".join(sorted(options))
        raise ConfigError(f"unknown config option '{name}' (known in [{section}]: {known})")
    if value is not None:
        problem = options[key](value)
        if problem:
            raise ConfigError(f"bad value {value!r} for '{name}': {problem}")


SCHEMES = (
    "file", "s3", "ssh", "sftp", "http", "https", "gs", "gcs", "azure", "az", "abfs",
    "webdav", "webdavs", "remote", "hdfs", "webhdfs", "oss", "gdrive",
)  # fmt: skip


def check_url(url: str, remote: str) -> None:
    """A remote URL some backend reads: a path, or a URL of a known scheme."""
    if "://" not in url:
        return
    scheme = url.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise ConfigError(
            f"remote '{remote}': unsupported URL type {scheme}:// "
            f"(supported: a path, {', '.join(s + '://' for s in SCHEMES)})"
        )
