"""Run one stage: restore it from the run-cache or run its commands, then cache its outs.

A stage that fails or is killed commits nothing: its previous lock entry stays and nothing it
half-wrote reaches the cache. Output lines go to a callback; the core never prints.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trail.errors import PipelineError
from trail.fsutil import remove_tree, unlink_missing_ok
from trail.pipeline import logs, runcache
from trail.pipeline.changes import hash_path, item_of, read_params
from trail.pipeline.lockfile import LockEntry, LockItem
from trail.pipeline.model import ParamsDep, Stage
from trail.repo import Repo
from trail.types import Oid

if TYPE_CHECKING:
    import subprocess

# (stage name, stream "stdout"/"stderr", line without its newline)
OnOutput = Callable[[str, str, str], None]


def _ignore_output(_stage: str, _stream: str, _line: str) -> None:
    return None


@dataclass
class RunOptions:
    run_cache: bool = True
    commit: bool = True
    on_output: OnOutput = _ignore_output
    on_run: Callable[[], None] = lambda: None  # called when the commands are about to run
    env: dict[str, str] = field(default_factory=dict)  # more environment (an experiment's)


@dataclass
class StageRun:
    """What happened to one stage."""

    stage: str
    how: str  # "ran", "restored" (from the run-cache), "failed"
    entry: LockEntry | None = None
    returncode: int = 0
    started: float = 0.0
    ended: float = 0.0
    cmd: list[str] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    gitignores: list[str] = field(default_factory=list)  # .gitignore files changed


class Processes:
    """Commands running now, so an interrupt can stop them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[bytes]] = set()
        self.stopping = False

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.add(proc)
            if self.stopping:
                _kill(proc)

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def stop_all(self) -> None:
        with self._lock:
            self.stopping = True
            for proc in self._procs:
                _kill(proc)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass


RUNNING = Processes()


def dep_items(repo: Repo, stage: Stage) -> tuple[LockItem, ...]:
    """The stage's deps hashed as they are now. A dep its lock entry recorded with another
    algorithm (DVC 2's md5 of dos2unix'ed text) keeps that entry while its content is the same,
    as DVC 3 keeps it."""
    from trail.pipeline import lockfile

    old = lockfile.read(repo.root, lockfile.lock_path_for(stage.file, repo.dialect.lock_file)).get(
        stage.name
    )
    items = []
    for d in stage.deps:
        prev = old.dep(d.declared) if old is not None else None
        if prev is not None and prev.oid is not None and prev.oid.algo != repo.algo:
            same = hash_path(repo, d.path, prev.oid.algo)
            if same is not None and same.oid == prev.oid:
                items.append(prev)
                continue
        items.append(item_of(d.declared, hash_path(repo, d.path, repo.algo)))
    return tuple(items)


def inputs_entry(repo: Repo, stage: Stage) -> LockEntry:
    """The stage's cmd, deps and params as they are now; outs by path only."""
    deps = dep_items(repo, stage)
    params = {}
    for p in stage.params:
        values = read_params(repo.root, p)
        if values is None:
            raise PipelineError(f"params file '{p.declared}' does not exist", stage=stage.name)
        missing = _missing_params(repo, p)
        if missing:
            names = ", ".join(missing)
            raise PipelineError(
                f"parameters '{names}' are missing from '{p.declared}'", stage=stage.name
            )
        params[p.declared] = values
    outs = tuple(LockItem(o.declared, None) for o in stage.outs)
    return LockEntry(stage.raw_cmd, deps, params, outs)


def _missing_params(repo: Repo, pdep: ParamsDep) -> list[str]:
    """Keys a stage names that its params file does not hold (DVC refuses to run then)."""
    if pdep.keys is None:
        return []
    from trail.pipeline import params

    data = params.read_params(os.path.join(repo.root, pdep.path), pdep.path)
    _found, missing = params.select(data if isinstance(data, dict) else {}, pdep.keys)
    return list(missing)


def missing_deps(entry: LockEntry) -> list[str]:
    return [d.path for d in entry.deps if d.oid is None]


