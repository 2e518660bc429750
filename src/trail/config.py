"""Configuration: DVC's INI files at four levels (system, global, repo, local).

Files are edited line by line, so comments and layout survive ``trail config``; sections are
written as DVC writes them (``['remote "name"']``, keys indented by four spaces).

In a DVC repository, the options only trail reads (``TRAIL_ONLY``) are kept out of DVC's files:
dvc's config schema refuses keys it does not know, so one such key would stop every ``dvc``
command there. They live in ``.dvc/config.trail`` (repo level, tracked by Git like
``.dvc/config``) and ``.dvc/tmp/trail/config.local`` (local level, git-ignored by DVC's own
``.dvc/.gitignore``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from trail.errors import ConfigError
from trail.fsutil import atomic_write_text

LEVELS = ("system", "global", "repo", "local")
_SECTION = re.compile(r"^\s*\[(.+)\]\s*$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*=\s*(.*?)\s*$")
SECRET_KEYS = frozenset(
    (
        "secret_access_key",
        "password",
        "token",
        "session_token",
        "key_secret",
        "sas_token",
        "account_key",
        "client_secret",
        "credentialpath",
        "ask_password",
    )
)


TRAIL_ONLY_SECTIONS = frozenset(("executor", "ui"))
TRAIL_ONLY_OPTIONS = frozenset((("core", "lock_timeout"), ("core", "hash")))


def trail_only(section: str, key: str) -> bool:
    """An option DVC's config schema does not know (dvc fails on a file holding it)."""
    return section.split(" ")[0] in TRAIL_ONLY_SECTIONS or (section, key) in TRAIL_ONLY_OPTIONS


