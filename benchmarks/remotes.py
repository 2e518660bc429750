"""The ``remote`` group: push, no-op push and pull (into a fresh clone) of ``many`` and ``big``,
trail and DVC side by side, to three remotes:

- a folder on the same disk, where trail hard-links cache objects and DVC copies them (the
  ``placed`` column says so);
- a folder on another file system, where both must copy: a tmpfs the bench mounts when it runs
  as root (else those rows are skipped, and the report says why);
- SeaweedFS's S3 server on loopback, started by the bench (a fresh one each round: one holding
  every round's buckets runs out of volumes).

Each push is checked to leave every object on the remote, each no-op push to add none, each
pull to restore every byte.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from checks import count_files, placement, sample, tree_digest

NAME = "remote"
NEEDS = ("many", "big")
ORDER = 50
KINDS = ("folder", "folder (other fs)", "s3")

# SPEC section 10 sets targets for a folder remote on the cache's disk; the others are for
# information (on another file system neither tool can link; S3 shares these 2 cores with
# SeaweedFS).
TARGETS = {
    "remote: push many → folder": ("≥ 5×", 5.0),
    "remote: no-op push many → folder": ("≥ 20×", 20.0),
    "remote: pull many ← folder (fresh clone)": ("≥ 5×", 5.0),
}


def _rows() -> Iterator[tuple[str, str]]:
    """(row name, workload) of every row of the group."""
    for kind in KINDS:
        for workload in ("many", "big"):
            yield f"remote: push {workload} → {kind}", workload
            if workload == "many":
                yield f"remote: no-op push many → {kind}", workload
            yield f"remote: pull {workload} ← {kind} (fresh clone)", workload


def rows(bench: Any) -> None:
    for dialect in ("trail", "dvc"):
        for name, workload in _rows():
            target, k = TARGETS.get(name, ("—", None))
            if dialect == "dvc" and k is not None:
                target, k = (
                    ("≥ 2× (many files)", 2.0) if workload == "many" else ("never slower", 1.0)
                )
            check = bench.faster(k) if k is not None else (lambda d, t, _b: None)
            bench.row(name, dialect, target, check)


class S3:
    """A SeaweedFS server for one round (the test rig's, on loopback, stopped after)."""

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="bench-s3-"))
        self.server: Any = None
        self.buckets = 0
        self.fs: Any = None

    def __enter__(self) -> S3 | None:
        try:
            from trail.testing.servers import S3_KEY, S3_SECRET, S3Server

            server = S3Server(self.workdir)
            server.start()
        except BaseException as exc:  # pytest.skip when `weed` is missing is a BaseException
            print(f"S3 rows skipped: cannot start SeaweedFS ({exc})", flush=True)
            return None
        import s3fs

        self.server = server
        self.fs = s3fs.S3FileSystem(
            key=S3_KEY, secret=S3_SECRET, endpoint_url=server.endpoint, skip_instance_cache=True
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextlib.contextmanager
def other_fs(bench: Any) -> Iterator[Path | None]:
    """A folder on a file system other than the cache's: a tmpfs mounted here (as root),
    sized for one remote's worth of the workloads; None (and a note) where that cannot be."""
    mnt = bench.work / "other-fs"
    size = bench.scale.big_bytes + bench.scale.csv_bytes + bench.scale.many_files * 20_000
    why = "the bench runs as root to mount a tmpfs; it is not root here"
    if os.geteuid() == 0:
        mnt.mkdir(parents=True, exist_ok=True)
        opts = f"size={size + (256 << 20)}"
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(mnt)], capture_output=True, text=True
        )
        if proc.returncode == 0 and os.stat(mnt).st_dev != os.stat(bench.work).st_dev:
            try:
                yield mnt
            finally:
                subprocess.run(["umount", str(mnt)], check=False)
            return
        why = f"mounting a tmpfs failed ({(proc.stderr or '').strip()[:100]})"
    bench.note(f"rows 'folder (other fs)' skipped: no folder on another file system ({why})")
    yield None


def run(bench: Any) -> None:
    with other_fs(bench) as elsewhere:
        for dialect in ("trail", "dvc"):
            for rnd, warm in bench.rounds():
                with S3() as s3:
                    for tool in bench.tools(dialect, rnd):
                        for workload in ("many", "big"):
                            if workload == "big" and bench.args.skip_big:
                                continue
                            what = f"remote {workload}, {dialect} dialect, {tool.name}, round {rnd}"
                            with bench.attempt(what):
                                Round(bench, dialect, tool, workload, warm).run(elsewhere, s3)


