"""``trail exp show``: params, metrics, dep/out hashes and times of the workspace, the chosen
baselines and their experiments, as plain data (``collect``) for the CLI, the API and the UI.

Reads are bulk: one ``for-each-ref`` lists refs, one ``cat-file --batch`` process serves every
blob of every commit (the pipeline and lock files first, then the params and metrics files they
name), identical files are parsed once, and a cached metrics object is read from the cache at
most once however many experiments share it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from trail.experiments.baselines import Baselines, select
from trail.experiments.refs import RUN_FILE, Experiment, experiments, meta_refs, require_git
from trail.experiments.show_data import DataInfo, pointer_outs, stage_data
from trail.repo import Repo
from trail.results.collect import metrics_of, params_of
from trail.results.declared import DEFAULT_PARAMS, Declared, FileReader, declared_of, load_at
from trail.results.loaders import ResultsFileError, flatten
from trail.results.revision import GitReader, Revision, WorkspaceReader, prefetch
from trail.scm.batch import BatchGit

if TYPE_CHECKING:
    from trail.experiments.queue import Entry
    from trail.pipeline.model import Pipeline

WORKSPACE = "workspace"


@dataclass(frozen=True)
class ExpRow:
    """One row of the table: the workspace, a baseline commit or an experiment."""

    kind: str  # "workspace" | "baseline" | "experiment" | "queued" (a run not made yet)
    name: str
    rev: str  # commit id ("workspace"; a queued run's snapshot)
    baseline: str  # the commit the row belongs under
    created: float | None  # commit time (Unix seconds); None for the workspace
    params: dict[str, dict[str, Any]] = field(default_factory=dict)  # file → flat key → value
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    deps: dict[str, str | None] = field(default_factory=dict)  # path → hash the lock records
    outs: dict[str, str | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # file → what is wrong with it
    # Params some stage depends on, as the lock file records them: file → keys (a key may be
    # a prefix of the flat keys in ``params``: a whole-file dep records top-level keys).
    param_deps: dict[str, frozenset[str]] = field(default_factory=dict)
    status: str | None = None  # a queued run's: "queued", "running", "failed" or "killed"
    # ``exp show --profile PATH`` only: table path → figure ("rows", "age.mean") → value
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    # As DVC reports them (``exp show --json``): params and metrics nested as in their files,
    # deps and outs with their sizes, and what made the revision unreadable, if anything.
    params_tree: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics_tree: dict[str, dict[str, Any]] = field(default_factory=dict)
    dep_info: dict[str, DataInfo] = field(default_factory=dict)
    out_info: dict[str, DataInfo] = field(default_factory=dict)
    error_groups: dict[str, str] = field(default_factory=dict)  # file → params|metrics|pipeline
    commit_time: int | None = None  # the commit's own time (DVC shows and sorts by it)


@dataclass(frozen=True)
class ExpShow:
    """Rows in display order: the workspace, then each baseline followed by its experiments
    (newest first) and its runs in the queue (oldest first)."""

    rows: tuple[ExpRow, ...]
    head: str


def collect(
    repo: Repo,
    *,
    rev: str | Sequence[str] | None = None,
    num: int = 1,
    all_branches: bool = False,
    all_tags: bool = False,
    all_commits: bool = False,
    queued: bool = True,
    failed: bool = True,
) -> ExpShow:
    """Everything ``exp show`` shows, for HEAD (or ``rev``) and ``num - 1`` ancestors, every
    branch tip / tag, or every commit that has experiments, each with its experiments and the
    runs of the queue from it: waiting or running (``queued``), failed or killed (``failed``)."""
    git = require_git(repo)
    every = experiments(git)
    chosen = select(
        git, rev=rev, num=num, all_branches=all_branches, all_tags=all_tags,
        all_commits=all_commits,
    )  # fmt: skip
    wanted = set(chosen.shas)
    exps = [e for e in every if e.baseline in wanted]
    runs = [q for q in _queued(repo, queued, failed) if q.baseline in wanted]
    from trail.results.memo import remembering

    with BatchGit(repo.root) as batch, remembering(_memo_path(repo)):
        reader = _Reader(repo, batch)
        return ExpShow(tuple(_rows(reader, chosen, exps, runs)), chosen.head)


def _memo_path(repo: Repo) -> str:
    return os.path.join(repo.private_dir, "yaml", "results.marshal")


def _queued(repo: Repo, waiting: bool, failed: bool) -> list[Entry]:
    """Runs of the queue not yet experiments, oldest first; read only (a running entry whose
    worker is gone shows as failed, as the next queue command will record it)."""
    if not (waiting or failed) or not os.path.isdir(os.path.join(repo.private_dir, "exps")):
        return []  # never queued anything here: the queue module need not load
    from trail.experiments.queue import FAILED, KILLED, QUEUED, RUNNING, Queue, owner_alive

    out = []
    for e in Queue(repo).entries():
        status = e.status
        if status == RUNNING and not owner_alive(e):
            status = FAILED
        if (waiting and status in (QUEUED, RUNNING)) or (failed and status in (FAILED, KILLED)):
            out.append(replace(e, status=status))
    return out


def _rows(
    reader: _Reader, chosen: Baselines, exps: Sequence[Experiment], runs: Sequence[Entry]
) -> list[ExpRow]:
    # kind, name, sha, time, baseline, queue status
    listed: list[tuple[str, str, str, float | None, str, str | None]] = []
    times = reader.commit_times(chosen.shas)
    created = reader.created(exps)
    exps = sorted(exps, key=lambda e: (-created.get(e.sha, e.time), e.name))  # newest first
    for sha in chosen.shas:
        listed.append(("baseline", chosen.names[sha], sha, times.get(sha), sha, None))
        for e in exps:
            if e.baseline == sha:
                when = created.get(e.sha, float(e.time))
                listed.append(("experiment", e.name, e.sha, when, sha, None))
        for q in runs:
            if q.baseline == sha:
                listed.append(("queued", q.name, q.snapshot, q.queued_at, sha, q.status))
    commit_times = reader.commit_times([item[2] for item in listed])
    git = reader.repo.scm
    if git is not None and listed:
        suffix = reader.repo.dialect.pointer_suffix
        reader.pointer_files = git.files_named([item[2] for item in listed], f"*{suffix}")
    revisions = reader.open([WorkspaceReader(reader.repo.root)])
    revisions += reader.open([GitReader(reader.batch, item[2], item[1]) for item in listed])
    reader.prefetch(revisions)
    rows = [reader.row(revisions[0], WORKSPACE, WORKSPACE, WORKSPACE, None, chosen.head)]
    for (kind, name, sha, time, base, status), revision in zip(listed, revisions[1:], strict=True):
        row = reader.row(revision, kind, name, sha, time, base)
        if status is not None:
            # only the params are the run's own: metrics, deps and outs would be the baseline's
            metrics = set(revision.declared.metrics)
            errors = {p: e for p, e in row.errors.items() if p not in metrics}
            row = replace(row, metrics={}, deps={}, outs={}, errors=errors, status=status)
        committed = commit_times.get(sha)
        rows.append(replace(row, commit_time=None if committed is None else int(committed)))
    return rows


class _Reader:
    """Opens revisions through one batch process and parses each distinct file once."""

    def __init__(self, repo: Repo, batch: BatchGit) -> None:
        self.repo, self.batch = repo, batch
        self.pipeline_file = repo.dialect.pipeline_file
        self.lock_file = repo.dialect.lock_file
        self._objects: dict[tuple[str, str], bytes | None] = {}
        self._broken: dict[int, ResultsFileError] = {}  # reader → its unreadable control file
        self._docs: dict[tuple[str, bytes], Mapping[str, Any] | ResultsFileError] = {}
        # (the files a load read → their bytes, None if missing; what it gave)
        self._pipelines: list[tuple[dict[str, bytes | None], Pipeline | ResultsFileError]] = []
        self.pointer_files: dict[str, list[str]] = {}  # commit → its pointer files

    def commit_times(self, shas: Sequence[str]) -> dict[str, float]:
        times = {}
        for sha, (kind, data) in self.batch.read_objects(shas).items():
            if kind == "commit":
                times[sha] = _committer_time(data)
        return times

    def created(self, exps: Sequence[Experiment]) -> dict[str, float]:
        """Exact creation times from the metadata commits that describe ``exps``."""
        metas = meta_refs(self.batch)
        wanted = {}
        for e in exps:
            meta = metas.get(e.ref)
            if meta is not None and e.sha in meta.parents:
                wanted[e.sha] = meta.sha
        blobs = self.batch.read_blobs_at((m, RUN_FILE) for m in wanted.values())
        out = {}
        for sha, meta_sha in wanted.items():
            try:
                when = json.loads(blobs.get((meta_sha, RUN_FILE), b"{}")).get("created")
            except ValueError:
                continue
            if isinstance(when, int | float):
                out[sha] = float(when)
        return out

    def open(self, readers: Sequence[FileReader]) -> list[Revision]:
        control = [self.pipeline_file, self.lock_file, DEFAULT_PARAMS]
        prefetch(readers, lambda _: control)
        out = []
        for r in readers:
            try:
                pipelines = [] if self._absent(r) else [self.pipeline(r)]
                declared = declared_of(r, pipelines, self.lock_file)
            except ResultsFileError as exc:
                declared = Declared()
                self._broken[id(r)] = exc
            out.append(Revision(r, declared, self.cached))
        return out

    def _absent(self, reader: FileReader) -> bool:
        return self.pipeline_file not in reader.read([self.pipeline_file])

    def pipeline(self, reader: FileReader) -> Pipeline:
        """The root pipeline file at ``reader``'s revision, through the real loader (templating,
        ``foreach``, ``matrix``), loaded once per distinct set of files it reads."""
        for inputs, loaded in self._pipelines:
            present = {p: d for p, d in inputs.items() if d is not None}
            if reader.read(list(inputs)) == present:
                if isinstance(loaded, ResultsFileError):
                    raise loaded
                return loaded
        recording = _Recording(reader)
        try:
            result: Pipeline | ResultsFileError = load_at(recording, self.pipeline_file)
        except ResultsFileError as exc:
            result = exc
        inputs = recording.seen
        text = inputs.get(self.pipeline_file) or b""
        if b"${" not in text and b"vars" not in text:  # other files cannot change the stages
            inputs = {self.pipeline_file: inputs.get(self.pipeline_file)}
        self._pipelines.append((inputs, result))
        if isinstance(result, ResultsFileError):
            raise result
        return result

    def doc(self, path: str, data: bytes | None) -> Mapping[str, Any]:
        """A pipeline or lock file parsed once per distinct content (not to be mutated)."""
        if data is None:
            return {}
        key = (path, data)
        if key not in self._docs:
            from trail.results.loaders import parse_structured

            try:
                doc = parse_structured(path, data)
            except ResultsFileError as exc:
                self._docs[key] = exc
                raise
            if doc is not None and not isinstance(doc, Mapping):
                wrong = ResultsFileError(path, "expected a mapping at the top level", 1)
                self._docs[key] = wrong
                raise wrong
            self._docs[key] = doc or {}
        found = self._docs[key]
        if isinstance(found, ResultsFileError):
            raise found
        return found

    def prefetch(self, revisions: Sequence[Revision]) -> None:
        def wanted(reader: FileReader) -> list[str]:
            d = by_reader[id(reader)].declared
            return [*d.params, *d.metrics, *self.pointer_files.get(getattr(reader, "sha", ""), [])]

        by_reader = {id(r.reader): r for r in revisions}
        prefetch([r.reader for r in revisions], wanted)

    def cached(self, algo: str, hexdigest: str) -> bytes | None:
        """A cached output's bytes, verified, read once whatever the number of rows using it."""
        key = (algo, hexdigest)
        if key not in self._objects:
            from trail.errors import ObjectMissingError
            from trail.oidstr import parse_oid

            try:
                self._objects[key] = self.repo.odb.read_verified(parse_oid(hexdigest, algo))
            except ObjectMissingError:
                self._objects[key] = None
        return self._objects[key]

    def row(
        self, rev: Revision, kind: str, name: str, sha: str, time: float | None, base: str
    ) -> ExpRow:
        params, metrics = params_of(rev), metrics_of(rev)
        errors = {p: str(e) for p, e in {**params.errors, **metrics.errors}.items()}
        groups = {
            **dict.fromkeys(params.errors, "params"),
            **dict.fromkeys(metrics.errors, "metrics"),
        }
        broken = self._broken.get(id(rev.reader))
        if broken is not None:
            errors[broken.path] = str(broken)
            groups[broken.path] = "pipeline"
        files = rev.reader.read([self.pipeline_file, self.lock_file])
        try:
            pipe = self.doc(self.pipeline_file, files.get(self.pipeline_file))
            lock = self.doc(self.lock_file, files.get(self.lock_file))
        except ResultsFileError:
            pipe, lock = {}, {}
        pipelines = rev.declared.pipelines[:1]
        dep_info, out_info = stage_data(pipelines, [lock] * len(pipelines))
        for path, info in self.pointer_outs(rev.reader).items():
            out_info.setdefault(path, info)
        return ExpRow(
            kind,
            name,
            sha,
            base,
            time,
            {p: flatten(tree) for p, tree in params.data.items()},
            {p: flatten(tree) for p, tree in metrics.data.items()},
            {p: i.hash for p, i in dep_info.items()},
            {p: i.hash for p, i in out_info.items()},
            errors,
            _lock_params(pipe, lock),
            params_tree=dict(params.data),
            metrics_tree=dict(metrics.data),
            dep_info=dep_info,
            out_info=out_info,
            error_groups=groups,
        )

    def pointer_outs(self, reader: FileReader) -> dict[str, DataInfo]:
        """Outputs of the pointer files of ``reader``'s revision."""
        from trail import pointer
        from trail.errors import TrailError

        if isinstance(reader, WorkspaceReader):
            from trail.index import collect

            try:
                return pointer_outs(collect(self.repo))
            except TrailError:
                return {}
        paths = self.pointer_files.get(getattr(reader, "sha", ""), [])
        pfs = []
        for path, data in sorted(reader.read(paths).items()):
            try:
                pfs.append(pointer.parse(data.decode("utf-8"), path))
            except (UnicodeDecodeError, TrailError):
                continue  # an old, broken pointer file does not stop reading a revision
        return pointer_outs(pfs)


