"""What ``import``, ``import-url`` and ``update`` share: where the output goes, the pointer file
they write (DVC's import format), and placing the data in the workspace."""

from __future__ import annotations

import os
from dataclasses import dataclass

from trail import pointer
from trail.errors import WorkspaceError
from trail.importdeps import Dep, stage_md5
from trail.index import collect, outputs
from trail.paths import is_inside, repo_relpath
from trail.pointer import Output, PointerFile
from trail.progress import NULL, Progress
from trail.repo import Repo
from trail.workspace.build import Built


@dataclass(frozen=True)
class ImportResult:
    pointer_file: str
    out: str  # repo-relative
    gitignore: str | None  # the .gitignore changed, if any
    downloaded: bool


def plan_out(repo: Repo, name: str, out: str | None, *, force: bool) -> tuple[str, str]:
    """(output path, pointer file path), repo-relative, as DVC resolves ``-o``: into ``out``
    when it is a directory. Refuses what would overwrite data or another output."""
    target = out or name
    if out and os.path.isdir(out) and not _is_output_of_own(repo, out):
        target = os.path.join(out, name)
    rel = repo_relpath(repo.root, target)
    if rel == "." or rel.split("/")[0] in (".git", repo.dialect.control):
        raise WorkspaceError(f"cannot import into '{rel}': it is the repository or its internals")
    pf_path = pointer.pointer_path_for(rel, repo.dialect.pointer_suffix)
    if not force:
        if os.path.lexists(repo.path(pf_path)):
            raise WorkspaceError(f"'{pf_path}' already exists: use -f to overwrite it")
        if os.path.lexists(repo.path(rel)):
            raise WorkspaceError(f"'{rel}' already exists: use -f to overwrite it, or -o OUT")
    for t in outputs(collect(repo)):
        if t.pf.path == pf_path:
            continue
        if t.relpath == rel or is_inside(rel, t.relpath) or is_inside(t.relpath, rel):
            raise WorkspaceError(f"'{rel}' overlaps '{t.relpath}', tracked by {t.pf.path}")
    if repo.scm is not None and repo.scm.is_tracked(rel):
        raise WorkspaceError(f"'{rel}' is tracked by Git; run `git rm -r --cached {rel}` first")
    return rel, pf_path


def _is_output_of_own(repo: Repo, out: str) -> bool:
    """``-o data`` naming the output of an import already there (re-import with -f)."""
    rel = repo_relpath(repo.root, out)
    return os.path.exists(repo.path(pointer.pointer_path_for(rel, repo.dialect.pointer_suffix)))


def make_pointer(
    repo: Repo,
    pf_path: str,
    dep: Dep,
    built: Built | None,
    *,
    old: PointerFile | None = None,
    with_md5: bool = True,
) -> PointerFile:
    """The import pointer file: ``md5, frozen, deps, outs`` as DVC writes them. An old one
    keeps its other keys, its output's options and its comments."""
    name = os.path.basename(pf_path)[: -len(repo.dialect.pointer_suffix)]
    options = dict(old.outs[0].options) if old is not None and old.outs else {}
    if built is not None:
        out = Output(name, built.oid, built.meta, options)
    else:  # not downloaded: only the hash name, as DVC writes it
        out = Output(name, None, options=options, extra={"hash": repo.algo})
    top = dict(old.top) if old is not None else {}
    top.pop("md5", None)
    top.update({"frozen": True, "deps": [dep.to_dict()]})
    pf = PointerFile(pf_path, (out,), top, old.text if old is not None else None)
    if with_md5:
        pf = PointerFile(pf_path, (out,), {**top, "md5": stage_md5(pf.to_dict())}, pf.text)
    return pf


def place(
    repo: Repo,
    out_rel: str,
    built: Built | None,
    *,
    force: bool,
    progress: Progress = NULL,
) -> None:
    """Check the imported object out at ``out_rel`` (already in the cache)."""
    if built is None:
        return
    from trail.errors import CheckoutError
    from trail.ops.common import checkout_context
    from trail.workspace.checkout import Changes, checkout_dir, checkout_file

    ctx = checkout_context(repo, force=force, progress=progress)
    changes = Changes()
    if built.oid.is_tree:
        checkout_dir(ctx, out_rel, built.oid, changes)
    else:
        checkout_file(ctx, out_rel, built.oid, built.meta.isexec, changes)
    if changes.missing:
        raise CheckoutError(changes.missing, "not in the cache after the import")


def finish(
    repo: Repo, pf: PointerFile, out_rel: str, built: Built | None, *, force: bool, **kw: object
) -> ImportResult:
    """Place the data, then write the pointer file (atomically) and the ``.gitignore`` entry."""
    from trail.workspace import gitignore

    place(repo, out_rel, built, force=force, **kw)  # type: ignore[arg-type]
    pointer.write(repo.root, pf)
    changed = gitignore.ignore(repo.root, out_rel) if repo.scm is not None else None
    return ImportResult(pf.path, out_rel, changed, built is not None)
