"""``trail repro``: run the stages that changed, in dependency order, ``-j N`` at a time.

The repository lock is held only while metadata is read or written (pipeline and lock files,
status checks, cache commits); commands run under per-output locks. Each stage's lock entry is
written as soon as it succeeds, so an interrupt keeps what finished.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trail.errors import PipelineError, TrailError
from trail.pipeline import lockfile, logs, scheduler
from trail.pipeline.changes import StageCheck
from trail.pipeline.dag import build_dag, run_order
from trail.pipeline.load import load_pipelines
from trail.pipeline.lockfile import LockEntry
from trail.pipeline.model import Stage
from trail.pipeline.runner import RUNNING, OnOutput, RunOptions, StageRun, run_stage
from trail.repo import Repo

if TYPE_CHECKING:
    from trail.quality.repo.hook import ContractHook

# Runs one stage where it needs to run (``run_stage`` here; ``executors.remote_stage`` sends
# it to a cluster).
StageRunner = Callable[[Repo, Stage, RunOptions], StageRun]

# (event, stage addressing, detail): "unchanged", "running", "restored", "ran", "failed",
# "skipped" (an upstream failed), "lock" (detail: the lock file written)
OnEvent = Callable[[str, str, str], None]


def _quiet(_event: str, _stage: str, _detail: str) -> None:
    return None


def _no_output(_stage: str, _stream: str, _line: str) -> None:
    return None


@dataclass
class ReproOptions:
    force: bool = False
    single_item: bool = False
    downstream: bool = False
    dry: bool = False
    keep_going: bool = False
    commit: bool = True
    run_cache: bool = True
    jobs: int = 1
    contracts: bool = True  # check trail.contracts.yaml around each stage (--no-contracts)
    on_output: OnOutput = _no_output
    on_event: OnEvent = _quiet
    runner: StageRunner | None = None  # None: in this process (``run_stage``)
    on_abort: Callable[[], None] | None = None  # stops what ``runner`` started (an interrupt)
    env: Mapping[str, str] = field(default_factory=dict)  # more environment for the commands
    # How targets are read (DVC's flags): -p their whole pipelines, -R directories holding
    # pipeline files, --glob stage name patterns
    pipeline: bool = False
    recursive: bool = False
    glob: bool = False
    force_downstream: bool = False  # a stage that runs makes everything after it run
    allow_missing: bool = False  # outputs missing (or not in the cache) alone run nothing
    confirm: Callable[[str], bool] | None = None  # -i: asked before each stage runs


@dataclass
class ReproResult:
    ran: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    lock_files: list[str] = field(default_factory=list)
    errors: dict[str, TrailError] = field(default_factory=dict)  # stage → why it failed
    gitignores: list[str] = field(default_factory=list)
    logs: dict[str, str] = field(default_factory=dict)  # stage → the log file of its run


def _only_missing(changes: list[Any]) -> bool:
    """Whether a stage's only changes are outputs missing or not in the cache (``--allow-missing``
    then leaves it alone, as DVC does)."""
    if not changes:
        return False
    for change in changes:
        if not isinstance(change, dict) or set(change) != {"changed outs"}:
            return False
        if any(what not in ("deleted", "not in cache") for what in change["changed outs"].values()):
            return False
    return True


class _Plan:
    """Stages, graph and lock entries of one repro, shared by the worker threads."""

    def __init__(self, repo: Repo, opts: ReproOptions) -> None:
        self.repo, self.opts = repo, opts
        self.meta = scheduler.MetaLock(repo.lock, sticky=opts.jobs <= 1)
        self.mutex = threading.Lock()
        self.result = ReproResult()
        self.will_run: set[str] = set()
        self.fresh: set[tuple[str, str]] = set()  # (pipeline file, stage name) new in the lock
        self.contracts = _contract_hook(repo, opts)  # a malformed contracts file stops us here
        self._runtime: dict[str, Any] | None = None
        try:
            with self.meta():
                self.dag = build_dag(scheduler.all_stages(load_pipelines(repo)))
                self.locks = {
                    f: lockfile.read(repo.root, self.lock_path(f))
                    for f in {s.file for s in self.dag.stages.values()}
                }
        except BaseException:
            self.meta.release()
            raise
        self.stages = self.dag.stages
        self.graph = self.dag.preds
        self.order = run_order(self.dag)

    def lock_path(self, pipeline_file: str) -> str:
        return lockfile.lock_path_for(pipeline_file, self.repo.dialect.lock_file)

    def entry(self, stage: Stage) -> LockEntry | None:
        with self.mutex:
            return self.locks[stage.file].get(stage.name)

    def select(self, targets: Sequence[str]) -> list[str]:
        if not targets:
            return list(self.order)
        keys = [k for t in targets for k in self._resolve(t)]
        if self.opts.pipeline:  # the whole connected pipeline of each target
            keys = sorted(self._connected(keys))
        if self.opts.single_item:
            wanted = set(keys)
        elif self.opts.downstream:
            wanted = scheduler.downstream_of(self.graph, keys)
        else:
            wanted = set(run_order(self.dag, keys))
        return [k for k in self.order if k in wanted]

    def _connected(self, keys: Sequence[str]) -> set[str]:
        linked: dict[str, set[str]] = {k: set(v) for k, v in self.graph.items()}
        for key, preds in self.graph.items():
            for pred in preds:
                linked.setdefault(pred, set()).add(key)
        seen: set[str] = set()
        stack = list(keys)
        while stack:
            key = stack.pop()
            if key not in seen:
                seen.add(key)
                stack.extend(linked.get(key, ()))
        return seen

    def _resolve(self, target: str) -> list[str]:
        """A stage (``train``, ``dvc.yaml:train``, ``sub/dvc.yaml:train``, a ``foreach``
        group) or a pipeline file (all its stages), as every command resolves them; a
        directory with ``recursive``, a name pattern with ``glob``."""
        if self.opts.recursive:
            import os

            from trail.paths import is_inside, repo_relpath

            base = repo_relpath(self.repo.root, target) if os.path.isdir(target) else None
            if base is not None:
                found = [
                    k
                    for k, s in self.stages.items()
                    if base == "." or s.file.startswith(base + "/") or is_inside(s.file, base)
                ]
                if found:
                    return found
                raise PipelineError(f"no pipeline file in '{target}'")
        if self.opts.glob:
            import fnmatch

            found = [
                k
                for k, s in self.stages.items()
                if fnmatch.fnmatchcase(s.name, target) or fnmatch.fnmatchcase(k, target)
            ]
            if found:
                return found
            raise PipelineError(f"no stage matches '{target}' (see `trail stage list`)")
        if target in self.stages:
            return [target]
        from trail.ops.targets import select_stages
        from trail.pipeline.model import Pipeline

        by_file: dict[str, dict[str, Stage]] = {}
        for s in self.stages.values():
            by_file.setdefault(s.file, {})[s.name] = s
        pipelines = [Pipeline(f, stages) for f, stages in by_file.items()]
        return [s.addressing for s in select_stages(self.repo, pipelines, [target])]

    def check_deps(self, selected: Sequence[str]) -> None:
        """Before anything runs: every dep exists or some stage makes it."""
        import os

        from trail.paths import is_inside

        outs = list(self.dag.producer)
        for key in selected:
            stage = self.stages[key]
            for dep in stage.deps:
                if os.path.lexists(self.repo.path(dep.path)):
                    continue
                if any(
                    o == dep.path or is_inside(dep.path, o) or is_inside(o, dep.path) for o in outs
                ):
                    continue
                raise PipelineError(
                    f"dependency '{dep.declared}' does not exist and no stage makes it",
                    where=str(stage.where) if stage.where else stage.file,
                    stage=key,
                )

    def needs_run(self, key: str) -> bool:
        stage = self.stages[key]
        after_a_run = bool(set(self.graph[key]) & self.will_run)
        if self.opts.force or (after_a_run and (self.opts.dry or self.opts.force_downstream)):
            return True
        with self.meta():
            check = StageCheck(self.repo, stage, self.entry(stage))
            if not check.needs_run():
                return False
            return not (self.opts.allow_missing and _only_missing(check.changes()))

    def runtime(self) -> dict[str, Any]:
        """What stages run with (kept with each run's log; bundles read it), found once."""
        if self._runtime is None:
            from trail.runenv import runtime

            self._runtime = runtime()
        return self._runtime

    def run_one(self, key: str) -> bool:
        """Run one stage if it needs it; False when it failed (its descendants then wait)."""
        try:
            return self._run_one(key)
        except TrailError as exc:  # a bad dep or a busy output fails this stage, not the rest
            self.result.failed.append(key)
            self.result.errors[key] = exc
            self.opts.on_event("failed", key, str(exc))
            return False

    def _run_one(self, key: str) -> bool:
        stage = self.stages[key]
        emit = self.opts.on_event
        if not self.needs_run(key):
            emit("unchanged", key, "")
            self.result.unchanged.append(key)
            return True
        if self.opts.confirm is not None:
            with self.mutex:  # one question at a time, whatever -j says
                agreed = self.opts.confirm(key)
            if not agreed:  # as DVC: a "no" stops the reproduction
                raise PipelineError(
                    f"failed to reproduce '{key}': reproduction aborted by the user"
                )
        self.will_run.add(key)
        if self.opts.dry:
            emit("running", key, "\n".join(stage.cmd))
            self.result.ran.append(key)
            return True
        if self.contracts is not None:
            self.contracts.before(stage, key)
        run = self._run(key, stage)
        if self.contracts is not None and run.how != "failed" and run.entry is not None:
            _check_outs(self.contracts, self.repo, key, stage, run)
        return self._record(key, stage, run)

    def _run(self, key: str, stage: Stage) -> StageRun:
        def on_run() -> None:
            self.meta.release()  # commands never run under the repository lock
            self.opts.on_event("running", key, "\n".join(stage.cmd))

        # A forced run really runs (as with DVC): the run-cache is not consulted.
        use_cache = self.opts.run_cache and not self.opts.force
        ropts = RunOptions(
            use_cache, self.opts.commit, self.opts.on_output, on_run, dict(self.opts.env)
        )
        timeout = self.repo.config.get_float("core", "lock_timeout", 60.0)
        paths = [o.path for o in stage.outs]
        with scheduler.output_locks(self.repo.private_dir, paths, timeout):
            return (self.opts.runner or run_stage)(self.repo, stage, ropts)

    def _record(self, key: str, stage: Stage, run: StageRun) -> bool:
        if run.how != "restored":
            outs = {o.path: str(o.oid) for o in run.entry.outs if o.oid} if run.entry else {}
            log = logs.RunLog(
                key,
                run.cmd,
                run.started,
                run.ended,
                run.returncode,
                run.stdout,
                run.stderr,
                outs,
                env=self.runtime(),
            )
            if getattr(run, "host", ""):  # run on a worker: where, and what was installed there
                from dataclasses import replace

                log = replace(log, host=run.host, env=run.env)  # type: ignore[attr-defined]
            path = logs.write(self.repo.private_dir, log)
            with self.mutex:
                self.result.logs[key] = path
        if run.how == "failed" or run.entry is None:
            self.opts.on_event("failed", key, f"exit code {run.returncode}")
            self.result.failed.append(key)
            return False
        self.opts.on_event(run.how, key, "")
        with self.mutex:
            self.result.gitignores.extend(
                g for g in run.gitignores if g not in self.result.gitignores
            )
        (self.result.restored if run.how == "restored" else self.result.ran).append(key)
        self._write_lock(stage, run.entry)
        return True

    def _write_lock(self, stage: Stage, entry: LockEntry) -> None:
        path = self.lock_path(stage.file)
        names = [self.stages[k].name for k in self.order if self.stages[k].file == stage.file]
        with self.meta():
            with self.mutex:
                current = lockfile.read(self.repo.root, path)
                if stage.name not in current:
                    self.fresh.add((stage.file, stage.name))
                current[stage.name] = entry
                # Entries new in this run go last, in DVC's order, whatever order they finished.
                fresh = [n for n in names if (stage.file, n) in self.fresh and n in current]
                merged = {n: e for n, e in current.items() if n not in fresh}
                merged.update((n, current[n]) for n in fresh)
                self.locks[stage.file] = merged
            lockfile.write(self.repo.root, path, merged)
        if path not in self.result.lock_files:
            self.result.lock_files.append(path)
        self.opts.on_event("lock", scheduler.key(stage), path)


def _contract_hook(repo: Repo, opts: ReproOptions) -> ContractHook | None:
    """The contract checks, only when the repository has a contracts file (one ``stat``)."""
    import os

    from trail.quality import CONTRACTS_FILE

    if opts.dry or not opts.contracts or not os.path.exists(repo.path(CONTRACTS_FILE)):
        return None
    from trail.quality.repo.hook import ContractHook

    return ContractHook(repo)


def _check_outs(hook: ContractHook, repo: Repo, key: str, stage: Stage, run: StageRun) -> None:
    """A run whose outs break their contract records nothing: not even its run-cache entry."""
    from trail.quality.errors import ContractViolation
    from trail.quality.repo.hook import forget_run

    assert run.entry is not None
    try:
        hook.after(stage, key, run.entry)
    except ContractViolation:
        if run.how == "ran":
            forget_run(repo.cache_dir, run.entry)
        raise


def repro(repo: Repo, targets: Sequence[str] = (), opts: ReproOptions | None = None) -> ReproResult:
    """Bring the selected stages (all by default, with their upstreams) up to date."""
    opts = opts or ReproOptions()
    plan = _Plan(repo, opts)
    try:
        return _repro(plan, targets, opts)
    finally:
        plan.meta.release()


def _abort(opts: ReproOptions) -> None:
    RUNNING.stop_all()
    if opts.on_abort is not None:
        opts.on_abort()


def _repro(plan: _Plan, targets: Sequence[str], opts: ReproOptions) -> ReproResult:
    selected = plan.select(targets)
    plan.check_deps(selected)
    _failed, skipped = scheduler.run_graph(
        plan.graph,
        selected,
        plan.run_one,
        jobs=opts.jobs,
        keep_going=opts.keep_going,
        on_abort=lambda: _abort(opts),
    )
    plan.result.skipped = skipped
    for key in skipped:
        opts.on_event("skipped", key, "")
    return plan.result