class _Recording:
    """A ``FileReader`` that notes every file asked for (and what it held, or None)."""

    def __init__(self, reader: FileReader) -> None:
        self.reader, self.name = reader, reader.name
        self.seen: dict[str, bytes | None] = {}

    def read(self, paths: list[str]) -> dict[str, bytes]:
        found = self.reader.read(paths)
        self.seen.update({p: found.get(p) for p in paths})
        return found

    def list_files(self, directory: str) -> list[str]:
        return self.reader.list_files(directory)


def _lock_params(pipe: Mapping[str, Any], lock: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Params files (repo paths) → the keys stages depend on, as the lock file records them."""
    stages = pipe.get("stages")
    found: dict[str, set[str]] = {}
    for name, entry in (lock.get("stages") or {}).items():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("params"), Mapping):
            continue
        stage = stages.get(name) if isinstance(stages, Mapping) else None
        wdir = str(stage.get("wdir") or ".") if isinstance(stage, Mapping) else "."
        for file, values in entry["params"].items():
            if isinstance(values, Mapping):
                found.setdefault(_join(wdir, str(file)), set()).update(map(str, values))
    return {f: frozenset(keys) for f, keys in found.items()}


def _join(wdir: str, path: str) -> str:
    import posixpath

    return posixpath.normpath(posixpath.join(wdir, path)) if wdir != "." else path


def _committer_time(commit: bytes) -> float:
    for line in commit.split(b"\n"):
        if line.startswith(b"committer "):
            return float(line.rsplit(b" ", 2)[1])
        if not line:
            break
    return 0.0


def records(rows: Sequence[ExpRow], precision: int | None = None) -> list[dict[str, Any]]:
    """Rows as the stable ``exp show --json`` shape (README): plain dicts and lists, floats
    rounded to ``precision`` digits when given, ``created`` as ISO 8601 UTC."""
    import datetime as dt

    from trail.results.diff import round_value

    def values(table: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {f: {k: round_value(v, precision) for k, v in d.items()} for f, d in table.items()}

    def utc(when: float | None) -> str | None:
        if when is None:
            return None
        return dt.datetime.fromtimestamp(when, dt.UTC).isoformat(timespec="seconds")

    return [
        {
            "name": r.name,
            "rev": r.rev,
            "type": r.kind,
            "baseline": r.baseline,
            "created": utc(r.created),
            "params": values(r.params),
            "metrics": values(r.metrics),
            "deps": dict(r.deps),
            "outs": dict(r.outs),
            "errors": dict(r.errors),
            "param_deps": {f: sorted(keys) for f, keys in r.param_deps.items()},
            "status": r.status,
            **({"profiles": r.profiles} if r.profiles else {}),  # only with --profile
        }
        for r in rows
    ]
