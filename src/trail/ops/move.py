"""``trail move``: rename a tracked output together with its pointer file."""

from __future__ import annotations

import os

from trail import pointer
from trail.errors import WorkspaceError
from trail.ops.locking import locked
from trail.ops.targets import resolve
from trail.paths import repo_relpath
from trail.pointer import Output, PointerFile
from trail.repo import Repo
from trail.workspace import gitignore


@locked
def move(repo: Repo, src: str, dst: str) -> str:
    """Returns the new pointer file's path."""
    targets = resolve(repo, [src]).outputs
    if len(targets) != 1 or targets[0].subpath is not None or targets[0].tracked is None:
        raise WorkspaceError(f"'{src}' is not a tracked output (name the output itself)")
    t = targets[0].tracked
    if len(t.pf.outs) != 1:
        raise WorkspaceError(f"{t.pf.path} tracks several outputs; move them one by one")
    if t.pf.top.get("cmd") or t.pf.top.get("deps"):
        raise WorkspaceError(f"{t.pf.path} is a stage; edit it instead of moving its output")
    dst_rel = repo_relpath(repo.root, dst)
    if os.path.isdir(repo.path(dst_rel)):
        base = os.path.basename(t.relpath)
        dst_rel = base if dst_rel == "." else f"{dst_rel}/{base}"
    if os.path.lexists(repo.path(dst_rel)):
        raise WorkspaceError(f"'{dst_rel}' already exists")
    if dst_rel.split("/")[0] in (".git", repo.dialect.control):
        raise WorkspaceError(f"cannot move into '{dst_rel}'")
    new_pf_path = dst_rel + repo.dialect.pointer_suffix
    if os.path.lexists(repo.path(new_pf_path)):
        raise WorkspaceError(f"'{new_pf_path}' already exists")
    os.makedirs(os.path.dirname(repo.path(dst_rel)) or repo.root, exist_ok=True)
    if os.path.lexists(repo.path(t.relpath)):
        os.rename(repo.path(t.relpath), repo.path(dst_rel))
    out = Output(os.path.basename(dst_rel), t.out.oid, t.out.meta, t.out.options, t.out.extra)
    new_pf = PointerFile(new_pf_path, (out,), t.pf.top, t.pf.text)
    pointer.write(repo.root, new_pf)
    os.unlink(repo.path(t.pf.path))
    if repo.scm is not None:
        gitignore.unignore(repo.root, t.relpath)
        gitignore.ignore(repo.root, dst_rel)
    return new_pf_path
