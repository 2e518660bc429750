"""``plots modify``: set or unset display properties of a plot a stage declares, in the
pipeline file, keeping its comments and layout (as ``dvc plots modify`` writes it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trail.errors import PipelineError
from trail.repo import Repo

DISPLAY_PROPS = ("template", "x", "y", "header", "title", "x_label", "y_label")


@dataclass(frozen=True)
class Modified:
    stage: str
    file: str


def modify(
    repo: Repo, target: str, props: Mapping[str, Any], unset: Sequence[str] = ()
) -> Modified:
    """Set ``props`` (in DVC's order) and drop ``unset`` on the stage plot ``target`` (a path
    relative to the current directory); an unset property the plot does not have is an error,
    and nothing is written then."""
    from trail import yamlwrite
    from trail.fsutil import atomic_write_text
    from trail.ops.metrics import repo_paths
    from trail.pipeline.load import load_pipelines
    from trail.pipeline.model import OutKind

    path = repo_paths(repo, [target])[0]
    for pipeline in load_pipelines(repo):
        for stage in pipeline.stages.values():
            for out in stage.outs:
                if out.kind is OutKind.PLOT and out.path == path:
                    ry = yamlwrite.round_trip(preserve_quotes=True)
                    with open(repo.path(pipeline.file), encoding="utf-8") as f:
                        doc = ry.load(f)
                    plots = doc["stages"][stage.name]["plots"]
                    _edit(plots, out.declared, props, unset)
                    text = yamlwrite.write(ry, doc)
                    with repo.lock():
                        atomic_write_text(repo.path(pipeline.file), text)
                    return Modified(stage.name, pipeline.file)
    raise PipelineError(f"no stage declares the plot '{target}' (in its `plots:`)")


def _edit(plots: Any, declared: str, props: Mapping[str, Any], unset: Sequence[str]) -> None:
    from trail import yamlwrite

    CommentedMap = yamlwrite.commented_map()
    for i, item in enumerate(plots):
        name = item if isinstance(item, str) else next(iter(item), None)
        if name != declared:
            continue
        entry = item[name] if isinstance(item, Mapping) else None
        missing = [p for p in unset if entry is None or p not in entry or p not in DISPLAY_PROPS]
        if missing:
            raise PipelineError(f"display properties {missing} not found in plot '{declared}'")
        if entry is None:
            entry = CommentedMap()
            plots[i] = CommentedMap([(declared, entry)])
        for key in DISPLAY_PROPS:
            if key in props:
                entry[key] = props[key]
        for key in unset:
            del entry[key]
        if not entry:
            plots[i] = declared
        return
