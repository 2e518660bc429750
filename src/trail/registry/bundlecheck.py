"""``trail bundle verify``: every file of a bundle (folder or ``.tar.gz``) hashed again against
its manifest; files missing, changed or added are named."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from trail.registry.bundle import MANIFEST, BundleError, hash_tree


class BundleCorruptError(BundleError):
    def __init__(self, where: str, problems: dict[str, str]) -> None:
        self.where, self.problems = where, dict(sorted(problems.items()))
        shown = "; ".join(f"{k}: {v}" for k, v in list(self.problems.items())[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"bundle {where} does not match its manifest: {shown}{more}")


@dataclass(frozen=True)
class VerifyResult:
    where: str
    manifest: dict[str, Any]
    checked: int
    problems: dict[str, str] = field(default_factory=dict)


def is_archive(path: str) -> bool:
    return path.endswith((".tar.gz", ".tgz")) and os.path.isfile(path)


def read_manifest(path: str) -> dict[str, Any]:
    """The ``bundle.json`` of a bundle folder or archive."""
    if is_archive(path):
        import tarfile

        try:
            with tarfile.open(path, "r:gz") as tar:
                member = tar.extractfile(MANIFEST)
                data = member.read() if member is not None else b""
        except (OSError, KeyError, tarfile.TarError) as exc:
            raise BundleError(f"{path} is not a bundle: {exc}") from None
        return _parse(data, path)
    manifest = os.path.join(path, MANIFEST)
    if not os.path.isfile(manifest):
        raise BundleError(f"{path} is not a bundle: it has no {MANIFEST}")
    with open(manifest, "rb") as f:
        return _parse(f.read(), path)


def _parse(data: bytes, where: str) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise BundleError(f"{where}/{MANIFEST} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise BundleError(f"{where}/{MANIFEST} lists no files: it is not a trail bundle")
    return manifest


def verify(path: str) -> VerifyResult:
    """Hash every file again; raises ``BundleCorruptError`` naming each one that differs."""
    manifest = read_manifest(path)
    actual = _hash_archive(path) if is_archive(path) else hash_tree(path)
    expected: dict[str, Any] = manifest["files"]
    problems: dict[str, str] = {}
    for name, want in expected.items():
        have = actual.get(name)
        if have is None:
            problems[name] = "missing"
        elif have["sha256"] != want.get("sha256"):
            problems[name] = (
                f"changed (sha256 {have['sha256'][:12]}…, expected {str(want.get('sha256'))[:12]}…)"
            )
    for name in actual:
        if name not in expected:
            problems[name] = "not in the manifest"
    if problems:
        raise BundleCorruptError(path, problems)
    return VerifyResult(path, manifest, len(expected))


def _hash_archive(path: str) -> dict[str, dict[str, Any]]:
    import tarfile

    found: dict[str, dict[str, Any]] = {}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            if not member.isfile() or member.name == MANIFEST:
                continue
            stream = tar.extractfile(member)
            assert stream is not None
            digest = _sha256_stream(stream)
            found[member.name] = {"sha256": digest, "size": member.size}
    return found


def _sha256_stream(stream: Any) -> str:
    import hashlib

    h = hashlib.sha256()
    while chunk := stream.read(1 << 20):
        h.update(chunk)
    return h.hexdigest()


def unpack(path: str, dest: str) -> None:
    """Extract a bundle archive into ``dest``, refusing members that would land outside it."""
    import tarfile

    from trail.errors import UnsafePathError
    from trail.paths import safe_relpath

    with tarfile.open(path, "r:gz") as tar:
        members = tar.getmembers()
        for member in members:
            safe_relpath(member.name, path)
            if not (member.isfile() or member.isdir()):
                raise UnsafePathError(member.name, path)
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            tar.extractall(dest, members=members, filter="data")
        else:  # every member was checked above
            tar.extractall(dest, members=members)
