"""The ``remote`` group of ``make bench`` (``--only remote``): push, no-op push and pull of
``many`` and ``big`` to a folder remote and to a SeaweedFS S3 server on loopback that the bench
starts itself, trail and DVC side by side, each pull into a fresh clone."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

# name → (target in the trail dialect, minimum speed-up or None for information only). SPEC
# section 10 sets targets for a local remote; the S3 and big rows are for information.
ROWS: dict[str, tuple[str, float | None]] = {
    "remote: push many → folder": ("≥ 5×", 5),
    "remote: no-op push many → folder": ("≥ 20×", 20),
    "remote: pull many ← folder (fresh clone)": ("≥ 5×", 5),
    "remote: push many → s3": ("—", None),
    "remote: no-op push many → s3": ("—", None),
    "remote: pull many ← s3 (fresh clone)": ("—", None),
    "remote: push big → folder": ("—", None),
    "remote: pull big ← folder (fresh clone)": ("—", None),
    "remote: push big → s3": ("—", None),
    "remote: pull big ← s3 (fresh clone)": ("—", None),
}


def define_rows(bench: Any, row_cls: type) -> None:
    for dialect in ("trail", "dvc"):
        for name, (target, k) in ROWS.items():
            if dialect == "dvc" and k is not None:
                many = "many" in name
                target, k = ("≥ 2× (many files)", 2.0) if many else ("never slower", 1.0)
            bench.rows.append(row_cls(name, dialect, target, _check(k)))


def _check(k: float | None) -> Callable[[float, float, dict[str, float]], bool | None]:
    if k is None:
        return lambda d, t, _b: None
    return lambda d, t, _b: d / t >= k


class S3:
    """A SeaweedFS server for the bench (the test rig's, started on loopback, stopped after)."""

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="bench-s3-"))
        self.server: Any = None
        self.buckets = 0

    def __enter__(self) -> S3 | None:
        try:
            from trail.testing.servers import S3Server

            server = S3Server(self.workdir)
            server.start()
        except BaseException as exc:  # pytest.skip when `weed` is missing is a BaseException
            print(f"S3 rows skipped: cannot start SeaweedFS ({exc})", flush=True)
            return None
        self.server = server
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


class RemoteBench:
    """Runs the group for one bench; ``sh(cmd, cwd)`` and ``settle()`` come from run.py."""

    def __init__(
        self, bench: Any, sh: Callable[[list[str], Path], float], settle: Callable[[], None]
    ) -> None:
        self.bench, self.sh, self.settle = bench, sh, settle

    def run(self, dialect: str) -> None:
        """Every round: each tool adds ``many`` and ``big`` in a fresh repository, pushes to
        each remote, pushes again (no-op), and pulls into a fresh clone. Each round has a
        SeaweedFS server of its own: one holding every round's buckets runs out of volumes."""
        bench = self.bench
        for rnd in range(bench.args.rounds + 1):
            warm = rnd == 0
            with S3() as s3:
                for tool in bench.tools(dialect):
                    for workload in ("many", "big"):
                        what = f"remote {workload}, {dialect} dialect, {tool.name}, round {rnd}"
                        with bench.attempt(what):
                            self._workload(dialect, tool, workload, warm, s3)

    def _workload(self, dialect: str, tool: Any, workload: str, warm: bool, s3: S3 | None) -> None:
        repo = self.bench.repo(tool, f"remote-{workload}-{dialect}")
        shutil.copytree(self.bench.src / workload, repo / "data")
        self.sh([tool.exe, "add", "data"], repo)
        self.sh(["git", "add", "-A"], repo)
        self.sh(["git", "commit", "-qm", "data"], repo)
        self._folder(dialect, tool, repo, workload, warm)
        if s3 is not None:
            self._s3(dialect, tool, repo, workload, warm, s3)
        shutil.rmtree(repo)

    def _folder(self, dialect: str, tool: Any, repo: Path, workload: str, warm: bool) -> None:
        store = self.bench.work / "remotes" / f"folder-{dialect}-{tool.name}"
        shutil.rmtree(store, ignore_errors=True)
        store.mkdir(parents=True)
        self.sh([tool.exe, "remote", "add", "-d", "-f", "folder", str(store)], repo)
        self._round_trip(dialect, tool, repo, workload, "folder", warm, lambda clone: None)
        shutil.rmtree(store)

    def _s3(self, dialect: str, tool: Any, repo: Path, workload: str, warm: bool, s3: S3) -> None:
        from trail.testing.servers import S3_KEY, S3_SECRET

        s3.buckets += 1
        bucket = f"bench-{s3.buckets}"
        s3.server.make_bucket(bucket)
        url, endpoint = f"s3://{bucket}/store", s3.server.endpoint
        self.sh([tool.exe, "remote", "add", "-d", "-f", "s3", url], repo)
        self.sh([tool.exe, "remote", "modify", "s3", "endpointurl", endpoint], repo)

        def creds(where: Path) -> None:
            for key, value in (("access_key_id", S3_KEY), ("secret_access_key", S3_SECRET)):
                self.sh([tool.exe, "remote", "modify", "--local", "s3", key, value], where)

        creds(repo)
        self._round_trip(dialect, tool, repo, workload, "s3", warm, creds)

    def _round_trip(
        self,
        dialect: str,
        tool: Any,
        repo: Path,
        workload: str,
        kind: str,
        warm: bool,
        setup_clone: Callable[[Path], None],
    ) -> None:
        bench, ex = self.bench, tool.exe
        self.sh(["git", "add", "-A"], repo)
        self.sh(["git", "commit", "-qm", f"{kind} remote", "--allow-empty"], repo)
        self.settle()
        bench.time_row(f"remote: push {workload} → {kind}", dialect, tool, repo, [ex, "push"], warm)
        if workload == "many":
            noop = f"remote: no-op push many → {kind}"
            bench.time_row(noop, dialect, tool, repo, [ex, "push"], warm)
        clone = repo.parent / f"{repo.name}-clone"
        shutil.rmtree(clone, ignore_errors=True)
        self.sh(["git", "clone", "-q", str(repo), str(clone)], repo.parent)
        setup_clone(clone)
        self.settle()
        pull = f"remote: pull {workload} ← {kind} (fresh clone)"
        bench.time_row(pull, dialect, tool, clone, [ex, "pull"], warm)
        shutil.rmtree(clone)
