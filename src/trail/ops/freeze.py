"""``trail freeze``/``unfreeze``: set or drop ``frozen: true`` on stages, keeping comments."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from trail.errors import PipelineError
from trail.fsutil import atomic_write_text
from trail.repo import Repo


def _split(repo: Repo, target: str) -> tuple[str, str]:
    if ":" in target:
        file, name = target.rsplit(":", 1)
        return file, name
    return repo.dialect.pipeline_file, target


def freeze(repo: Repo, targets: Sequence[str], *, frozen: bool = True) -> list[str]:
    """Rewrite the pipeline files naming ``targets``; returns the files changed."""
    from ruamel.yaml import YAML

    by_file: dict[str, list[str]] = {}
    for t in targets:
        file, name = _split(repo, t)
        by_file.setdefault(file, []).append(name)
    ry = YAML()
    ry.preserve_quotes = True
    ry.indent(mapping=2, sequence=4, offset=2)
    docs: dict[str, Any] = {}
    for file, names in by_file.items():  # check every target before writing anything
        try:
            with open(repo.path(file), encoding="utf-8") as f:
                doc = ry.load(f)
        except FileNotFoundError:
            raise PipelineError(f"'{file}' does not exist") from None
        stages = (doc or {}).get("stages") or {}
        for name in names:
            if name not in stages:
                raise PipelineError(f"no stage named '{name}'", where=file)
        docs[file] = doc
    with repo.lock():
        for file, names in by_file.items():
            stages = docs[file]["stages"]
            for name in names:
                if frozen:
                    stages[name]["frozen"] = True
                else:
                    stages[name].pop("frozen", None)
            buf = io.StringIO()
            ry.dump(docs[file], buf)
            atomic_write_text(repo.path(file), buf.getvalue())
    return list(by_file)
