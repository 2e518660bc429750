"""Configuration: DVC's INI files at four levels (system, global, repo, local).

Files are read as configobj reads them, since DVC reads its config through configobj: ``#``
comments, also after a value; values bare, quoted, comma-separated (a list) or triple-quoted
across several lines. They are edited line by line, so comments and layout survive ``trail
config``; sections are written as DVC writes them (``['remote "name"']``, keys indented by four
spaces), values quoted as configobj quotes them. In a DVC repository the system and global
levels are DVC's own files.

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
_SECTION = re.compile(r"""^\s*(\[+)\s*("[^"]*"|'[^']*'|[^'"\s\]][^\]]*?)\s*(\]+)\s*(#.*)?$""")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[^'"=\s][^=]*?)\s*=\s*(.*?)\s*$""")
_TRIPLE = ("'" * 3, '"' * 3)
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
    return " ".join(_unquote(raw.strip()).split())


def _section_header(name: str) -> str:
    return f"['{name}']" if '"' in name else f"[{name}]"


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def format_value(value: str) -> str:
    """``value`` as configobj (and so DVC) writes it: bare when it reads back as itself, else
    quoted; a value holding a newline, or both kinds of quote, in triple quotes."""
    if not value:
        return '""'

    def edge(c: str) -> bool:  # blanks a reader strips, quotes it takes for quoting
        return c.isspace() or c in "'\""

    if not edge(value[0]) and not edge(value[-1]) and not any(c in value for c in ",#\n"):
        return value
    if "\n" in value or ("'" in value and '"' in value):
        quote = _TRIPLE[0] if _TRIPLE[0] not in value else _TRIPLE[1]
        return f"{quote}{value}{quote}"
    return f"'{value}'" if '"' in value else f'"{value}"'


@dataclass(frozen=True)
class Entry:
    """One option as read, and where it sits (a triple-quoted value spans several lines)."""

    section: str
    key: str
    value: str
    start: int  # index of its first line
    end: int  # index after its last line
    comment: str  # the comment after the value, kept when trail rewrites the value


class _Parser:
    """One pass over the lines: sections with their header lines, options with their spans.
    A list value (``a, b``) is joined with commas; a duplicate option or section is an error,
    as it is to configobj."""

    def __init__(self, path: str, lines: list[str]) -> None:
        self.path, self.lines = path, lines
        self.sections: dict[str, int] = {}  # name -> index of its header line
        self.entries: list[Entry] = []

    def fail(self, i: int, message: str) -> ConfigError:
        return ConfigError(f"{self.path}:{i + 1}: {message}")

    def parse(self) -> _Parser:
        section, seen, i = "", set(), 0
        while i < len(self.lines):
            line = self.lines[i].lstrip("\ufeff") if i == 0 else self.lines[i]
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                i += 1
                continue
            if stripped.startswith("["):
                section = self._section(i, line)
                i += 1
                continue
            k = _KEY.match(line)
            if k is None:
                raise self.fail(i, f"cannot parse line {stripped!r}")
            if not section:
                raise self.fail(i, "option outside of a section")
            key = _unquote(k.group(1))
            if (section, key) in seen:
                raise self.fail(i, f"option '{key}' is set twice in [{section}]")
            seen.add((section, key))
            value, comment, end = self._value(i, k.group(2))
            self.entries.append(Entry(section, key, value, i, end, comment))
            i = end
        return self

    def _section(self, i: int, line: str) -> str:
        m = _SECTION.match(line)
        if m is None or len(m.group(1)) != len(m.group(3)):
            raise self.fail(i, f"cannot parse section header {line.strip()!r}")
        if len(m.group(1)) > 1:
            raise self.fail(i, "nested sections ([[...]]) are used by neither trail nor DVC")
        name = _section_name(m.group(2))
        if name in self.sections:
            raise self.fail(i, f"section [{name}] appears twice")
        self.sections[name] = i
        return name

    def _value(self, i: int, text: str) -> tuple[str, str, int]:
        """(value, comment, index after its last line) of the value that ``text`` starts."""
        if text[:3] in _TRIPLE:
            return self._triple(i, text)
        if text.startswith(","):  # a lone comma: an empty list
            rest = text[1:].strip()
            if rest[:1] in ("", "#"):
                return "", rest, i + 1
            raise self.fail(i, f"an empty item in the list value {text!r}")
        read = _items(text, 0)
        if read is None:
            raise self.fail(i, f"cannot parse the value {text!r}")
        items, listed, at = read
        value = ",".join(items) if listed else (items[0] if items else "")
        return value, text[at:], i + 1

    def _triple(self, i: int, text: str) -> tuple[str, str, int]:
        quote, rest, j = text[:3], text[3:], i
        parts = []
        while (close := _closing(rest, quote)) is None:
            if quote in rest:
                raise self.fail(j, f"text after the closing {quote} in {rest.strip()!r}")
            parts.append(rest)
            j += 1
            if j >= len(self.lines):
                raise self.fail(i, f"a value opened with {quote} is never closed")
            rest = self.lines[j]
        parts.append(rest[:close])
        return "\n".join(parts), rest[close + 3 :].strip(), j + 1


def _closing(line: str, quote: str) -> int | None:
    """Where ``quote`` closes a value on ``line``: the first one followed by nothing but blanks
    or a comment."""
    at = line.find(quote)
    while at >= 0:
        after = line[at + 3 :].strip()
        if not after or after.startswith("#"):
            return at
        at = line.find(quote, at + 1)
    return None


def _items(text: str, pos: int) -> tuple[list[str], bool, int] | None:
    """(items, whether a comma made it a list, where the comment starts) of the value from
    ``pos``, or None if it cannot be read. A quoted item ends at the first of its quotes after
    which the rest reads (a comma and more items, a comment, or nothing): configobj's rule."""
    pos = _skip_space(text, pos)
    if pos >= len(text) or text[pos] == "#":
        return [], False, pos
    if text[pos] in "'\"":
        close = text.find(text[pos], pos + 1)
        while close >= 0:
            after = _skip_space(text, close + 1)
            if after >= len(text) or text[after] == "#":
                return [text[pos + 1 : close]], False, after
            if text[after] == ",":
                tail = _items(text, after + 1)
                if tail is not None:
                    return [text[pos + 1 : close], *tail[0]], True, tail[2]
            close = text.find(text[pos], close + 1)
        return None
    if text[pos] == ",":
        return None  # an empty item
    stops = [s for s in (text.find(",", pos), text.find("#", pos)) if s >= 0]
    end = min(stops, default=len(text))
    item = text[pos:end].rstrip()
    if end == len(text) or text[end] == "#":
        return [item], False, end
    tail = _items(text, end + 1)
    return None if tail is None else ([item, *tail[0]], True, tail[2])


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


@dataclass
class IniFile:
    path: str
    lines: list[str]

    @classmethod
    def read(cls, path: str) -> IniFile:
        from trail.errors import NotTextError
        from trail.fsutil import read_text

        try:
            return cls(path, read_text(path).splitlines())
        except FileNotFoundError:
            return cls(path, [])
        except NotTextError as exc:
            raise ConfigError(str(exc)) from None

    def _parsed(self) -> _Parser:
        return _Parser(self.path, self.lines).parse()

    def items(self) -> Iterator[tuple[str, str, str, int]]:
        for e in self._parsed().entries:
            yield e.section, e.key, e.value, e.start

    def as_dict(self) -> dict[str, dict[str, str]]:
        """Options by section; a section with none is there too, empty (as configobj has it)."""
        parsed = self._parsed()
        out: dict[str, dict[str, str]] = {name: {} for name in parsed.sections}
        for e in parsed.entries:
            out[e.section][e.key] = e.value
        return out

    def set(self, section: str, key: str, value: str) -> None:
        lines = f"    {key} = {format_value(value)}".split("\n")  # a value may span lines
        parsed = self._parsed()
        for e in parsed.entries:
            if e.section == section and e.key == key:
                if e.comment:
                    lines[-1] += f"  {e.comment}"
                self.lines[e.start : e.end] = lines
                return
        end = self._section_end(parsed, section)
        if end is None:
            self.lines += [_section_header(section), *lines]
        else:
            self.lines[end:end] = lines

    def unset(self, section: str, key: str) -> bool:
        for e in self._parsed().entries:
            if e.section == section and e.key == key:
                del self.lines[e.start : e.end]
                parsed = self._parsed()
                if not any(x.section == section for x in parsed.entries):
                    self._delete_section(parsed, section)
                return True
        return False

    def remove_section(self, section: str) -> bool:
        parsed = self._parsed()
        if section not in parsed.sections:
            return False
        self._delete_section(parsed, section)
        return True

    def rename_section(self, old: str, new: str) -> bool:
        start = self._parsed().sections.get(old)
        if start is None:
            return False
        self.lines[start] = _section_header(new)
        return True

    def _delete_section(self, parsed: _Parser, section: str) -> None:
        start, end = parsed.sections[section], self._section_end(parsed, section)
        del self.lines[start : end or start + 1]

    @staticmethod
    def _section_end(parsed: _Parser, section: str) -> int | None:
        """The index after the section's last option (after its header when it has none)."""
        start = parsed.sections.get(section)
        if start is None:
            return None
        ends = [e.end for e in parsed.entries if e.section == section]
        return max(ends) if ends else start + 1

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


def _config_dirs(app: str) -> tuple[str, str]:
    """(system, user) config directories of ``app`` (``trail``, or ``dvc`` in its dialect)."""
    import sys

    if app == "dvc":  # the directories DVC itself reads, its own overrides first
        system = os.environ.get("DVC_SYSTEM_CONFIG_DIR", "")
        user = os.environ.get("DVC_GLOBAL_CONFIG_DIR", "")
        if system and user:
            return system, user
    else:
        system = user = ""
    if sys.platform.startswith("linux"):
        # The XDG rule platformdirs applies on Linux, without its 10 ms import on every start.
        home = os.environ.get("XDG_CONFIG_HOME", "").strip() or os.path.expanduser("~/.config")
        site = (os.environ.get("XDG_CONFIG_DIRS", "").strip() or "/etc/xdg").split(":")[0]
        return system or os.path.join(site, app), user or os.path.join(home, app)
    import platformdirs

    author = "iterative" if app == "dvc" else None
    return (
        system or platformdirs.site_config_dir(app, author),
        user or platformdirs.user_config_dir(app, author),
    )


def level_paths(control_dir: str | None, app: str = "trail") -> dict[str, str]:
    system, user = _config_dirs(app)
    paths = {
        "system": os.path.join(system, "config"),
        "global": os.path.join(user, "config"),
    }
    if control_dir is not None:
        paths["repo"] = os.path.join(control_dir, "config")
        paths["local"] = os.path.join(control_dir, "config.local")
    return paths


class Config:
    """The merged view of every level; later levels win. ``app`` names whose system and
    global files are read: ``dvc`` in a DVC repository, so both tools see the same settings."""

    def __init__(self, control_dir: str | None, app: str = "trail") -> None:
        self.control_dir = control_dir
        self.app = app
        self.dvc = os.path.basename(os.path.normpath(control_dir or "x")) == ".dvc"
        self._merged: dict[str, dict[str, str]] | None = None

    def paths(self) -> dict[str, str]:
        return level_paths(self.control_dir, self.app)

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
                # trail's own user/system files may hold any option (for trail's repositories):
                # only the trail-only ones apply in a DVC repository
                opts = {k: v for k, v in opts.items() if trail_only(section, k)}
                if opts:
                    data.setdefault(section, {}).update(opts)
        return data

    def trail_path(self, level: str) -> str | None:
        """Where trail-only options of ``level`` live in a DVC repository (None elsewhere):
        beside DVC's repository files, and trail's own user and system files (where DVC's
        are the ``global``/``system`` levels, one unknown key would break every dvc command)."""
        if level in ("system", "global"):
            return level_paths(None, "trail")[level] if self.app == "dvc" else None
        if not self.dvc or self.control_dir is None:
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
        return level_paths(None, self.app)[level]

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
