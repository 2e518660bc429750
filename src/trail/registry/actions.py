"""Changing the registry: ``register``, ``assign``, ``unassign``, ``deprecate`` — each one
annotated Git tag, named and worded as GTO 1.10 makes it, written only after every check passed.

Tags are made under the repository lock, so two trail processes never pick the same stage
counter; the tag ref is created only if absent, so a clash with another tool fails cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass

from trail.errors import TrailError, UsageError
from trail.registry import semver
from trail.registry.declared import UnknownArtifactError, declared_at
from trail.registry.load import allowed_stages, git_of, load_registry
from trail.registry.names import (
    Action,
    check_artifact_name,
    check_stage_name,
    format_tag,
    parse_tag,
)
from trail.registry.state import Artifact, Registry, Version
from trail.repo import Repo
from trail.scm.git import Git

DEFAULT_REMOTE = "origin"


class RegistryError(TrailError):
    """A registry action that the registry's state does not allow."""


@dataclass(frozen=True)
class ActionResult:
    tag: str
    name: str
    commit: str
    version: str | None = None
    stage: str | None = None
    pushed_to: str | None = None
    registered: ActionResult | None = None  # the registration an ``assign`` made first


def register(
    repo: Repo,
    name: str,
    rev: str = "HEAD",
    *,
    version: str | None = None,
    bump: str | None = None,
    message: str | None = None,
    push: bool = False,
    remote: str = DEFAULT_REMOTE,
) -> ActionResult:
    """Register a version of ``name`` at ``rev``: ``version`` given, else the latest one
    bumped (``bump``: major, minor or patch; patch by default), else v0.0.1."""
    check_artifact_name(name)
    if version is not None and bump is not None:
        raise UsageError("give either --version or --bump, not both")
    _check_version(version)
    if bump is not None and bump not in semver.BUMPS:
        raise UsageError(f"invalid --bump '{bump}': use major, minor or patch")
    git = git_of(repo.root, repo.scm)
    commit = git.resolve(rev)
    declared_at(git, commit, name, repo.dialect.pipeline_file)  # it must exist there
    with repo.lock():
        artifact = load_registry(git).find(name) or Artifact(name)
        chosen = _new_version(artifact, name, commit, version, bump)
        tag = format_tag(Action.REGISTER, name, version=chosen)
        text = message or f"Registering artifact {name} version {chosen}"
        _create(git, tag, commit, text, _after_last_event(artifact))
    pushed = _push(git, tag, remote) if push else None
    return ActionResult(tag, name, commit, version=chosen, pushed_to=pushed)


def _new_version(
    artifact: Artifact, name: str, commit: str, version: str | None, bump: str | None
) -> str:
    at_commit = _one(artifact.find_versions(commit=commit))
    if at_commit is not None:
        if at_commit.is_registered and at_commit.is_active:
            raise RegistryError(
                f"commit {commit[:7]} is already version {at_commit.version} of '{name}'"
            )
        if version is None:
            return at_commit.version
        if version != at_commit.version:
            raise RegistryError(
                f"commit {commit[:7]} was version {at_commit.version} of '{name}': "
                f"only {at_commit.version} can be registered at it again"
            )
    if version is not None:
        existing = _one(artifact.find_versions(name=version))
        if existing is not None and existing is not at_commit:
            raise RegistryError(
                f"version {version} of '{name}' already exists "
                f"(at commit {existing.commit_hexsha[:7]})"
            )
        return version
    latest = artifact.latest_version(registered_only=True)
    if latest is not None:
        parsed = semver.parse(latest.version)
        assert parsed is not None  # registered versions are semver: the tag says so
        return str(parsed.bump(bump or "patch"))
    if bump is not None:
        raise RegistryError(
            f"no version of '{name}' is registered yet: there is nothing to bump (use --version)"
        )
    return str(semver.FIRST)


