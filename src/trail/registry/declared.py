"""Artifacts as pipeline files declare them (DVC 3's ``artifacts:`` section), in the workspace
or at a commit, and ``artifacts add``, which writes one keeping the file's comments.

An artifact of ``sub/dir/dvc.yaml`` is named ``sub/dir:NAME``; its ``path`` is relative to that
file's directory. The keys are DVC's, in DVC's order: ``path, desc, type, labels, meta``.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trail.errors import PathOutsideRepoError, PipelineError, TrailError, UsageError
from trail.registry.names import NAME_RE, check_artifact_name, split_name
from trail.repo import Repo


class UnknownArtifactError(TrailError):
    """No declaration or tag of ``name`` where it was looked for (``reason`` says where)."""

    def __init__(self, name: str, reason: str) -> None:
        # not ``where``: that attribute names a file:line for the web UI's error panel
        self.name, self.reason = name, reason
        super().__init__(f"unknown artifact '{name}': {reason}")


@dataclass(frozen=True)
class Declared:
    """One entry of an ``artifacts:`` section."""

    name: str  # the registry name: ``model`` or ``sub/dir:model``
    file: str  # the pipeline file declaring it, repo-relative
    path: str  # as written, relative to the pipeline file's directory
    desc: str | None = None
    type: str | None = None
    labels: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def repo_path(self) -> str:
        """The artifact's path relative to the repository root."""
        from trail.paths import safe_relpath

        base = posixpath.dirname(self.file)
        return safe_relpath(posixpath.join(base, self.path) if base else self.path, self.file)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.repo_path,
            "file": self.file,
            "type": self.type,
            "desc": self.desc,
            "labels": list(self.labels),
            "meta": dict(self.meta),
        }


def name_for(file: str, short: str) -> str:
    base = posixpath.dirname(file)
    return f"{base}:{short}" if base else short


def from_section(file: str, section: Any) -> list[Declared]:
    """The entries of one file's ``artifacts:`` mapping (already checked by the schema)."""
    found = []
    for short, entry in (section or {}).items():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
            continue
        meta = entry.get("meta")
        found.append(
            Declared(
                name=name_for(file, str(short)),
                file=file,
                path=entry["path"],
                desc=entry.get("desc"),
                type=entry.get("type"),
                labels=tuple(str(x) for x in entry.get("labels") or ()),
                meta=meta if isinstance(meta, Mapping) else {},
            )
        )
    return found


def declared(repo: Repo) -> list[Declared]:
    """Every artifact the workspace's pipeline files declare, root file first."""
    from trail.pipeline.load import load_pipelines

    return [d for p in load_pipelines(repo) for d in from_section(p.file, p.top.get("artifacts"))]


def pipeline_file_of(name: str, pipeline_name: str) -> str:
    dirname, _short = split_name(name)
    return posixpath.join(dirname, pipeline_name) if dirname else pipeline_name


def declared_at(git: Any, commit: str, name: str, pipeline_name: str) -> Declared:
    """The declaration of ``name`` in the pipeline file committed at ``commit``."""
    from trail.yamlio import load_with_nodes

    file = pipeline_file_of(name, pipeline_name)
    blobs = git.read_blobs(commit, [file])
    if file not in blobs:
        raise UnknownArtifactError(name, f"there is no '{file}' at commit {commit[:7]}")
    data, _marks = load_with_nodes(blobs[file].decode("utf-8", errors="replace"), file, core=True)
    section = data.get("artifacts") if isinstance(data, Mapping) else None
    _dir, short = split_name(name)
    for d in from_section(file, section):
        if d.name == name:
            return d
    raise UnknownArtifactError(
        name,
        f"'{file}' at commit {commit[:7]} does not declare it (`trail artifacts add {short}"
        " PATH`, then commit)",
    )


# ---- artifacts add ----------------------------------------------------------------------


@dataclass(frozen=True)
class AddResult:
    name: str
    file: str
    created: bool  # False: an existing declaration was replaced


def add(
    repo: Repo,
    name: str,
    path: str,
    *,
    type: str | None = None,
    desc: str | None = None,
    labels: Sequence[str] = (),
    meta: Mapping[str, Any] | None = None,
    cwd: str | None = None,
) -> AddResult:
    """Declare artifact ``name`` at ``path`` (relative to ``cwd``) in the pipeline file of
    ``cwd`` — or of ``sub/dir`` for a name ``sub/dir:NAME`` — as DVC writes it."""
    from trail.fsutil import atomic_write_text
    from trail.paths import repo_relpath
    from trail.pipeline.load import load_pipeline
    from trail.yamlwrite import edit_preserving

    cwd = cwd or os.getcwd()
    file, short = _target_file(repo, name, cwd)
    for label in labels:
        if not NAME_RE.match(label):
            raise UsageError(f"invalid label '{label}': use letters, digits, '-', '_' and '/'")
    rel = repo_relpath(repo.root, path, cwd)  # raises for a path outside the repository
    if rel == "." or rel.split("/")[0] in (".git", repo.dialect.control):
        raise UsageError(f"'{path}' cannot be an artifact: name a file or directory of the project")
    base = posixpath.dirname(file)
    stored = posixpath.relpath(rel, base) if base else rel
    entry: dict[str, Any] = {"path": stored}
    for key, value in (("desc", desc), ("type", type), ("labels", list(labels)), ("meta", meta)):
        if value:
            entry[key] = value  # DVC leaves empty annotations out
    old = _read(repo.path(file))
    if old.strip():  # a broken file is reported as such before it is rewritten
        load_pipeline(repo.root, file, text=old)
    created = True

    def edit(doc: Any) -> None:
        nonlocal created
        if not isinstance(doc, dict):
            raise PipelineError("a pipeline file must be a mapping", where=file)
        section = doc.get("artifacts")
        if section is None:
            doc["artifacts"] = section = {}
        created = short not in section
        section[short] = entry

    with repo.lock():
        new = edit_preserving(_read(repo.path(file)), edit)
        load_pipeline(repo.root, file, text=new)  # what is written must load
        atomic_write_text(repo.path(file), new)
    return AddResult(name_for(file, short), file, created)


def _target_file(repo: Repo, name: str, cwd: str) -> tuple[str, str]:
    from trail.paths import repo_relpath

    check_artifact_name(name)
    dirname, short = split_name(name)
    if dirname:
        base = posixpath.normpath(dirname)
        if base.startswith("../") or base == ".." or posixpath.isabs(base):
            raise PathOutsideRepoError(dirname)
    else:
        base = repo_relpath(repo.root, cwd)
    if base != "." and not os.path.isdir(repo.path(base)):
        raise UsageError(f"'{base}' is not a directory of this repository")
    file = repo.dialect.pipeline_file if base == "." else f"{base}/{repo.dialect.pipeline_file}"
    return file, short


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""
