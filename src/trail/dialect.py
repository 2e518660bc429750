"""Names and defaults of the two dialects trail speaks: its own and DVC's (SPEC section 1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    control: str
    pipeline_file: str
    lock_file: str
    pointer_suffix: str
    ignore_file: str
    default_hash: str
    private_dir: str  # trail's own state (stat DB, logs, quarantine), relative to the root
    lock_path: str  # the repository lock, relative to the root
    env_root: tuple[str, ...]
    env_stage: tuple[str, ...]

    @property
    def cache_dir(self) -> str:
        return f"{self.control}/cache"


TRAIL = Dialect(
    name="trail",
    control=".trail",
    pipeline_file="trail.yaml",
    lock_file="trail.lock",
    pointer_suffix=".trail",
    ignore_file=".trailignore",
    default_hash="blake3",
    private_dir=".trail/tmp",
    lock_path=".trail/tmp/lock",
    env_root=("TRAIL_ROOT",),
    env_stage=("TRAIL_STAGE",),
)

DVC = Dialect(
    name="dvc",
    control=".dvc",
    pipeline_file="dvc.yaml",
    lock_file="dvc.lock",
    pointer_suffix=".dvc",
    ignore_file=".dvcignore",
    default_hash="md5",
    # DVC already git-ignores .dvc/tmp; trail keeps to its own corner of it.
    private_dir=".dvc/tmp/trail",
    # DVC's own lock file, so the two tools never write at the same time.
    lock_path=".dvc/tmp/lock",
    env_root=("TRAIL_ROOT", "DVC_ROOT"),
    env_stage=("TRAIL_STAGE", "DVC_STAGE"),
)

DIALECTS = {d.name: d for d in (TRAIL, DVC)}