def assign(
    repo: Repo,
    name: str,
    stage: str,
    rev: str | None = None,
    *,
    version: str | None = None,
    message: str | None = None,
    force: bool = False,
    push: bool = False,
    remote: str = DEFAULT_REMOTE,
) -> ActionResult:
    """Put a version of ``name`` in ``stage``: ``version``, or the one at ``rev`` (HEAD by
    default), registered first if the commit is no version yet (then ``version`` names it)."""
    check_artifact_name(name)
    _check_stage(repo, stage)
    _check_version(version)
    git = git_of(repo.root, repo.scm)
    registered = None
    commit: str | None = None
    if rev is not None or version is None:
        commit = git.resolve(rev or "HEAD")
        artifact = load_registry(git).find(name) or Artifact(name)
        held = _one(artifact.find_versions(commit=commit))
        if held is None:
            registered = register(repo, name, commit, version=version)
        elif version is not None and version != held.version:
            raise RegistryError(
                f"commit {commit[:7]} is already version {held.version} of '{name}': "
                f"it cannot also be {version}"
            )
    with repo.lock():
        registry = load_registry(git)
        target = _version_for(registry, name, version, commit if version is None else None)
        if registered is not None:
            target = _version_for(registry, name, registered.version, None)
        if not target.is_active:
            raise RegistryError(
                f"version {target.version} of '{name}' was deregistered: register it again first"
            )
        current = target.stages.get(stage)
        if current is not None and current.is_active and not force:
            raise RegistryError(
                f"version {target.version} of '{name}' is already in stage '{stage}' "
                "(use --force to assign it again)"
            )
        tag = format_tag(Action.ASSIGN, name, stage=stage, counter=_next_counter(git, name))
        text = message or f"Assigning stage {stage} to artifact {name} version {target.version}"
        _create(git, tag, target.commit_hexsha, text, _after_last_event(registry.find(name)))
    pushed = _push(git, tag, remote, also=registered) if push else None
    return ActionResult(
        tag, name, target.commit_hexsha, target.version, stage, pushed, registered=registered
    )


def unassign(
    repo: Repo,
    name: str,
    stage: str,
    rev: str | None = None,
    *,
    version: str | None = None,
    message: str | None = None,
    push: bool = False,
    remote: str = DEFAULT_REMOTE,
) -> ActionResult:
    """Take ``stage`` away from a version of ``name`` (by default the one holding it now)."""
    check_artifact_name(name)
    check_stage_name(stage)
    _check_version(version)
    git = git_of(repo.root, repo.scm)
    with repo.lock():
        registry = load_registry(git)
        artifact = _known(registry, name)
        if version is None and rev is None:
            holding = artifact.vstages(by_time=True).get(stage)
            if not holding:
                raise RegistryError(f"no version of '{name}' is in stage '{stage}'")
            version = holding[0].version
        commit = git.resolve(rev) if rev is not None else None
        target = _version_for(registry, name, version, commit)
        current = target.stages.get(stage)
        if current is None or not current.is_active:
            raise RegistryError(
                f"stage '{stage}' is not assigned to version {target.version} of '{name}'"
            )
        tag = format_tag(Action.UNASSIGN, name, stage=stage, counter=_next_counter(git, name))
        text = message or (
            f"Unassigning stage '{stage}' to artifact '{name}' version '{target.version}'"
        )
        _create(git, tag, target.commit_hexsha, text, _after_last_event(artifact))
    pushed = _push(git, tag, remote) if push else None
    return ActionResult(tag, name, target.commit_hexsha, target.version, stage, pushed)


