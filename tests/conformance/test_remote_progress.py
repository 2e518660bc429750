"""Progress of transfers: many small objects are counted by number, big ones by bytes as they
move (on S3 through s3fs's callbacks on the event loop, on a folder through the copy)."""

from __future__ import annotations

import os

from trail import hashing
from trail.fs.local import LocalFS
from trail.fs.open import open_fs
from trail.odb.local import LocalODB
from trail.remote import transfer
from trail.remote.store import SMALL, RemoteStore
from trail.testing.servers import S3_KEY, S3_SECRET
from trail.types import Oid


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple] = []

    def start(self, description, total_files, total_bytes=None):
        self.events.append(("start", description, total_files, total_bytes))

    def advance(self, files=1, nbytes=0):
        self.events.append(("advance", files, nbytes))

    def finish(self):
        self.events.append(("finish",))

    def advances(self):
        return [e[1:] for e in self.events if e[0] == "advance"]


def _objects(odb: LocalODB, sizes: list[int]) -> list[Oid]:
    oids = []
    for i, size in enumerate(sizes):
        data = os.urandom(size) if size > 64 else bytes([i]) * size
        oid = Oid("md5", hashing.get("md5").hash_bytes(data))
        odb.add_bytes(oid, data)
        oids.append(oid)
    return oids


def _s3(server, bucket: str) -> RemoteStore:
    server.make_bucket(bucket)
    options = {"endpointurl": server.endpoint, "access_key_id": S3_KEY}
    options["secret_access_key"] = S3_SECRET
    return RemoteStore("s3", open_fs(f"s3://{bucket}/store", options))


def test_a_big_download_reports_bytes_as_they_arrive(tmp_path, s3_server):
    store = _s3(s3_server, "progress-big")
    odb = LocalODB(str(tmp_path / "a"))
    size = 3 * SMALL + 123
    oids = _objects(odb, [size, 10, 20])
    assert not transfer.upload(store, odb, oids, jobs=4).failed
    rec = Recorder()
    other = LocalODB(str(tmp_path / "b"))
    got = transfer.download(store, other, oids, jobs=4, progress=rec)
    assert not got.failed and got.nbytes == size + 30
    assert other.read_bytes(oids[0]) == odb.read_bytes(oids[0])
    # the small ones by number, then a bar of its own for the big one, in bytes
    starts = [e for e in rec.events if e[0] == "start"]
    assert starts[0][2:] == (3, None)
    assert starts[1][2:] == (1, size)
    big = rec.advances()[rec.events.index(starts[1]) - 1 :]
    assert len([n for f, n in big if f == 0 and n > 0]) >= 3  # several steps, not one at the end
    assert sum(n for _f, n in big) == size and sum(f for f, _n in big) == 1


def test_many_small_uploads_count_objects_not_bytes(tmp_path, s3_server):
    store = _s3(s3_server, "progress-small")
    odb = LocalODB(str(tmp_path / "a"))
    oids = _objects(odb, [100 + i for i in range(40)])
    rec = Recorder()
    assert not transfer.upload(store, odb, oids, jobs=4, progress=rec).failed
    assert rec.events[0] == ("start", "Pushing to s3", 40, sum(100 + i for i in range(40)))
    assert all(f == 1 for f, _n in rec.advances()) and len(rec.advances()) == 40


def test_a_big_upload_to_a_folder_streams_bytes(tmp_path):
    odb = LocalODB(str(tmp_path / "cache"))
    (oid,) = _objects(odb, [2 * SMALL + 5])
    store = RemoteStore("f", LocalFS(str(tmp_path / "remote")))  # copies: no hard links
    rec = Recorder()
    assert not transfer.upload(store, odb, [oid], jobs=2, progress=rec).failed
    steps = rec.advances()
    assert len(steps) >= 2 and sum(n for _f, n in steps) == 2 * SMALL + 5


def test_a_big_download_over_ssh_reports_bytes(tmp_path, ssh_server):
    root = tmp_path / "sftp"
    root.mkdir()
    url = f"ssh://{ssh_server.user}@127.0.0.1:{ssh_server.port}{root}"
    store = RemoteStore("ssh", open_fs(url, {"keyfile": ssh_server.keyfile}))
    odb = LocalODB(str(tmp_path / "a"))
    size = 2 * SMALL + 7
    oids = _objects(odb, [size])
    assert not transfer.upload(store, odb, oids, jobs=2).failed
    rec = Recorder()
    got = transfer.download(store, LocalODB(str(tmp_path / "b")), oids, jobs=2, progress=rec)
    assert not got.failed
    assert [e[2:] for e in rec.events if e[0] == "start"][-1] == (1, size)
    steps = rec.advances()
    assert len([n for f, n in steps if f == 0 and n > 0]) >= 2
    assert sum(n for _f, n in steps) == size