def run_stage(repo: Repo, stage: Stage, opts: RunOptions) -> StageRun:
    """Restore from the run-cache or run; returns the new lock entry on success."""
    inputs = inputs_entry(repo, stage)
    absent = missing_deps(inputs)
    if absent:
        raise PipelineError(f"dependency '{absent[0]}' does not exist", stage=stage.name)
    if opts.run_cache and runcache.eligible(stage):
        changed: list[str] = []
        restored = _restore(repo, stage, inputs, changed)
        if restored is not None:
            return StageRun(stage.name, "restored", restored, gitignores=changed)
    opts.on_run()
    _remove_outs(repo, stage)
    run = _execute(repo, stage, opts.on_output, opts.env)
    if run.returncode != 0:
        run.how = "failed"
        return run
    run.entry = commit_outs(repo, stage, inputs.params, store=opts.commit, changed=run.gitignores)
    if opts.commit and opts.run_cache and runcache.eligible(stage):
        runcache.save(repo.cache_dir, run.entry)
    return run


def _remove_outs(repo: Repo, stage: Stage) -> None:
    for out in stage.outs:
        if out.persist:
            continue
        path = repo.path(out.path)
        if os.path.isdir(path) and not os.path.islink(path):
            remove_tree(path)
        else:
            unlink_missing_ok(path)


def commit_outs(
    repo: Repo,
    stage: Stage,
    params: dict[str, dict[str, object]],
    *,
    store: bool = True,
    changed: list[str] | None = None,
) -> LockEntry:
    """Hash (and cache) the outs after a run; deps are hashed again as the run left them."""

    outs = []
    for out in stage.outs:
        built = hash_path(repo, out.path, repo.algo, store=store)
        if built is None:
            raise PipelineError(f"output '{out.declared}' was not created", stage=stage.name)
        outs.append(item_of(out.declared, built))
        if out.cache:
            _ignore(repo, out.path, changed)
    return LockEntry(stage.raw_cmd, dep_items(repo, stage), params, tuple(outs))


def _ignore(repo: Repo, relpath: str, changed: list[str] | None) -> None:
    """Git-ignore a cached out, as ``add`` does; notes the ``.gitignore`` changed."""
    from trail.workspace import gitignore

    if repo.scm is None:
        return
    from trail.pipeline.scheduler import output_locks

    # Parallel stages (and other repros) may edit one .gitignore: one writer at a time.
    with output_locks(repo.private_dir, ["\0.gitignore"], 60.0):
        path = gitignore.ignore(repo.root, relpath)
    if path and changed is not None and path not in changed:
        changed.append(path)


def _restore(repo: Repo, stage: Stage, inputs: LockEntry, changed: list[str]) -> LockEntry | None:
    from trail.pipeline.changes import in_cache

    by_decl = {o.declared: o for o in stage.outs}
    for entry in runcache.candidates(repo.cache_dir, inputs):
        oids = [o.oid for o in entry.outs]
        if all(oid is not None and in_cache(repo, oid) for oid in oids):
            for item in entry.outs:
                assert item.oid is not None
                _checkout(repo, by_decl[item.path].path, item.oid, item.meta.isexec)
                if by_decl[item.path].cache:
                    _ignore(repo, by_decl[item.path].path, changed)
            return LockEntry(stage.raw_cmd, inputs.deps, inputs.params, entry.outs)
    return None


def _checkout(repo: Repo, relpath: str, oid: Oid, isexec: bool) -> None:
    from trail.workspace.checkout import Changes, CheckoutContext, checkout_dir, checkout_file

    ctx = CheckoutContext(
        root=repo.root,
        odb=repo.odb,
        state=repo.state,
        linker=repo.linker(),
        ignore=repo.ignore_rules(),
        force=True,
    )
    if oid.is_tree:
        checkout_dir(ctx, relpath, oid, Changes())
    else:
        checkout_file(ctx, relpath, oid, isexec, Changes())