def _section_name(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        raw = raw[1:-1]
    return " ".join(raw.split())


def _section_header(name: str) -> str:
    return f"['{name}']" if '"' in name else f"[{name}]"


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


@dataclass
class IniFile:
    path: str
    lines: list[str]

    @classmethod
    def read(cls, path: str) -> IniFile:
        try:
            with open(path, encoding="utf-8") as f:
                return cls(path, f.read().splitlines())
        except FileNotFoundError:
            return cls(path, [])

    def items(self) -> Iterator[tuple[str, str, str, int]]:
        section = ""
        for i, line in enumerate(self.lines):
            if not line.strip() or line.lstrip().startswith(("#", ";")):
                continue
            m = _SECTION.match(line)
            if m:
                section = _section_name(m.group(1))
                continue
            k = _KEY.match(line)
            if k is None:
                raise ConfigError(f"{self.path}:{i + 1}: cannot parse line {line.strip()!r}")
            if not section:
                raise ConfigError(f"{self.path}:{i + 1}: option outside of a section")
            yield section, k.group(1), _unquote(k.group(2)), i

    def as_dict(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for section, key, value, _ in self.items():
            out.setdefault(section, {})[key] = value
        return out

    def set(self, section: str, key: str, value: str) -> None:
        for s, k, _v, i in self.items():
            if s == section and k == key:
                self.lines[i] = f"    {key} = {value}"
                return
        end = self._section_end(section)
        if end is None:
            self.lines.append(_section_header(section))
            self.lines.append(f"    {key} = {value}")
        else:
            self.lines.insert(end, f"    {key} = {value}")

    def unset(self, section: str, key: str) -> bool:
        for s, k, _v, i in self.items():
            if s == section and k == key:
                del self.lines[i]
                self._drop_empty_section(section)
                return True
        return False

    def remove_section(self, section: str) -> bool:
        start = self._section_start(section)
        if start is None:
            return False
        end = self._section_end(section)
        assert end is not None
        del self.lines[start:end]
        return True

    def rename_section(self, old: str, new: str) -> bool:
        start = self._section_start(old)
        if start is None:
            return False
        self.lines[start] = _section_header(new)
        return True

    def _section_start(self, section: str) -> int | None:
        for i, line in enumerate(self.lines):
            m = _SECTION.match(line)
            if m and _section_name(m.group(1)) == section:
                return i
        return None

    def _section_end(self, section: str) -> int | None:
        start = self._section_start(section)
        if start is None:
            return None
        end = start + 1
        while end < len(self.lines) and not _SECTION.match(self.lines[end]):
            end += 1
        while end > start + 1 and not self.lines[end - 1].strip():
            end -= 1
        return end

    def _drop_empty_section(self, section: str) -> None:
        start, end = self._section_start(section), self._section_end(section)
        if start is not None and end is not None:
            body = [ln for ln in self.lines[start + 1 : end] if ln.strip()]
            if not body:
                del self.lines[start:end]

    def write(self) -> None:
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        atomic_write_text(self.path, "\n".join(self.lines) + ("\n" if self.lines else ""))


def split_name(name: str) -> tuple[str, str]:
    """``core.remote`` → (core, remote); ``remote.s3.url`` → ('remote "s3"', url)."""
    parts = name.split(".")
    if len(parts) == 2 and parts[0] and parts[1]:
        return parts[0], parts[1]
    if len(parts) >= 3 and parts[0] and parts[-1]:
        return f'{parts[0]} "{".".join(parts[1:-1])}"', parts[-1]
    raise ConfigError(f"bad config name '{name}': use section.option, e.g. core.remote")


def _config_dirs() -> tuple[str, str]:
    """(system, user) config directories for trail."""
    import sys

    if sys.platform.startswith("linux"):
        # The XDG rule platformdirs applies on Linux, without its 10 ms import on every start.
        user = os.environ.get("XDG_CONFIG_HOME", "").strip() or os.path.expanduser("~/.config")
        system = (os.environ.get("XDG_CONFIG_DIRS", "").strip() or "/etc/xdg").split(":")[0]
        return os.path.join(system, "trail"), os.path.join(user, "trail")
    import platformdirs

    return platformdirs.site_config_dir("trail"), platformdirs.user_config_dir("trail")


def level_paths(control_dir: str | None) -> dict[str, str]:
    system, user = _config_dirs()
    paths = {
        "system": os.path.join(system, "config"),
        "global": os.path.join(user, "config"),
    }
    if control_dir is not None:
        paths["repo"] = os.path.join(control_dir, "config")
        paths["local"] = os.path.join(control_dir, "config.local")
    return paths


class Config:
    """The merged view of every level; later levels win."""

    def __init__(self, control_dir: str | None) -> None:
        self.control_dir = control_dir
        self.dvc = os.path.basename(os.path.normpath(control_dir or "x")) == ".dvc"
        self._merged: dict[str, dict[str, str]] | None = None

    def paths(self) -> dict[str, str]:
        if self.control_dir is None:
            return level_paths(None)
        # Global and system levels cost a platformdirs import; read them only when present.
        return level_paths(self.control_dir)

    def merged(self) -> dict[str, dict[str, str]]:
        if self._merged is None:
            merged: dict[str, dict[str, str]] = {}
            for level in LEVELS:
                for section, opts in self.read_level(level).items():
                    merged.setdefault(section, {}).update(opts)
            self._merged = merged
        return self._merged

    def read_level(self, level: str) -> dict[str, dict[str, str]]:
        path = self.level_path(level)
        if path is None:
            return {}
        data = IniFile.read(path).as_dict()
        own = self.trail_path(level)
        if own is not None:
            for section, opts in IniFile.read(own).as_dict().items():
                data.setdefault(section, {}).update(opts)
        return data

    def trail_path(self, level: str) -> str | None:
        """Where trail-only options of ``level`` live in a DVC repository (None elsewhere)."""
        if not self.dvc or level not in ("repo", "local") or self.control_dir is None:
            return None
        if level == "repo":
            return os.path.join(self.control_dir, "config.trail")
        return os.path.join(self.control_dir, "tmp", "trail", "config.local")

    def write_path(self, level: str, section: str, key: str) -> str | None:
        """The file ``section.key`` is written to at ``level``."""
        if trail_only(section, key):
            own = self.trail_path(level)
            if own is not None:
                return own
        return self.level_path(level)

    def level_path(self, level: str) -> str | None:
        if level in ("repo", "local"):
            if self.control_dir is None:
                return None
            return os.path.join(self.control_dir, "config" if level == "repo" else "config.local")
        return level_paths(None)[level]

    def get(self, section: str, key: str, default: str | None = None) -> str | None:
        return self.merged().get(section, {}).get(key, default)

    def get_bool(self, section: str, key: str, default: bool = False) -> bool:
        value = self.get(section, key)
        if value is None:
            return default
        low = value.lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise ConfigError(f"{section}.{key}: expected true or false, got '{value}'")

    def get_float(self, section: str, key: str, default: float) -> float:
        value = self.get(section, key)
        if value is None:
            return default
        try:
            return float(value)
        except ValueError:
            raise ConfigError(f"{section}.{key}: expected a number, got '{value}'") from None

    def invalidate(self) -> None:
        self._merged = None