def deprecate(
    repo: Repo,
    name: str,
    *,
    version: str | None = None,
    message: str | None = None,
    push: bool = False,
    remote: str = DEFAULT_REMOTE,
) -> ActionResult:
    """Deprecate the artifact ``name`` — or, with ``version``, deregister that version."""
    check_artifact_name(name)
    _check_version(version)
    git = git_of(repo.root, repo.scm)
    with repo.lock():
        registry = load_registry(git)
        artifact = _known(registry, name)
        if version is not None:
            target = _version_for(registry, name, version, None)
            if not target.is_registered or not target.is_active:
                raise RegistryError(f"version {version} of '{name}' is not registered")
            tag = format_tag(Action.DEREGISTER, name, version=version)
            text = message or f"Deregistering artifact {name} version {version}"
            commit = target.commit_hexsha
        else:
            if not artifact.is_active:
                raise RegistryError(f"artifact '{name}' is deprecated already")
            tag = format_tag(Action.DEPRECATE, name)
            if tag in registry.commits:  # deprecated before, then used again
                tag = format_tag(Action.DEPRECATE, name, counter=_next_counter(git, name))
            text = message or f"Deprecating artifact '{name}'"
            commit = artifact.events()[0].commit_hexsha
        _create(git, tag, commit, text, _after_last_event(artifact))
    pushed = _push(git, tag, remote) if push else None
    return ActionResult(tag, name, commit, version=version, pushed_to=pushed)


# ---- helpers ------------------------------------------------------------------------------


def _check_version(version: str | None) -> None:
    if version is not None and not semver.is_valid(version):
        raise UsageError(
            f"invalid version '{version}': expected v<major>.<minor>.<patch> (e.g. v1.0.0, "
            "v2.1.0-rc.1)"
        )


def _check_stage(repo: Repo, stage: str) -> None:
    check_stage_name(stage)
    allowed = allowed_stages(repo.root)
    if allowed is not None and stage not in allowed:
        raise UsageError(f"unknown stage '{stage}': .gto allows {', '.join(allowed)}")


def _one(versions: list[Version]) -> Version | None:
    return versions[0] if versions else None


def _known(registry: Registry, name: str) -> Artifact:
    artifact = registry.find(name)
    if artifact is None:
        raise UnknownArtifactError(name, "the registry has no tag for it (register a version)")
    return artifact


def _version_for(registry: Registry, name: str, version: str | None, commit: str | None) -> Version:
    artifact = _known(registry, name)
    found = _one(artifact.find_versions(version, commit))
    if found is None:
        what = f"version {version}" if version else f"a version at commit {(commit or '')[:7]}"
        raise RegistryError(f"'{name}' has no {what}")
    return found


def _after_last_event(artifact: Artifact | None) -> int | None:
    """The second a new tag of the artifact must not be earlier than: the one after its
    latest tag. GTO orders tags by their time to the second and breaks ties by name: a stage
    assigned twice in one second could stay with the first version, a deprecation could be
    read as older than a registration of the same second. A tag of its own second is read as
    the user meant it. (None when ``GIT_COMMITTER_DATE`` fixes the time — waiting could not
    change it — or the latest tag is ahead of this clock: another machine's time.)"""
    import os
    import time

    if artifact is None or os.environ.get("GIT_COMMITTER_DATE"):
        return None
    latest = max((e.ts for e in artifact.events() if e.tag is not None), default=None)
    if latest is None or latest + 1 - time.time() > 2:
        return None
    return latest + 1


def _next_counter(git: Git, name: str) -> int:
    """GTO numbers an artifact's stage tags: one more than the highest number any of its tags
    carries."""
    from trail.scm.tags import tag_names

    highest = 0
    for tag in tag_names(git):
        parsed = parse_tag(tag)
        if parsed is not None and parsed.artifact == name and parsed.counter is not None:
            highest = max(highest, parsed.counter)
    return highest + 1


def _create(git: Git, tag: str, commit: str, message: str, not_before: int | None) -> None:
    from trail.scm.tags import TagExistsError, create_annotated_tag

    try:
        create_annotated_tag(git, tag, commit, message, not_before=not_before)
    except TagExistsError:
        raise RegistryError(f"tag '{tag}' exists already: nothing was changed") from None


def _push(git: Git, tag: str, remote: str, also: ActionResult | None = None) -> str:
    from trail.scm.remote import GitRemoteError
    from trail.scm.tags import push_tags

    try:
        push_tags(git, remote, [*([also.tag] if also else []), tag])
    except GitRemoteError as exc:
        raise RegistryError(
            f"tag '{tag}' was made here, but pushing it failed: {exc} "
            f"(push it later: git push {remote} '{tag}')"
        ) from None
    return remote
