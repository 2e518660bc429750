"""The objects a set of revisions needs: one place for gc, push, fetch and ``status -c``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trail import manifest
from trail.errors import ObjectMissingError, TrailError
from trail.index import Tracked, collect, collect_at, outputs
from trail.paths import is_inside, repo_relpath
from trail.repo import Repo
from trail.types import Oid

if TYPE_CHECKING:
    from trail.ops.targets import Scope
    from trail.pipeline.model import StageOut
    from trail.scm.git import Git


@dataclass(frozen=True, slots=True)
class ImportedFrom:
    """Where a repository import's data comes from: it is fetched from there, never pushed."""

    url: str
    rev_lock: str
    path: str
    remote: str | None = None


@dataclass(frozen=True, slots=True)
class UsedOutput:
    """An output some kept revision records, with its per-output remote options."""

    relpath: str
    oid: Oid
    remote: str | None = None
    push: bool = True
    subpath: str | None = None  # only this part of a directory (a target inside it)
    imported: ImportedFrom | None = None
    size: int | None = None  # as recorded (a directory's: all its files)
    kind: str = "outs"  # a stage's ``metrics`` and ``plots`` are told apart (fetch --type)


def revisions(
    repo: Repo,
    *,
    all_branches: bool = False,
    all_tags: bool = False,
    all_commits: bool = False,
    all_experiments: bool = False,
) -> list[str]:
    """Git revisions named by -a, -T, --all-commits and --all-experiments (besides the
    workspace). As in DVC, --all-commits means the project's history: experiments are not in
    it unless --all-experiments says so."""
    if not (all_branches or all_tags or all_commits or all_experiments):
        return []
    if repo.scm is None:
        raise TrailError(
            "-a, -T, --all-commits and --all-experiments need Git, and this repository has none"
        )
    revs: set[str] = set()
    if all_branches:
        revs.update(repo.scm.refs("refs/heads/"))
    if all_tags:
        revs.update(repo.scm.refs("refs/tags/"))
    if all_commits:
        revs.update(repo.scm.run("rev-list", "--exclude=refs/exps/*", "--all").split())
    if all_experiments:
        revs.update(experiment_commits(repo.scm))
    return sorted(revs)


def experiment_commits(git: Git) -> list[str]:
    """The commits of every experiment: refs ``refs/exps/<baseline[:2]>/<baseline[2:]>/<name>``
    (SPEC 2); other refs DVC keeps under ``refs/exps/`` (executors, stashes) are not ones."""
    from trail.scm.exprefs import experiments

    return sorted({e.sha for e in experiments(git)})


def _used(t: Tracked, subpath: str | None = None) -> UsedOutput | None:
    oid = t.out.oid
    if oid is None or not t.out.use_cache:
        return None
    remote = t.out.options.get("remote")
    push = t.out.options.get("push", True) is not False
    imported = _imported(t) if "deps" in t.pf.top else None
    return UsedOutput(
        t.relpath, oid, str(remote) if remote else None, push, subpath, imported, t.out.meta.size
    )


def _imported(t: Tracked) -> ImportedFrom | None:
    from trail.importdeps import RepoDep, import_dep

    dep = import_dep(t.pf.top, t.pf.path)
    if not isinstance(dep, RepoDep) or not dep.source.rev_lock:
        return None
    remote = dep.source.extra.get("remote")
    url = dep.source.url
    return ImportedFrom(
        url, dep.source.rev_lock, dep.path, remote if isinstance(remote, str) else None
    )


def _match(tracked: list[Tracked], rels: list[str]) -> list[tuple[Tracked, str | None]]:
    """Targets matched by path alone (for revisions, where no workspace exists to look at)."""
    found: list[tuple[Tracked, str | None]] = []
    for rel in rels:
        for t in tracked:
            if rel in (t.pf.path, t.relpath) or is_inside(t.relpath, rel):
                found.append((t, None))
            elif is_inside(rel, t.relpath):
                found.append((t, rel[len(t.relpath) + 1 :]))
    return found


