"""``trail bundle``: a version of an artifact as a deployable folder (or ``.tar.gz``).

```
bundle.json        name, version, stage, commit; the artifact's declaration; its lineage; the
                   metrics at that commit; the environment of the run that made it; the
                   SHA-256 and size of every other file
requirements.txt   the packages of that environment, ``name==version``
files/...          the artifact (and its serving module, if its meta names one), at the paths
                   they have in the repository
```

The bundle is made in a temporary folder beside its destination and moved into place whole:
an interrupted ``bundle`` leaves nothing half-written under the name asked for.
"""

from __future__ import annotations

import datetime
import json
import os
import posixpath
import shutil
from dataclasses import dataclass
from typing import Any

from trail.errors import TrailError, UsageError
from trail.progress import NULL, Progress
from trail.registry.declared import Declared, declared_at
from trail.registry.names import Spec
from trail.registry.resolve import Resolved, resolve
from trail.repo import Repo

MANIFEST = "bundle.json"
REQUIREMENTS = "requirements.txt"
FILES = "files"
FORMAT = "trail-bundle/1"


class BundleError(TrailError):
    """A bundle cannot be made, read or trusted."""


@dataclass(frozen=True)
class BundleResult:
    path: str
    manifest: dict[str, Any]


def loader_spec(meta: Any) -> tuple[str, str] | None:
    """``serve: src/serve.py:load`` in an artifact's meta → (module file, function name)."""
    if not isinstance(meta, dict) or not meta.get("serve"):
        return None
    text = str(meta["serve"])
    module, sep, func = text.rpartition(":")
    if not sep or not module or not func.isidentifier():
        raise UsageError(f"meta 'serve: {text}' must name a file and a function: FILE.py:FUNCTION")
    return module, func


def loader_path(declared: Declared) -> str | None:
    """The repo-relative path of the artifact's serving module, if its meta names one."""
    from trail.paths import safe_relpath

    spec = loader_spec(dict(declared.meta))
    if spec is None:
        return None
    base = posixpath.dirname(declared.file)
    return safe_relpath(posixpath.join(base, spec[0]) if base else spec[0], declared.file)


def describe(repo: Repo, spec: Spec) -> tuple[Resolved, Declared, dict[str, Any]]:
    """What a bundle of ``spec`` says, without its files: the manifest minus ``files``."""
    from trail.registry.load import git_of, load_registry

    git = git_of(repo.root, repo.scm)
    resolved = resolve(load_registry(git), spec)
    declared = declared_at(git, resolved.commit, spec.name, repo.dialect.pipeline_file)
    return resolved, declared, _manifest(repo, resolved, declared)


def _manifest(repo: Repo, resolved: Resolved, declared: Declared) -> dict[str, Any]:
    from trail.registry.envrecord import environment_for
    from trail.registry.lineage import lineage_at

    lineage = lineage_at(repo, resolved.commit, declared.repo_path)
    producer = next((s for s in lineage.stages if s["name"] == lineage.produced_by), None)
    outs = {o["path"]: o["hash"] for o in producer["outs"]} if producer else {}
    return {
        "format": FORMAT,
        **resolved.to_dict(),
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "artifact": declared.to_dict(),
        "lineage": lineage.to_dict(),
        "metrics": _metrics(repo, resolved.commit),
        "environment": environment_for(repo, lineage.produced_by, outs),
    }


def _metrics(repo: Repo, commit: str) -> dict[str, Any]:
    from trail.ops.revisions import open_rev
    from trail.results.collect import metrics_of

    return metrics_of(open_rev(repo, commit)).data


def bundle(
    repo: Repo,
    spec: Spec,
    out: str,
    *,
    force: bool = False,
    remote: str | None = None,
    progress: Progress = NULL,
) -> BundleResult:
    """Write the bundle of ``spec`` to ``out``: a folder, or a ``.tar.gz`` file."""
    from trail.registry.envrecord import requirements
    from trail.registry.materialize import materialize

    dest = os.path.abspath(out)
    archive = out.endswith((".tar.gz", ".tgz"))
    _check_dest(dest, out, force)
    resolved, declared, manifest = describe(repo, spec)
    paths = [declared.repo_path]
    module = loader_path(declared)
    if module is not None and module not in paths:
        paths.append(module)
    parent = os.path.dirname(dest)
    os.makedirs(parent, exist_ok=True)
    staging = new_tmp_dir(parent)  # beside the destination: moved into place by a rename
    try:
        materialize(
            repo,
            resolved.commit,
            paths,
            os.path.join(staging, FILES),
            remote=remote,
            progress=progress,
        )
        _write(os.path.join(staging, REQUIREMENTS), requirements(manifest["environment"]))
        manifest["files"] = hash_tree(staging)
        _write(os.path.join(staging, MANIFEST), json.dumps(manifest, indent=1) + "\n")
        if archive:
            _pack(staging, dest, sorted(manifest["files"]))
        else:
            _move_into_place(staging, dest, force)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BundleResult(dest, manifest)


def new_tmp_dir(parent: str) -> str:
    """A fresh temporary folder in ``parent``, named so that one a killed process left is
    recognised (by its pid) and removed by the next call."""
    from trail.fsutil import remove_tree, stale_tmp, tmp_name

    for name in os.listdir(parent):
        if stale_tmp(name):
            remove_tree(os.path.join(parent, name))
    path = tmp_name(parent)
    os.mkdir(path)
    return path


def _check_dest(dest: str, shown: str, force: bool) -> None:
    if not os.path.lexists(dest) or force:
        return
    if os.path.isdir(dest) and not os.listdir(dest):
        return
    raise UsageError(f"'{shown}' already exists (use -f to replace it)")


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def hash_tree(root: str) -> dict[str, dict[str, Any]]:
    """``relative posix path`` → ``{"sha256", "size"}`` of every file under ``root`` except
    the manifest itself."""
    found = {}
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if rel != MANIFEST:
                found[rel] = {"sha256": sha256_file(full), "size": os.path.getsize(full)}
    return found


def sha256_file(path: str) -> str:
    import hashlib

    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _move_into_place(staging: str, dest: str, force: bool) -> None:
    old = None
    if os.path.lexists(dest):
        old = new_tmp_dir(os.path.dirname(dest))
        os.rename(dest, os.path.join(old, "previous"))
    os.rename(staging, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _pack(staging: str, dest: str, names: list[str]) -> None:
    """A ``.tar.gz`` of the bundle (files in sorted order, bundle.json first), written to a
    temporary name and renamed."""
    import tarfile

    from trail.fsutil import atomic_fill

    def fill(tmp: str) -> None:
        with tarfile.open(tmp, "w:gz") as tar:
            tar.add(os.path.join(staging, MANIFEST), arcname=MANIFEST)
            for rel in names:
                tar.add(os.path.join(staging, rel), arcname=rel)

    atomic_fill(dest, fill, makedirs=False)
