"""``trail doctor``: check the things trail relies on, each with a fix when it fails."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from trail.errors import TrailError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    warning: bool = False  # works, but the user should know (does not fail ``doctor``)


def _link_support(cache_dir: str) -> str:
    """Which link kinds work between the cache and the workspace on this filesystem."""
    import tempfile

    from trail.odb.local import try_reflink

    os.makedirs(cache_dir, exist_ok=True)
    works = []
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        src = os.path.join(tmp, "src")
        with open(src, "wb") as f:
            f.write(b"x")
        if try_reflink(src, os.path.join(tmp, "reflink")):
            works.append("reflink")
        for kind, fn in (("hardlink", os.link), ("symlink", os.symlink)):
            try:
                fn(src, os.path.join(tmp, kind))
                works.append(kind)
            except OSError:
                pass
    works.append("copy")
    return ",".join(works)


def _shared_bytes_warning(kinds: list[str]) -> Check:
    """Linked workspace files are the cached objects themselves: the read-only bit is all that
    protects the cache, and root ignores it."""
    who = "you are root, and root ignores the read-only bit: " if os.geteuid() == 0 else ""
    return Check(
        "linked files",
        True,
        f"cache.type {'/'.join(kinds)}: workspace files are the cached objects themselves, "
        f"read-only; {who}a write to one (by root, or after a chmod) changes the cached object "
        "too and the recorded content is lost. Run `trail unprotect <path>` before editing; "
        "`trail status` shows such damage as 'corrupt in cache' and `trail fsck` finds it",
        warning=True,
    )


def doctor(start: str) -> list[Check]:
    from trail.repo import Repo

    checks = [
        Check(
            "git",
            shutil.which("git") is not None,
            shutil.which("git") or "git not found: install it (apt-get install git)",
        )
    ]
    try:
        repo = Repo.find(start)
    except TrailError as exc:
        checks.append(Check("repository", False, str(exc)))
        return checks
    checks.append(Check("repository", True, f"{repo.root} ({repo.dialect.name} dialect)"))
    try:
        kinds = repo.linker().kinds
        checks.append(Check("config", True, f"cache.type = {','.join(kinds)}"))
        shared = [k for k in kinds[: kinds.index("copy") if "copy" in kinds else None]
                  if k in ("hardlink", "symlink")]  # fmt: skip
        if shared:
            checks.append(_shared_bytes_warning(shared))
    except TrailError as exc:
        checks.append(Check("config", False, str(exc)))
    cache = repo.cache_dir
    writable = os.access(cache if os.path.exists(cache) else os.path.dirname(cache), os.W_OK)
    checks.append(Check("cache writable", writable, cache))
    if writable:
        checks.append(Check("link types", True, f"supported here: {_link_support(cache)}"))
    usage = shutil.disk_usage(os.path.dirname(cache) if not os.path.exists(cache) else cache)
    free_gb = usage.free / 2**30
    checks.append(Check("free space", free_gb > 1, f"{free_gb:.1f} GiB free for the cache"))
    return checks