def used_outputs(
    repo: Repo,
    targets: Sequence[str] = (),
    *,
    revs: Iterable[str] = (),
    workspace: bool = True,
    every_lock_object: bool = False,
    scope: Scope | None = None,
) -> list[UsedOutput]:
    """Outputs of the workspace (unless ``workspace`` is false) and of every revision in
    ``revs``, limited to ``targets`` (pointer files, outputs, stages: ``trail.ops.targets``).

    Stage outputs are those the lock files record with ``cache: true`` (what DVC transfers);
    ``every_lock_object`` (for gc) keeps every object a lock file names instead."""
    from trail.ops.targets import DEFAULT_SCOPE, resolve

    result: list[UsedOutput] = []
    chosen: list[tuple[Tracked, str | None]] = []
    staged: list[UsedOutput] = []
    if targets:
        for o in resolve(repo, targets, scope=scope or DEFAULT_SCOPE).outputs:
            if o.tracked is not None:
                chosen.append((o.tracked, o.subpath))
            elif o.out is not None and o.oid is not None and o.cached:
                staged.append(_of_stage(o.relpath, o.oid, o.out, o.subpath, o.size))
    elif workspace:
        chosen = [(t, None) for t in outputs(collect(repo))]
    rels = [repo_relpath(repo.root, t) for t in targets]
    revs = list(revs)
    for rev in revs:
        tracked = outputs(collect_at(repo, rev))
        chosen.extend(_match(tracked, rels) if targets else [(t, None) for t in tracked])
    if not targets:
        staged = _stage_outputs(repo, revs, workspace, every_lock_object)
    seen: set[UsedOutput] = set()
    for used in [_used(t, sub) for t, sub in chosen] + staged:
        if used is not None and used not in seen:
            seen.add(used)
            result.append(used)
    return result


def _of_stage(
    relpath: str, oid: Oid, out: StageOut, subpath: str | None = None, size: int | None = None
) -> UsedOutput:
    return UsedOutput(relpath, oid, out.remote, out.push, subpath, None, size, out.kind.value)


def _stage_outputs(
    repo: Repo, revs: list[str], workspace: bool, every_lock_object: bool
) -> list[UsedOutput]:
    """Cached stage outputs the lock files record, in the workspace and at ``revs``."""
    from trail.ops.common import has_pipeline_file

    if not revs and not has_pipeline_file(repo):
        return []  # no pipeline: a push or fetch loads no YAML machinery
    if every_lock_object:
        return _every_lock_object(repo, revs, workspace)
    found: list[UsedOutput] = []
    if workspace:
        from trail.ops.targets import stage_outputs

        found += [
            _of_stage(o.relpath, o.oid, o.out, None, o.size)
            for o in stage_outputs(repo)
            if o.out is not None and o.oid is not None and o.cached
        ]
    if revs:
        found += stage_outputs_at(repo, revs)
    return found


def stage_outputs_at(repo: Repo, revs: list[str]) -> list[UsedOutput]:
    """Cached stage outputs the lock files of ``revs`` record (by their pipeline files)."""
    from trail.oidstr import parse_oid
    from trail.ops.revisions import open_revs

    try:
        revisions = open_revs(repo, revs)
    except TrailError:  # a revision whose pipeline cannot be read: all its lock names
        return _every_lock_object(repo, revs, False)
    found = []
    for rev in revisions:
        lock_outs = rev.declared.lock_outs
        for pipeline in rev.declared.pipelines:
            for stage in pipeline.stages.values():
                for out in stage.outs:
                    cached = lock_outs.get(out.path)
                    if out.cache and cached is not None:
                        oid = parse_oid(cached.hex, cached.algo)
                        found.append(_of_stage(out.path, oid, out))
    return found


def _every_lock_object(repo: Repo, revs: list[str], workspace: bool) -> list[UsedOutput]:
    from trail.pipeline.used import lock_oids, lock_oids_at

    oids = set(lock_oids(repo)) if workspace else set()
    for rev in revs:
        oids |= lock_oids_at(repo, rev)
    return [UsedOutput(f"<stage output {o}>", o) for o in sorted(oids, key=str)]


TreeLoader = Callable[[Oid], bytes | None]


def closure(
    repo: Repo, used: Iterable[UsedOutput], load: TreeLoader | None = None
) -> tuple[set[Oid], set[Oid]]:
    """(objects needed, manifests that could not be read): each output's object and, for a
    directory, the manifest and the files it lists (only those under ``subpath`` if set)."""
    needed: set[Oid] = set()
    unreadable: set[Oid] = set()
    for u in used:
        needed.add(u.oid)
        if not u.oid.is_tree:
            continue
        data = _manifest_bytes(repo, u.oid, load)
        if data is None:
            unreadable.add(u.oid)
            continue
        for e in manifest.parse(data, u.oid.algo, repo.odb.path(u.oid)):
            if u.subpath is None or e.relpath == u.subpath or is_inside(e.relpath, u.subpath):
                needed.add(e.oid)
    return needed, unreadable


def _manifest_bytes(repo: Repo, oid: Oid, load: TreeLoader | None) -> bytes | None:
    try:
        return repo.odb.read_bytes(oid)
    except ObjectMissingError:
        return load(oid) if load is not None else None