def stage_env(repo: Repo, stage: Stage, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    for name in repo.dialect.env_root:
        env[name] = repo.root
    for name in repo.dialect.env_stage:
        env[name] = stage.name
    return env


# Each command line runs under a watcher: a shell in the command's process group that holds the
# read end of a pipe (its stdin, moved to fd 9) whose write end only trail holds. When the
# command ends, trail writes a line and the watcher leaves quietly. When trail ends first
# without a word (SIGKILL, a crash) the kernel closes its end: the watcher reads end-of-file and
# stops the whole group — TERM, then KILL two seconds later — so no stage outlives its trail
# and goes on writing outputs that the next run must remove.
_WATCHED = (
    "exec 9<&0 </dev/null\n"
    '( trap "" TERM INT HUP; if read -r _ <&9; then exit 0; fi\n'
    "  kill -TERM 0; sleep 2; kill -KILL 0 ) >/dev/null 2>&1 &\n"
    'exec "$0" -c "$1" 9<&-\n'
)


def _execute(
    repo: Repo, stage: Stage, on_output: OnOutput, extra_env: Mapping[str, str] | None = None
) -> StageRun:
    run = StageRun(stage.name, "ran", started=time.time(), cmd=list(stage.cmd))
    env = stage_env(repo, stage, extra_env)
    cwd = repo.path(stage.wdir)
    shell = os.environ.get("SHELL") or "/bin/sh"
    out: list[str] = []
    err: list[str] = []
    live = logs.Live(repo.private_dir, stage.addressing)  # followed by `trail ui` as it runs

    def tee(name: str, stream: str, text: str) -> None:
        live.write(text + "\n")
        on_output(name, stream, text)

    try:
        _run_lines(stage, shell, cwd, env, run, out, err, tee)
    finally:
        live.close()
    run.ended = time.time()
    run.stdout, run.stderr = "".join(out), "".join(err)
    return run


def _run_lines(
    stage: Stage,
    shell: str,
    cwd: str,
    env: dict[str, str],
    run: StageRun,
    out: list[str],
    err: list[str],
    on_output: OnOutput,
) -> None:
    """Each line of the stage's command in its own shell, until one fails."""
    import subprocess

    for line in stage.cmd:
        proc = subprocess.Popen(
            ["/bin/sh", "-c", _WATCHED, shell, line],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,  # the watcher's line to trail; the command gets /dev/null
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # so an interrupt (or the watcher) can stop it all
        )
        RUNNING.add(proc)
        try:
            readers = [
                _reader(proc.stdout, stage.name, "stdout", out, on_output),
                _reader(proc.stderr, stage.name, "stderr", err, on_output),
            ]
            run.returncode = _wait(proc)
            _release_watcher(proc, stopped=RUNNING.stopping)
            for t in readers:
                t.join()
        except BaseException:  # interrupted while waiting (serial runs wait in the main thread)
            _kill(proc)
            _release_watcher(proc, stopped=True)
            raise
        finally:
            RUNNING.discard(proc)
        if run.returncode != 0:
            break


def _release_watcher(proc: subprocess.Popen[bytes], *, stopped: bool) -> None:
    """Tell the watcher the command is over: quietly, or (``stopped``) by closing the pipe
    without a word, so it makes sure the whole group is gone."""
    if proc.stdin is None or proc.stdin.closed:
        return
    try:
        if not stopped:
            proc.stdin.write(b"done\n")
        proc.stdin.close()
    except OSError:
        pass  # the watcher is gone already (its group was killed)


def _wait(proc: subprocess.Popen[bytes]) -> int:
    """``proc.wait()``, waking up so that an interrupt delivered to another thread (a reader)
    still reaches the main thread's handler while the command runs (see ``parallel.POLL``)."""
    import subprocess

    from trail.parallel import POLL

    while True:
        try:
            return proc.wait(timeout=POLL)
        except subprocess.TimeoutExpired:
            continue


def _reader(
    stream: object, stage: str, name: str, sink: list[str], on_output: OnOutput
) -> threading.Thread:
    def pump() -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            text = raw.decode("utf-8", "replace")
            sink.append(text)
            on_output(stage, name, text.rstrip("\n"))
        stream.close()  # type: ignore[attr-defined]

    t = threading.Thread(target=pump, daemon=True)
    t.start()
    return t
