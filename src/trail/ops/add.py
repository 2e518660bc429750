"""``trail add``: put files or directories in the cache and write their pointer files."""

from __future__ import annotations

import glob as globmod
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from trail import pointer
from trail.errors import WorkspaceError
from trail.index import Tracked, collect, outputs
from trail.ops.common import build_context, checkout_context
from trail.ops.locking import locked
from trail.paths import is_inside, repo_relpath
from trail.pointer import Output, PointerFile
from trail.progress import NULL, Progress
from trail.repo import Repo
from trail.types import Oid
from trail.workspace import gitignore
from trail.workspace.build import Built, build
from trail.workspace.checkout import Changes, checkout_dir, checkout_file
from trail.workspace.symlinks import refuse_for_storing


@dataclass
class AddResult:
    pointer_files: list[str] = field(default_factory=list)
    gitignores: list[str] = field(default_factory=list)


def expand(repo: Repo, targets: Sequence[str], use_glob: bool) -> list[str]:
    rels: list[str] = []
    for raw in targets:
        matches = sorted(globmod.glob(raw, recursive=True)) if use_glob else [raw]
        if use_glob and not matches:
            raise WorkspaceError(f"'{raw}' matches no file")
        for m in matches:
            rel = repo_relpath(repo.root, m)
            if rel not in rels:
                rels.append(rel)
    return rels


@locked
def add(
    repo: Repo,
    targets: Sequence[str],
    *,
    use_glob: bool = False,
    no_commit: bool = False,
    progress: Progress = NULL,
) -> AddResult:
    """Track ``targets``; with ``no_commit``, record their hashes without caching them (a
    later ``commit`` caches them, as with DVC's ``add --no-commit``)."""
    rels = expand(repo, targets, use_glob)
    pfs = collect(repo)
    tracked = outputs(pfs)
    plan = [_plan_one(repo, rel, tracked) for rel in rels]  # validate all before writing any
    _refuse_stage_outputs(repo, [rel for rel, existing in plan if existing is None])
    result = AddResult()
    for rel, existing in plan:
        target = existing.relpath if existing is not None else rel
        _add_one(repo, target, existing, result, progress, store=not no_commit)
    return result


def _refuse_stage_outputs(repo: Repo, rels: Sequence[str]) -> None:
    """A stage's output (or a path overlapping one) has an owner already: as DVC, refuse."""
    if not rels:
        return
    for file, stage, out in _stage_outputs(repo):
        for rel in rels:
            if rel == out or is_inside(rel, out) or is_inside(out, rel):
                raise WorkspaceError(
                    f"cannot update '{rel}': overlaps with an output of stage: '{stage}' in "
                    f"'{file}'. Run the pipeline or use `trail commit` to force update it."
                )


def _stage_outputs(repo: Repo) -> list[tuple[str, str, str]]:
    """(pipeline file, stage, output) of the root pipeline file and of those Git tracks
    (found without walking the workspace: ``add`` must stay fast on many files)."""
    name = repo.dialect.pipeline_file
    files = [name] if os.path.exists(repo.path(name)) else []
    if repo.scm is not None:
        listed = repo.scm.run("ls-files", "-z", "--", f"*/{name}", check=False)
        files += sorted(p for p in listed.split("\0") if p and os.path.exists(repo.path(p)))
    if not files:
        return []
    from trail.pipeline.load import load_pipeline

    found = []
    for file in files:
        for stage in load_pipeline(repo.root, file).stages.values():
            found += [(file, stage.name, out.path) for out in stage.outs]
    return found


def _plan_one(
    repo: Repo, rel: str, tracked: list[Tracked], must_exist: bool = True
) -> tuple[str, Tracked | None]:
    control = repo.dialect.control
    if rel == "." or rel.split("/")[0] in (".git", control):
        raise WorkspaceError(f"cannot track '{rel}': it is the repository or its internals")
    if rel.endswith(repo.dialect.pointer_suffix):
        raise WorkspaceError(f"cannot track '{rel}': it is a pointer file")
    if must_exist and not os.path.lexists(repo.path(rel)):
        raise WorkspaceError(f"'{rel}' does not exist")
    refuse_for_storing(repo.root, [rel], "add")
    for t in tracked:
        if t.relpath == rel or is_inside(rel, t.relpath):
            return rel, t  # re-adding an output, or a path inside a tracked directory
        if is_inside(t.relpath, rel):
            raise WorkspaceError(
                f"cannot track '{rel}': it contains '{t.relpath}', already tracked by {t.pf.path}"
            )
    ignore = repo.ignore_rules()
    ignore.load_ancestors(rel)
    if ignore.active and ignore.ignored(rel, os.path.isdir(repo.path(rel))):
        raise WorkspaceError(f"cannot track '{rel}': it is ignored by {repo.dialect.ignore_file}")
    if repo.scm is not None and repo.scm.is_tracked(rel):
        raise WorkspaceError(
            f"'{rel}' is already tracked by Git; run `git rm -r --cached {rel}` first"
        )
    return rel, None


def _add_one(
    repo: Repo,
    rel: str,
    existing: Tracked | None,
    result: AddResult,
    progress: Progress,
    store: bool = True,
) -> None:
    built = build(build_context(repo, store=store, progress=progress), rel)
    record(repo, rel, built, existing, result)
    if store:
        _link_back(repo, rel, built.oid, built.meta.isexec)


def record(repo: Repo, rel: str, built: Built, existing: Tracked | None, result: AddResult) -> None:
    """Write the pointer file of output ``rel`` (or update ``existing``'s) and git-ignore it."""
    if existing is not None:
        pf = existing.pf
        out = existing.out
        new = Output(out.path, built.oid, built.meta, out.options)
        outs = list(pf.outs)
        outs[existing.index] = new
        pf = pf.with_outs(tuple(outs))
    else:
        parent, name = os.path.split(rel)
        pf = PointerFile(
            pointer.pointer_path_for(rel, repo.dialect.pointer_suffix),
            (Output(name, built.oid, built.meta),),
        )
        assert parent == os.path.dirname(pf.path)
    pointer.write(repo.root, pf)
    result.pointer_files.append(pf.path)
    if repo.scm is not None:
        changed = gitignore.ignore(repo.root, rel)
        if changed and changed not in result.gitignores:
            result.gitignores.append(changed)


def _link_back(repo: Repo, rel: str, oid: Oid, isexec: bool) -> None:
    """With hardlink/symlink cache types the workspace should share the cache's bytes.

    Not forced: a file that changed since it was stored keeps its new content (the checkout
    refuses to replace content the cache does not hold)."""
    ctx = checkout_context(repo, relink=True)
    if ctx.linker.kind in ("copy", "reflink"):
        return
    changes = Changes()
    if oid.is_tree:
        checkout_dir(ctx, rel, oid, changes)
    else:
        checkout_file(ctx, rel, oid, isexec, changes)
