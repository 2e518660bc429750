"""``trail destroy``: stop using trail (or DVC) in a repository and keep the data — every
tracked file becomes a plain private copy (no link into the cache), then the pointer, pipeline,
lock and ignore files and the control directory (the cache with it) are removed, as ``dvc
destroy`` does. ``.gitignore`` entries stay."""

from __future__ import annotations

import os

from trail.repo import Repo


def destroy(repo: Repo) -> list[str]:
    """Returns the files and directories removed (repo-relative)."""
    from trail.index import collect, outputs
    from trail.ops.unprotect import _private_copy
    from trail.pipeline import lockfile
    from trail.pipeline.load import find_pipeline_files, load_pipelines
    from trail.workspace.links import is_linked

    pfs = collect(repo)
    pipelines = find_pipeline_files(repo)
    tracked = [t.relpath for t in outputs(pfs)]
    tracked += [o.path for p in load_pipelines(repo) for s in p.stages.values() for o in s.outs]
    removed: list[str] = []
    with repo.lock():
        for relpath in tracked:  # data first: nothing may point into the cache removed below
            base = repo.path(relpath)
            files = (
                [os.path.join(d, f) for d, _, names in os.walk(base) for f in names]
                if os.path.isdir(base) and not os.path.islink(base)
                else [base]
            )
            for path in files:
                if os.path.lexists(path) and (is_linked(path) or not os.access(path, os.W_OK)):
                    _private_copy(path)
        for path in (
            [pf.path for pf in pfs]
            + pipelines
            + [lockfile.lock_path_for(p, repo.dialect.lock_file) for p in pipelines]
        ):
            if os.path.exists(repo.path(path)):
                os.unlink(repo.path(path))
                removed.append(path)
        ignore = repo.path(repo.dialect.ignore_file)
        if os.path.exists(ignore):
            os.unlink(ignore)
            removed.append(repo.dialect.ignore_file)
    repo.close()
    import shutil

    shutil.rmtree(repo.control_dir)  # after the lock (it lives inside) is let go
    removed.append(repo.dialect.control)
    return removed