class Round:
    """One tool's round on one workload: add it once, then each remote in turn."""

    def __init__(self, bench: Any, dialect: str, tool: Any, workload: str, warm: bool) -> None:
        self.bench, self.dialect, self.tool, self.workload, self.warm = (
            bench,
            dialect,
            tool,
            workload,
            warm,
        )
        self.src = bench.src / workload
        self.expected = tree_digest(self.src)
        self.objects = self.expected[0] + 1  # and the directory's manifest

    def run(self, elsewhere: Path | None, s3: S3 | None) -> None:
        bench, ex = self.bench, self.tool.exe
        repo = bench.repo(self.tool, f"remote-{self.workload}-{self.dialect}")
        shutil.copytree(self.src, repo / "data")
        bench.sh([ex, "add", "data"], repo)
        bench.sh(["git", "add", "-A"], repo)
        bench.sh(["git", "commit", "-qm", "data"], repo)
        self.folder(repo, bench.work / "remotes", "folder")
        if elsewhere is not None:
            self.folder(repo, elsewhere, "folder (other fs)")
        if s3 is not None:
            self.s3(repo, s3)
        shutil.rmtree(repo)

    def folder(self, repo: Path, parent: Path, kind: str) -> None:
        store = parent / f"folder-{self.dialect}-{self.tool.name}"
        shutil.rmtree(store, ignore_errors=True)
        store.mkdir(parents=True)
        self.bench.sh([self.tool.exe, "remote", "add", "-d", "-f", "folder", str(store)], repo)

        def holds() -> int:
            return count_files(store)

        objects = store / "files"
        self.round_trip(repo, kind, holds, lambda: placement(sample(objects)), lambda clone: None)
        shutil.rmtree(store)

    def s3(self, repo: Path, s3: S3) -> None:
        from trail.testing.servers import S3_KEY, S3_SECRET

        bench, ex = self.bench, self.tool.exe
        s3.buckets += 1
        bucket = f"bench-{s3.buckets}"
        s3.server.make_bucket(bucket)
        bench.sh([ex, "remote", "add", "-d", "-f", "s3", f"s3://{bucket}/store"], repo)
        bench.sh([ex, "remote", "modify", "s3", "endpointurl", s3.server.endpoint], repo)

        def creds(where: Path) -> None:
            for key, value in (("access_key_id", S3_KEY), ("secret_access_key", S3_SECRET)):
                bench.sh([ex, "remote", "modify", "--local", "s3", key, value], where)

        def holds() -> int:
            s3.fs.invalidate_cache()
            return len([p for p in s3.fs.find(f"{bucket}/store") if "/files/" in p])

        creds(repo)
        self.round_trip(repo, "s3", holds, lambda: "upload", creds)

    def round_trip(
        self,
        repo: Path,
        kind: str,
        holds: Callable[[], int],
        placed: Callable[[], str],
        setup_clone: Callable[[Path], None],
    ) -> None:
        bench, ex, workload, warm = self.bench, self.tool.exe, self.workload, self.warm
        dialect, tool = self.dialect, self.tool
        bench.sh(["git", "add", "-A"], repo)
        bench.sh(["git", "commit", "-qm", f"{kind} remote", "--allow-empty"], repo)
        bench.settle()

        def pushed(_out: str) -> None:
            n = holds()
            bench.expect(n == self.objects, f"the remote holds {n} objects, not {self.objects}")

        push = f"remote: push {workload} → {kind}"
        bench.time_row(push, dialect, tool, repo, [ex, "push"], warm, check=pushed, placed=placed)
        if workload == "many":
            noop = f"remote: no-op push many → {kind}"
            bench.time_row(noop, dialect, tool, repo, [ex, "push"], warm, check=pushed)
        clone = repo.parent / f"{repo.name}-clone"
        shutil.rmtree(clone, ignore_errors=True)
        bench.sh(["git", "clone", "-q", str(repo), str(clone)], repo.parent)
        setup_clone(clone)
        bench.settle()

        def restored(_out: str) -> None:
            bench.expect(
                tree_digest(clone / "data") == self.expected, "pull did not restore every byte"
            )

        pull = f"remote: pull {workload} ← {kind} (fresh clone)"
        bench.time_row(
            pull,
            dialect,
            tool,
            clone,
            [ex, "pull"],
            warm,
            check=restored,
            placed=lambda: placement(sample(clone / "data")),
        )
        shutil.rmtree(clone)
