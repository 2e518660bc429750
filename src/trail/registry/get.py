"""``artifacts get``: a version of an artifact of another repository (a path or a Git URL),
found through that repository's registry tags, its bytes from that repository's remote."""

from __future__ import annotations

import contextlib
import os
import posixpath
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from trail.progress import NULL, Progress
from trail.registry.declared import Declared, UnknownArtifactError, declared_at
from trail.registry.names import Spec
from trail.registry.resolve import Resolved, resolve
from trail.scm.git import Git


@dataclass(frozen=True)
class GetArtifactResult:
    resolved: Resolved
    declared: Declared
    path: str  # where the copy was written


def get_artifact(
    url: str,
    spec: Spec,
    *,
    out: str | None = None,
    remote: str | None = None,
    jobs: int | None = None,
    progress: Progress = NULL,
) -> GetArtifactResult:
    from trail.ops.get import get
    from trail.registry.load import load_registry

    with registry_git(url) as git:
        resolved = resolve(load_registry(git), spec)
        found = declared_in(git, resolved.commit, spec.name)
    dest = out or posixpath.basename(found.repo_path.rstrip("/"))
    done = get(
        url,
        found.repo_path,
        out=dest,
        rev=resolved.commit,
        remote=remote,
        jobs=jobs,
        progress=progress,
    )
    return GetArtifactResult(resolved, found, done.path)


def declared_in(git: Git, commit: str, name: str) -> Declared:
    """The declaration at ``commit``, in whichever dialect's pipeline file holds it."""
    errors: list[UnknownArtifactError] = []
    for pipeline_name in ("dvc.yaml", "trail.yaml"):
        try:
            return declared_at(git, commit, name, pipeline_name)
        except UnknownArtifactError as exc:
            errors.append(exc)
    # a file that exists but lacks the name says more than one that does not exist
    raise next((e for e in errors if "does not declare" in e.reason), errors[0])


@contextlib.contextmanager
def registry_git(url: str) -> Iterator[Git]:
    """The Git repository whose tags are the registry: a local one as it is, anything else
    cloned bare without file contents (tags, commits and trees only)."""
    from trail.errors import ScmError
    from trail.ops.source import locate_url

    location = locate_url(url, ".")
    if os.path.isdir(location):
        git = Git(location)
        if not git.run("rev-parse", "--git-dir", check=False).strip():
            raise ScmError(f"cannot read repository {url}: not a Git repository")
        yield git
        return
    with tempfile.TemporaryDirectory(prefix="trail-registry-") as tmp:
        dest = os.path.join(tmp, "repo.git")
        code, _out, err = Git(tmp).run_env(
            "clone",
            "-q",
            "--bare",
            "--filter=blob:none",
            location,
            dest,
            env={"GIT_TERMINAL_PROMPT": "0"},
            check=False,
        )
        if code != 0:
            lines = [ln for ln in err.strip().splitlines() if ln.startswith("fatal:")] or [err]
            raise ScmError(f"cannot read repository {url}: {lines[0].removeprefix('fatal: ')}")
        yield Git(dest)
