"""One queued experiment run in an isolated temporary clone.

Why ``git clone --shared`` and not ``git worktree``: a shared clone borrows the repository's
objects (nothing is copied) but has refs, index and config of its own, so nothing the run does
— refs it writes, a half-made experiment, a crash — touches the repository until the finished
experiment's refs are fetched back in one atomic step; removing the clone is removing a
directory. A worktree would share the ref store (a half-written experiment would show at once)
and leave registrations in ``.git/worktrees`` behind after a ``kill -9``.

The clone gets a ``config.local`` whose ``cache.dir`` is the repository's own cache (absolute),
so outputs land there directly and need no copy, and the repository's remotes and credentials
(relative folder remotes made absolute).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import IO

from trail.experiments.proc import Proc
from trail.repo import Repo

# The same Python and entry point as this process: a clone runs the trail that queued it.
MAIN = "import sys; from trail.cli.main import main; sys.exit(main())"
EXP_PREFIXES = ("refs/exps/", "refs/trail-exps/")
STOP_GRACE = 10.0  # seconds a run gets to stop its stage commands before SIGKILL


def trail_command(*args: str) -> list[str]:
    return [sys.executable, "-c", MAIN, *args]


def make_clone(repo: Repo, dest: str, baseline: str, snapshot: str) -> None:
    """Clone the repository into ``dest`` with HEAD at ``baseline`` and the snapshot's files in
    the work tree, configured to share the cache and reach the remotes."""
    from trail.scm.snapshot import clone_shared

    remove_clone(dest)  # what an earlier, killed attempt left
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    clone_shared(repo.root, dest, baseline, snapshot)
    write_clone_config(repo, os.path.join(dest, repo.dialect.control))


def write_clone_config(repo: Repo, control: str) -> None:
    """The clone's ``config.local``: the repository's own (credentials), every remote with a
    relative folder URL made absolute, and ``cache.dir`` pointing at the repository's cache."""
    from trail.config import IniFile

    local = repo.config.level_path("local")
    ini = IniFile.read(local) if local else IniFile("", [])
    ini.path = os.path.join(control, "config.local")
    for level in ("repo", "local"):
        for section, options in repo.config.read_level(level).items():
            url = options.get("url")
            if section.startswith("remote ") and url and _relative_folder(url):
                ini.set(section, "url", os.path.normpath(os.path.join(repo.control_dir, url)))
    ini.set("cache", "dir", os.path.abspath(repo.cache_dir))
    ini.write()


def _relative_folder(url: str) -> bool:
    return "://" not in url and not os.path.isabs(os.path.expanduser(url))


def run_in_clone(
    clone: str,
    args: Sequence[str],
    log: IO[bytes],
    on_start: Callable[[Proc], None],
    echo: Callable[[bytes], None] | None = None,
) -> int:
    """Run ``trail <args>`` in the clone, its own process group, output appended to ``log``
    (and handed to ``echo`` as it comes, for a run in the foreground); returns the exit code.
    ``on_start`` learns the process first, so it can be killed. An interrupt stops it."""
    with subprocess.Popen(
        trail_command(*args),
        cwd=clone,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if echo else log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # `queue kill` stops the group; a closed terminal does not
    ) as proc:
        try:
            on_start(Proc.of(proc.pid))
            if echo is not None and proc.stdout is not None:
                fd = proc.stdout.fileno()
                for chunk in iter(lambda: os.read(fd, 65536), b""):
                    log.write(chunk)
                    log.flush()
                    echo(chunk)
            return proc.wait()
        except BaseException:
            stop(Proc.of(proc.pid), clone)
            raise


def fetch_experiment(repo: Repo, clone: str, *, force: bool) -> str | None:
    """Bring the experiment refs the run made into the repository, all at once; returns the
    experiment's ref (None if the run made none)."""
    from trail.scm.git import Git
    from trail.scm.snapshot import fetch_all_or_none, refs_under

    made = refs_under(Git(clone), EXP_PREFIXES)
    main = Git(repo.root)
    if not force:
        from trail.experiments.errors import ExperimentExistsError
        from trail.experiments.refs import ExpRef

        for ref in refs_under(main, made):
            parsed = ExpRef.parse(ref)
            if parsed is not None:  # made meanwhile (queue time checked): the run is discarded
                raise ExperimentExistsError(parsed.name, parsed.baseline)
    if made:
        fetch_all_or_none(main, clone, made, force=force)
    return next((r for r in made if r.startswith(EXP_PREFIXES[0])), None)


def stop(proc: Proc, clone: str | None = None) -> None:
    """Stop a run: SIGTERM to its process group (trail then stops its stage commands, which
    run in groups of their own), SIGKILL after a grace period, then any process still working
    inside the clone."""
    if proc.alive():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        while proc.alive() and time.monotonic() < deadline:
            _reap(proc.pid)
            time.sleep(0.05)
        if proc.alive():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
    if clone is not None:
        kill_strays(clone)


def _reap(pid: int) -> None:
    """Collect the run if it is our own child (else it would linger as a zombie and look
    alive)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def kill_strays(clone: str) -> None:
    """SIGKILL every process whose working directory is inside ``clone`` (stage commands of
    a run whose trail process died first). Linux only: elsewhere there is no /proc to ask."""
    real = os.path.realpath(clone)
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return
    for pid in pids:
        if pid == os.getpid():
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd").removesuffix(" (deleted)")
        except OSError:
            continue
        if cwd == real or cwd.startswith(real + os.sep):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def remove_clone(path: str) -> None:
    from trail.fsutil import remove_tree

    if os.path.lexists(path):
        remove_tree(path)
