"""Exceptions: one base for the project, one per domain. Standard library only.

Every error carries the data a user needs to act on it; ``str(err)`` is the one line the CLI
prints. ``exit_code`` follows SPEC section 3: 1 error, 2 usage, 3 config error.
"""

from __future__ import annotations

from collections.abc import Iterable


class TrailError(Exception):
    """Base of every error trail reports to a user."""

    exit_code = 1


class UsageError(TrailError):
    """The command line itself is wrong."""

    exit_code = 2


class ConfigError(TrailError):
    """A configuration file or value is wrong."""

    exit_code = 3


class NotARepoError(TrailError):
    def __init__(self, start: str) -> None:
        super().__init__(
            f"not a trail or DVC repository: {start} (run `trail init` or `trail init --dvc`)"
        )


class DialectConflictError(TrailError):
    def __init__(self, root: str) -> None:
        super().__init__(
            f"{root} has both .trail/ and .dvc/: remove one of them so trail knows which to use"
        )


class YamlError(TrailError):
    """A YAML file that cannot be read: ``path:line: message`` (the one YAML error type)."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


class ResultsFileError(TrailError):
    """A params, metrics or plots file that cannot be parsed."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class LockError(TrailError):
    """The repository lock could not be taken in time."""


class ScmError(TrailError):
    """Git failed or is missing."""


class HashError(TrailError):
    """An unknown hash algorithm."""

    def __init__(self, name: str, where: str = "") -> None:
        self.name = name
        loc = f" in {where}" if where else ""
        super().__init__(f"unknown hash name '{name}'{loc} (known: blake3, md5, md5-dos2unix)")


class ObjectStoreError(TrailError):
    """Base of cache errors."""


class ObjectMissingError(ObjectStoreError):
    def __init__(self, oid: str) -> None:
        self.oid = oid
        super().__init__(f"object {oid} is not in the cache")


class CorruptObjectError(ObjectStoreError):
    def __init__(self, path: str, expected: str, actual: str) -> None:
        self.path, self.expected, self.actual = path, expected, actual
        super().__init__(
            f"corrupt cache object {path}: expected hash {expected}, got {actual} "
            "(run `trail fsck` to quarantine it, then re-add or pull the data)"
        )


class WorkspaceError(TrailError):
    """A path in the workspace is missing, outside the repository or unusable."""


class PathOutsideRepoError(WorkspaceError):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"path '{path}' is outside the repository")


class UnsafePathError(WorkspaceError):
    def __init__(self, path: str, where: str) -> None:
        self.path = path
        super().__init__(f"refusing path '{path}' from {where}: it would escape the repository")


class SymlinkedDirError(WorkspaceError):
    """``path`` is, or lies inside, ``link``: a symlink to a directory (DVC refuses it too)."""

    def __init__(self, path: str, link: str, target: str, action: str = "add") -> None:
        self.path, self.link, self.target = path, link, target
        where = "it is" if path == link else f"it is inside '{link}',"
        super().__init__(
            f"cannot {action} '{path}': {where} a symlink to a directory (→ {target}); trail "
            "does not track files inside symlinked directories: name the real directory instead"
        )


class FileChangedError(WorkspaceError):
    """A file kept changing while it was being hashed and stored."""

    def __init__(self, path: str, tries: int) -> None:
        self.path, self.tries = path, tries
        super().__init__(
            f"'{path}' changed while it was being added ({tries} tries); nothing was recorded "
            "for it: add it again once nothing is writing to it"
        )


class PointerFileError(TrailError):
    """A pointer file (``*.trail``/``*.dvc``) is malformed."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path, self.line = path, line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class CheckoutError(TrailError):
    def __init__(self, paths: Iterable[str], reason: str) -> None:
        self.paths = sorted(paths)
        shown = ", ".join(self.paths[:10]) + (" …" if len(self.paths) > 10 else "")
        super().__init__(f"checkout failed for {shown}: {reason}")


class DiskFullError(TrailError):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"no space left on device while writing {path}; nothing was recorded — "
            "free some space and run the command again"
        )


class NotTextError(TrailError):
    """A file trail reads as text (YAML, INI, ignore rules) holds bytes that are not UTF-8."""

    def __init__(self, path: str, line: int, byte: int) -> None:
        self.path, self.line, self.byte = path, line, byte
        super().__init__(
            f"{path}:{line}: not UTF-8 text (byte 0x{byte:02x}): save the file as UTF-8"
        )


class PermissionDeniedError(TrailError):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"permission denied: {path}")


class PipelineError(TrailError):
    """A pipeline file, lock file or stage is wrong, or a stage failed.

    ``where`` is ``file:line`` when known; ``stage`` names the stage concerned.
    """

    def __init__(self, message: str, *, where: str | None = None, stage: str | None = None) -> None:
        self.where, self.stage, self.message = where, stage, message
        parts = [where] if where else []
        if stage:
            parts.append(f"stage '{stage}'")
        super().__init__(f"{', '.join(parts)}: {message}" if parts else message)


class RemoteError(TrailError):
    """Base of errors about remote storage: configuration, reachability, transfers."""


class RemoteConfigError(ConfigError):
    """A remote is unknown, misnamed or badly configured."""


class RemoteBackendMissingError(RemoteError):
    """The Python package a remote's protocol needs is not installed."""

    def __init__(self, protocol: str, package: str, extra: str) -> None:
        self.protocol, self.package, self.extra = protocol, package, extra
        super().__init__(
            f"{protocol}:// remotes need the '{package}' package: pip install 'trail[{extra}]'"
        )


class RemoteAuthError(RemoteError):
    def __init__(self, url: str, detail: str = "") -> None:
        self.url = url
        more = f" ({detail})" if detail else ""
        super().__init__(
            f"access denied by remote {url}{more}: check its credentials "
            "(`trail remote modify <name> ...`)"
        )


class RemoteUnreachableError(RemoteError):
    def __init__(self, url: str, detail: str = "") -> None:
        self.url = url
        more = f" ({detail})" if detail else ""
        super().__init__(f"cannot reach remote {url}{more}: check its URL and endpoint")


class RemoteNotFoundError(RemoteError):
    def __init__(self, url: str, detail: str = "") -> None:
        self.url = url
        more = f" ({detail})" if detail else ""
        super().__init__(f"remote location {url} does not exist{more}: create it or fix the URL")


class RemoteReadOnlyError(RemoteError):
    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(f"remote {url} is read-only: push and gc -c need a writable remote")


class TransferError(RemoteError):
    """Some objects failed to move; the others did. ``failures`` maps object → reason."""

    def __init__(self, verb: str, failures: dict[str, str]) -> None:
        self.verb, self.failures = verb, dict(sorted(failures.items()))
        shown = "; ".join(f"{k}: {v}" for k, v in list(self.failures.items())[:5])
        more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
        super().__init__(
            f"{len(failures)} objects failed to {verb}: {shown}{more} — "
            "the others were transferred; run the command again to retry"
        )


class SourceDataError(RemoteError):
    """Data of another repository (``get``, ``import``, ``update``) could not be had;
    ``failures`` maps object → reason."""

    def __init__(self, url: str, path: str, failures: dict[str, str]) -> None:
        self.url, self.path, self.failures = url, path, dict(sorted(failures.items()))
        first, reason = next(iter(self.failures.items()))
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        super().__init__(
            f"cannot get '{path}' from {url}: object {first}: {reason}{more} — "
            "push it from that repository, or pick another remote with -r"
        )
