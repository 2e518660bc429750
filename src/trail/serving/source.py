"""What ``trail serve`` serves: a version of an artifact of the registry (its files and serving
module checked out from that commit into a private folder), or a bundle (verified first)."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

from trail.registry.bundle import FILES, loader_spec
from trail.registry.names import Spec
from trail.repo import Repo
from trail.serving.loader import Loaded, LoaderError, load_model


@dataclass
class Served:
    """A loaded model and the folder its files were put in (removed by ``close``)."""

    loaded: Loaded
    workdir: str | None = None

    def close(self) -> None:
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


def _missing_loader(name: str) -> LoaderError:
    return LoaderError(
        f"artifact '{name}' names no serving function: add `meta: {{serve: FILE.py:FUNCTION}}` "
        "to its entry in the pipeline file (`trail artifacts add NAME PATH --meta "
        "serve=src/serve.py:load`)"
    )


def from_registry(repo: Repo, spec: Spec, *, resolved: Any = None) -> Served:
    """Check out and load the version ``spec`` names now (or ``resolved``, already found)."""
    from trail.registry.bundle import loader_path
    from trail.registry.declared import declared_at
    from trail.registry.load import git_of, load_registry
    from trail.registry.materialize import materialize
    from trail.registry.resolve import resolve

    git = git_of(repo.root, repo.scm)
    if resolved is None:
        resolved = resolve(load_registry(git), spec)
    declared = declared_at(git, resolved.commit, spec.name, repo.dialect.pipeline_file)
    module = loader_path(declared)
    func = loader_spec(dict(declared.meta))
    if module is None or func is None:
        raise _missing_loader(spec.name)
    from trail.registry.bundle import new_tmp_dir

    root = os.path.join(repo.private_dir, "serve")
    os.makedirs(root, exist_ok=True)
    workdir = new_tmp_dir(root)  # one a killed server left is removed here
    try:
        paths = list(dict.fromkeys([declared.repo_path, module]))
        materialize(repo, resolved.commit, paths, workdir)
        loaded = load_model(
            os.path.join(workdir, module),
            func[1],
            os.path.join(workdir, declared.repo_path),
            resolved.to_dict(),
        )
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return Served(loaded, workdir)


def from_bundle(path: str) -> Served:
    """Verify the bundle at ``path`` (a folder or ``.tar.gz``), then load its model."""
    from trail.paths import safe_relpath
    from trail.registry.bundlecheck import is_archive, unpack, verify

    manifest = verify(path).manifest
    workdir = None
    if is_archive(path):
        workdir = tempfile.mkdtemp(prefix="trail-serve-")
        unpack(path, workdir)
        folder = workdir
    else:
        folder = path
    try:
        artifact = manifest.get("artifact") or {}
        name = str(manifest.get("name"))
        spec = loader_spec(artifact.get("meta") or {})
        if spec is None:
            raise _missing_loader(name)
        base = os.path.dirname(str(artifact.get("file") or ""))
        module = safe_relpath(os.path.join(base, spec[0]) if base else spec[0], "bundle.json")
        target = safe_relpath(str(artifact.get("path")), "bundle.json")
        info = {k: manifest.get(k) for k in ("name", "version", "stage", "commit")}
        loaded = load_model(
            os.path.join(folder, FILES, module),
            spec[1],
            os.path.join(folder, FILES, target),
            info,
        )
    except BaseException:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
        raise
    return Served(loaded, workdir)
