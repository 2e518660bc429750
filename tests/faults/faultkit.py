"""Helpers of the fault-injection suite (see ``conftest.py``): run and kill real ``trail``
processes, find temp files and leftover processes, compare workspace bytes, fill a disk."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from trail.fsutil import TMP_MARK
from trail.testing.plugin import trail_exe

TRAIL = trail_exe()


def run(
    *args: str, cwd: str | os.PathLike[str], check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``trail <args>`` as a separate process (faults need real processes to kill)."""
    proc = subprocess.run([TRAIL, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"trail {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


def kill_after(
    args: list[str], delay: float, cwd: str | os.PathLike[str], env: Mapping[str, str] | None = None
) -> int | None:
    """Start ``args`` (a trail command line, without ``trail``), SIGKILL that one process after
    ``delay`` seconds, and return its exit code: ``None`` if it was killed, else the code it
    finished with first. Only trail itself is killed: what it started must stop on its own."""
    proc = subprocess.Popen(
        [TRAIL, *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=None if env is None else {**os.environ, **env},
    )
    try:
        proc.wait(delay)
        return proc.returncode
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        return None


def timed(args: list[str], cwd: str | os.PathLike[str]) -> float:
    """How long one uninterrupted run takes here (the span kill points are drawn from)."""
    start = time.monotonic()
    run(*args, cwd=cwd)
    return time.monotonic() - start


def temp_files(*roots: str | os.PathLike[str]) -> list[str]:
    """Every trail temp file under ``roots`` (Git's own directory aside)."""
    found = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            found += [os.path.join(dirpath, n) for n in filenames if n.startswith(TMP_MARK)]
    return sorted(found)


def tree_bytes(root: str | os.PathLike[str], *, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """``{relpath: bytes}`` of the files under ``root`` (Git's and trail's own dirs aside)."""
    out = {}
    base = Path(root)
    for dirpath, dirnames, filenames in os.walk(base):
        rel = os.path.relpath(dirpath, base)
        dirnames[:] = [
            d
            for d in dirnames
            if d not in (".git", ".trail", ".dvc") and os.path.join(rel, d) not in skip
        ]
        for name in filenames:
            path = Path(dirpath, name)
            key = os.path.normpath(os.path.join(rel, name))
            if key not in skip:
                out[key] = path.read_bytes()
    return out


def processes_with_env(marker: str) -> list[int]:
    """Live processes whose environment holds ``marker`` (how a test finds what a stage it
    started left running, without knowing its pid)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        with contextlib.suppress(OSError), open(f"/proc/{pid}/environ", "rb") as f:
            if marker.encode() in f.read():
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                        found.append(int(pid))
    return found


def wait_until_gone(marker: str, timeout: float = 10) -> list[int]:
    """Wait for every process carrying ``marker`` to end; those still alive at the deadline."""
    deadline = time.monotonic() + timeout
    while (alive := processes_with_env(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


@dataclass
class Faults:
    """The checks after a fault, on one repository (and its folder remote, if any)."""

    repo: Path
    remote: Path | None = None

    @property
    def cache(self) -> Path:
        return self.repo / ".trail" / "cache"

    def assert_consistent(self, expected: Mapping[str, bytes] | None = None) -> None:
        """No temp file anywhere (looked at first: fsck itself would clean some), fsck clean,
        and (if given) the workspace bytes exact."""
        roots = [self.repo] + ([self.remote] if self.remote is not None else [])
        assert temp_files(*roots) == []
        res = run("fsck", "--json", cwd=self.repo, check=False)
        assert res.returncode == 0, f"fsck after the fault: {res.stdout} {res.stderr}"
        if expected is not None:
            actual, wanted = _comparable(tree_bytes(self.repo)), _comparable(expected)
            differ = sorted(k for k in {*actual, *wanted} if actual.get(k) != wanted.get(k))
            assert differ == [], f"workspace differs from what it should be: {differ[:10]}"

    def assert_up_to_date(self) -> None:
        assert json.loads(run("status", "--json", cwd=self.repo).stdout) == {}


def _comparable(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Files as compared after a fault: a ``.gitignore`` by its lines, in any order (parallel
    stages add theirs in the order they finish)."""
    return {
        k: b"\n".join(sorted(v.splitlines())) if os.path.basename(k) == ".gitignore" else v
        for k, v in files.items()
    }


@contextlib.contextmanager
def small_filesystem(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path`` (root only; skipped, saying why, elsewhere)."""
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        print(f"SKIP reason: cannot mount a tmpfs: {proc.stderr.strip()}")
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(fs: Path) -> Path:
    """Take every free byte of the file system at ``fs``; removing the file frees it again."""
    filler = fs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for size in (1 << 16, 1 << 10, 1):  # big blocks, then the last few bytes
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)
    return filler


def copy_repo(src: Path, dst: Path) -> Path:
    """A copy of a prepared repository (links kept, modes kept), for one fault run."""
    shutil.copytree(src, dst, symlinks=True)
    return dst


def git(*args: str, cwd: str | os.PathLike[str]) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def write_files(root: Path, count: int, seed: int, size: int = 2048) -> None:
    """``count`` files of seeded random bytes in 20 subdirectories of ``root``."""
    import random

    rng = random.Random(seed)
    for i in range(count):
        path = root / f"d{i % 20:02d}" / f"f{i:05d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(rng.randint(size // 2, size)))


def other_filesystem_dir(base: Path, name: str) -> Path:
    """A fresh directory on another file system than ``base`` when the machine has one (a
    folder remote there gets copies through temp files, as over a network mount), else under
    ``base``."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.stat(shm).st_dev != os.stat(base).st_dev and os.access(shm, os.W_OK):
        import tempfile

        return Path(tempfile.mkdtemp(prefix=f"trail-{name}-", dir=shm))
    path = base / name
    path.mkdir()
    return path


def wait_for(what: str, check: Callable[[], object], timeout: float = 60) -> object:
    """Poll ``check`` until it is truthy (a deadline, never a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)
    return value


def kill_when(
    args: list[str],
    cwd: str | os.PathLike[str],
    ready: Callable[[], bool],
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> bool:
    """Start ``trail <args>`` and SIGKILL it the moment ``ready()`` holds (polled every
    millisecond or so); True if it was killed, False if it ended first."""
    proc = subprocess.Popen(
        [TRAIL, *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=None if env is None else {**os.environ, **env},
    )
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None:
            if ready():
                proc.send_signal(signal.SIGKILL)
                proc.wait(30)
                return True
            if time.monotonic() > deadline:
                raise AssertionError(f"trail {' '.join(args)} neither ended nor got ready")
            time.sleep(0.001)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)


def any_temp(*roots: str | os.PathLike[str]) -> bool:
    """Whether a trail temp file exists under ``roots`` right now (a quick look)."""
    for root in roots:
        for _dir, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            if any(n.startswith(TMP_MARK) for n in filenames):
                return True
    return False
