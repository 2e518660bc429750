"""``trail freeze``/``unfreeze``: set or drop ``frozen: true`` on stages.

Only the lines of the stages named change: the ``frozen`` line is added at the end of the stage
(where DVC adds it), its value replaced, or the line removed. Everything else in the file —
comments, quotes, how each list is indented — stays byte for byte, so on a file in DVC's own
layout the result is the bytes ``dvc freeze`` writes. The repository lock is held from the read
to the write, so no other writer's change to the file is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trail.errors import PipelineError
from trail.fsutil import atomic_write_text, read_text
from trail.repo import Repo

Edit = tuple[int, int, str]  # replace text[start:end] with the string


def _split(repo: Repo, target: str) -> tuple[str, str]:
    if ":" in target:
        file, name = target.rsplit(":", 1)
        return file, name
    return repo.dialect.pipeline_file, target


def freeze(repo: Repo, targets: Sequence[str], *, frozen: bool = True) -> list[str]:
    """Rewrite the pipeline files naming ``targets``; returns the files changed."""
    by_file: dict[str, list[str]] = {}
    for t in targets:
        file, name = _split(repo, t)
        by_file.setdefault(file, []).append(name)
    with repo.lock():
        texts = {}
        for file, names in by_file.items():  # check every target before writing anything
            try:
                text = read_text(repo.path(file), file)
            except FileNotFoundError:
                raise PipelineError(f"'{file}' does not exist") from None
            texts[file] = apply_edits(text, _edits(text, file, names, frozen))
        for file, text in texts.items():
            atomic_write_text(repo.path(file), text)
    return list(by_file)


def apply_edits(text: str, edits: list[Edit]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _edits(text: str, file: str, names: list[str], frozen: bool) -> list[Edit]:
    from trail.yamlcore import MappingNode, parse

    _data, root = parse(text, file, True)
    stages = _value(root, "stages")
    if not isinstance(stages, MappingNode):
        stages = None
    edits: list[Edit] = []
    for name in dict.fromkeys(names):
        stage = _value(stages, name) if stages is not None else None
        if not isinstance(stage, MappingNode):
            raise PipelineError(f"no stage named '{name}'", where=file)
        if stage.flow_style:
            raise PipelineError(
                f"stage '{name}' is written in flow style ({{...}}): write it as a block "
                "mapping, or add `frozen: true` by hand",
                where=f"{file}:{stage.start_mark.line + 1}",
            )
        edit = _stage_edit(text, stage, frozen)
        if edit is not None:
            edits.append(edit)
    return edits


def _value(mapping: Any, key: str) -> Any:
    for k, v in getattr(mapping, "value", None) or ():
        if getattr(k, "value", None) == key:
            return v
    return None


def _stage_edit(text: str, stage: Any, frozen: bool) -> Edit | None:
    for key, value in stage.value:
        if key.value == "frozen":
            if not frozen:
                start = text.rfind("\n", 0, key.start_mark.index) + 1
                return start, _line_end(text, value.end_mark.index), ""
            if value.value == "true":
                return None
            return value.start_mark.index, value.end_mark.index, "true"
    if not frozen or not stage.value:
        return None
    indent = stage.value[0][0].start_mark.column
    at = _after_last_value(text, stage)
    lead = "" if at == 0 or text[at - 1] == "\n" else "\n"
    return at, at, f"{lead}{' ' * indent}frozen: true\n"


def _after_last_value(text: str, stage: Any) -> int:
    """Where a new last key of ``stage`` starts: after the line its last value ends on."""
    from trail.yamlcore import CollectionNode, MappingNode, ScalarNode

    key, node = stage.value[-1]
    while isinstance(node, CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        key, node = last if isinstance(node, MappingNode) else (key, last)
    if isinstance(node, ScalarNode) and node.value == "" and not node.style:
        return _line_end(text, key.end_mark.index)  # an empty value: its key ends the line
    end: int = node.end_mark.index
    if end > 0 and text[end - 1] == "\n":
        return end  # a block scalar (``|``) ends after its last line
    return _line_end(text, end)


def _line_end(text: str, index: int) -> int:
    """The start of the line after the one holding ``index`` (the text's end if none)."""
    nl = text.find("\n", index)
    return len(text) if nl < 0 else nl + 1
