"""``repro <pointer file>``: a pointer file is a stage too (DVC's view). One that only tracks
data (a data source) or a frozen import is not run: its outputs are verified — hashed again,
cached and recorded, the import's stage checksum with them — as ``dvc repro`` does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from trail import pointer
from trail.index import outputs
from trail.ops.common import out_status
from trail.repo import Repo


@dataclass
class Verified:
    written: list[str] = field(default_factory=list)  # pointer files rewritten
    messages: list[str] = field(default_factory=list)  # what was done, in DVC's words


def is_pointer_target(repo: Repo, target: str) -> bool:
    import os

    return target.endswith(repo.dialect.pointer_suffix) and os.path.isfile(target)


def verify(
    repo: Repo, targets: Sequence[str], say: Callable[[str], None] = lambda _: None
) -> Verified:
    """Verify the outputs of the pointer files ``targets`` (paths from the current directory)."""
    from trail.importdeps import stage_md5
    from trail.ops.commit import commit
    from trail.paths import repo_relpath

    done = Verified()
    for target in targets:
        rel = repo_relpath(repo.root, target)
        pf = pointer.load(repo.root, rel)
        frozen = bool(pf.top.get("frozen"))
        changed = any(out_status(repo, t) is not None for t in outputs([pf]))
        if frozen and not changed:
            say(f"'{target}' didn't change, skipping")
            continue
        kind = "outputs in frozen stage" if frozen else "data sources in stage"
        say(f"Verifying {kind}: '{target}'")
        with repo.lock():
            written = commit(repo, [rel], force=True)
            if "md5" in pf.top:  # an import: its checksum covers the outputs just recorded
                fresh = pointer.load(repo.root, rel)
                checksum = stage_md5(fresh.to_dict())
                if fresh.top.get("md5") != checksum:
                    pointer.write(repo.root, replace(fresh, top={**fresh.top, "md5": checksum}))
                    written = list(dict.fromkeys([*written, rel]))
        done.written += written
    return done
