"""``trail status``: which stages and pointer files differ from the workspace, in DVC's shape."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from trail.index import collect, outputs
from trail.ops.common import has_pipeline_file, out_status
from trail.pointer import PointerFile
from trail.repo import Repo

if TYPE_CHECKING:
    from trail.pipeline.model import Stage


def status(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    check_updates: bool = True,
    warn: Callable[[str], None] | None = None,
    cwd: str | None = None,
) -> dict[str, list[Any]]:
    """``{"x.trail": [{"changed outs": {"x": "modified"}}], "train": ["changed command"]}``.

    Paths, pointer files and stages (``sub/dvc.yaml:train``) are named relative to ``cwd``
    (default: the repository root), as DVC names them.

    Imports also say ``changed deps: {"data (url)": "update available"}`` when their source
    moved on (with ``check_updates``: one ``git ls-remote`` per source) and ``changed
    checksum`` when their pointer file was edited by hand, as DVC does. A source that cannot
    be asked is told to ``warn``.
    """
    shown = _relative_to(repo, cwd)
    pfs = collect(repo)
    if targets:  # pointer files, outputs, stages (``trail.ops.targets``)
        from trail.ops.targets import resolve

        chosen = resolve(repo, targets, pfs=pfs)
        stages = chosen.involved_stages
        result = _stage_status(repo, stages, shown) if stages else {}
        tracked = chosen.tracked
    else:
        result = _stage_status(repo, None, shown)
        tracked = outputs(pfs)
    outs: dict[str, dict[str, str]] = {}
    for t in tracked:
        change = out_status(repo, t)
        if change is not None:
            outs.setdefault(t.pf.path, {})[shown(t.relpath)] = change
    files = sorted({t.pf.path: t.pf for t in tracked}.values(), key=lambda p: p.path)
    imports = import_status(repo, files, check_updates, warn)
    for pf in files:
        deps, checksum = imports.get(pf.path, ({}, False))
        entries: list[Any] = [{"changed deps": deps}] if deps else []
        if pf.path in outs:
            entries.append({"changed outs": outs[pf.path]})
        if checksum:
            entries.append("changed checksum")
        if entries:
            result[shown(pf.path)] = entries
    return result


def _relative_to(repo: Repo, cwd: str | None) -> Callable[[str], str]:
    """Repo-relative posix paths → relative to ``cwd``."""
    import os

    if cwd is None or os.path.abspath(cwd) == repo.root:
        return lambda path: path
    base = os.path.abspath(cwd)
    return lambda path: os.path.relpath(os.path.join(repo.root, path), base).replace(os.sep, "/")


def import_status(
    repo: Repo,
    pfs: Iterable[PointerFile],
    check_updates: bool,
    warn: Callable[[str], None] | None = None,
) -> dict[str, tuple[dict[str, str], bool]]:
    """Per import pointer file: its deps' news and whether its checksum is off."""
    from trail.importdeps import RepoDep, import_dep, stage_md5

    found: dict[str, tuple[dict[str, str], bool]] = {}
    asked: dict[tuple[str, str | None], str | None] = {}  # one question per source and revision
    for pf in pfs:
        if "deps" not in pf.top:
            continue
        dep = import_dep(pf.top, pf.path)
        if dep is None:
            continue
        news = {}
        if check_updates and isinstance(dep, RepoDep) and dep.source.rev_lock:
            key = (dep.source.url, dep.source.rev)
            if key not in asked:
                asked[key] = _moved(repo, dep.source.url, dep.source.rev, warn)
            if asked[key] != dep.source.rev_lock and asked[key] is not None:
                news[f"{dep.path} ({dep.source.url})"] = "update available"
        found[pf.path] = (news, pf.top.get("md5") != stage_md5(pf.to_dict()))
    return found


def _moved(repo: Repo, url: str, rev: str | None, warn: Callable[[str], None] | None) -> str | None:
    """The commit ``rev`` names in the source now; None if it cannot say (told to ``warn``)."""
    from trail.errors import ScmError
    from trail.ops.source import locate_url
    from trail.scm.remote_refs import resolve_remote

    try:
        return resolve_remote(locate_url(url, repo.root), rev)
    except ScmError as exc:
        if warn is not None:
            warn(f"cannot check {url} for updates: {exc}")
        return None


def _stage_status(
    repo: Repo, chosen: Sequence[Stage] | None, shown: Callable[[str], str]
) -> dict[str, list[Any]]:
    """Changes of the ``chosen`` stages (all of them when None), named and with paths as seen
    from the current directory (``shown``)."""
    if chosen is None and not has_pipeline_file(repo):
        return {}  # no pipeline: keep a plain status free of YAML
    from trail.pipeline import lockfile, scheduler
    from trail.pipeline.changes import stage_changes
    from trail.pipeline.load import load_pipelines

    stages = scheduler.all_stages(load_pipelines(repo)) if chosen is None else chosen
    locks: dict[str, dict[str, lockfile.LockEntry]] = {}
    result: dict[str, list[Any]] = {}
    for s in stages:
        if s.file not in locks:
            locks[s.file] = lockfile.read(
                repo.root, lockfile.lock_path_for(s.file, repo.dialect.lock_file)
            )
        changes = stage_changes(repo, s, locks[s.file].get(s.name))
        if changes:
            result[_stage_name(s, shown)] = _paths_shown(s, changes, shown)
    return result


def _stage_name(stage: Any, shown: Callable[[str], str]) -> str:
    """``train`` when its pipeline file is the one in the current directory, else
    ``path/to/dvc.yaml:train``, as DVC addresses stages."""
    import posixpath

    file = shown(stage.file)
    return stage.name if file == posixpath.basename(stage.file) else f"{file}:{stage.name}"


def _paths_shown(stage: Any, changes: list[Any], shown: Callable[[str], str]) -> list[Any]:
    """The stage's changes with its paths (as declared, relative to its wdir) shown from
    the current directory."""
    paths = {d.declared: d.path for d in (*stage.deps, *stage.params, *stage.outs)}
    out: list[Any] = []
    for change in changes:
        if isinstance(change, dict):
            change = {
                kind: {shown(paths.get(p, p)): what for p, what in detail.items()}
                for kind, detail in change.items()
            }
        out.append(change)
    return out
