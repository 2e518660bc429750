"""One remote conformance suite, run against every backend: a local folder, S3 (SeaweedFS),
SSH (OpenSSH's sshd) and read-only HTTP. A ``Backend`` configures a repository for the remote
and reaches the stored objects directly, to corrupt or delete them."""

from __future__ import annotations

import itertools
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from trail.testing.plugin import run_main
from trail.testing.servers import S3_KEY, S3_SECRET

_ids = itertools.count()


@dataclass
class Backend:
    name: str
    url: str
    options: dict[str, str] = field(default_factory=dict)
    writable: bool = True
    root: Path | None = None  # where the objects are visible on this machine (not for S3)
    s3fs: object = None
    bucket_path: str = ""

    def configure(self) -> None:
        """Point the repository in the current directory at this remote (as default 'r')."""
        assert run_main("remote", "add", "-d", "-f", "r", self.url).code == 0
        for key, value in self.options.items():
            res = run_main("remote", "modify", "r", key, value)
            assert res.code == 0, res.err
        if not self.writable:
            # Data reaches a read-only remote through a folder remote on the same files.
            assert run_main("remote", "add", "-f", "seed", str(self.root)).code == 0

    def push(self, *args: str) -> object:
        extra = () if self.writable else ("-r", "seed")
        return run_main("push", *extra, *args)

    def files(self) -> list[str]:
        if self.root is not None:
            return sorted(
                str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file()
            )
        prefix = self.bucket_path + "/"
        return sorted(p[len(prefix) :] for p in self.s3fs.find(self.bucket_path))  # type: ignore[attr-defined]

    def write(self, rel: str, data: bytes) -> None:
        if self.root is not None:
            # a new file: the old one may be hard-linked from the pushing clone's cache
            path = self.root / rel
            path.unlink(missing_ok=True)
            path.write_bytes(data)
        else:
            self.s3fs.pipe(f"{self.bucket_path}/{rel}", data)  # type: ignore[attr-defined]

    def delete(self, rel: str) -> None:
        if self.root is not None:
            (self.root / rel).unlink()
        else:
            self.s3fs.rm_file(f"{self.bucket_path}/{rel}")  # type: ignore[attr-defined]


BACKENDS = ["local", "s3", "ssh", "http"]


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path_factory) -> Backend:
    n = next(_ids)
    if request.param == "local":
        root = tmp_path_factory.mktemp("remote")
        return Backend("local", str(root), root=root)
    if request.param == "s3":
        server = request.getfixturevalue("s3_server")
        bucket = f"trail-{n}"
        server.make_bucket(bucket)
        import s3fs

        fs = s3fs.S3FileSystem(
            key=S3_KEY, secret=S3_SECRET, endpoint_url=server.endpoint, skip_instance_cache=True
        )
        options = {
            "endpointurl": server.endpoint,
            "access_key_id": S3_KEY,
            "secret_access_key": S3_SECRET,
        }
        return Backend(
            "s3", f"s3://{bucket}/store", options, s3fs=fs, bucket_path=f"{bucket}/store"
        )
    if request.param == "ssh":
        server = request.getfixturevalue("ssh_server")
        root = tmp_path_factory.mktemp("sftp")
        url = f"ssh://{server.user}@127.0.0.1:{server.port}{root}"
        return Backend("ssh", url, {"keyfile": server.keyfile}, root=root)
    server = request.getfixturevalue("http_server")
    root = server.root / f"r{n}"
    root.mkdir()
    return Backend("http", f"{server.url}/r{n}", writable=False, root=root)


@pytest.fixture
def shared(trail_repo, backend):
    """A committed repository with a directory and a file tracked, configured for ``backend``."""
    trail_repo.gen({"data": {"a.txt": "alpha", "sub": {"b.txt": "beta", "c.txt": "gamma"}}})
    trail_repo.gen("model.bin", b"\x00weights" * 1000)
    assert run_main("add", "data", "model.bin").code == 0
    backend.configure()
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "data")
    return trail_repo


def clone(src: Path, dst: Path, backend: Backend) -> Path:
    subprocess.run(["git", "clone", "-q", str(src), str(dst)], check=True)
    return dst
