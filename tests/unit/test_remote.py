"""The remote layer on an in-memory file system: layout, verified downloads, retries, the
failure list, the index and its gc marker."""

from __future__ import annotations

import pytest

from trail import hashing
from trail.errors import RemoteAuthError, RemoteUnreachableError, TransferError
from trail.fs import batch
from trail.fs.memory import MemoryFS
from trail.fs.registry import backend_for
from trail.odb.local import LocalODB
from trail.remote import transfer
from trail.remote.index import RemoteIndex
from trail.remote.store import RemoteStore, object_path, parse_object_path, present
from trail.types import Kind, Oid


def _oid(data: bytes, algo: str = "blake3") -> Oid:
    return Oid(algo, hashing.get(algo).hash_bytes(data))


@pytest.fixture
def odb(tmp_path):
    return LocalODB(str(tmp_path / "cache"))


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    monkeypatch.setattr(batch, "BACKOFF", 0.0)


def test_layout_mirrors_the_cache_and_dvc2_objects_sit_at_the_root():
    assert object_path(Oid("md5", "ab" + "c" * 30)) == "files/md5/ab/" + "c" * 30
    assert (
        object_path(Oid("md5", "ab" + "c" * 30, Kind.TREE)) == "files/md5/ab/" + "c" * 30 + ".dir"
    )
    assert object_path(Oid("md5-dos2unix", "ab" + "c" * 30)) == "ab/" + "c" * 30
    tree = parse_object_path("ab/" + "c" * 30 + ".dir", "md5", 32)
    assert tree == Oid("md5", "ab" + "c" * 30, Kind.TREE)
    assert parse_object_path("ab/.trail-tmp-1", "md5", 32) is None
    assert parse_object_path("zz/" + "c" * 30, "md5", 32) is None


def test_iter_oids_reads_one_listing():
    fs = MemoryFS()
    fs.files = {"files/md5/ab/" + "c" * 30: b"", "ab/" + "d" * 30: b"", ".trail-gc": b"x"}
    found = set(RemoteStore("r", fs).iter_oids())
    assert found == {Oid("md5", "ab" + "c" * 30), Oid("md5-dos2unix", "ab" + "d" * 30)}
    assert [c for c in fs.calls if c.startswith("walk")] == ["walk "]


def test_upload_then_download_round_trip(odb):
    fs = MemoryFS()
    store = RemoteStore("r", fs)
    oids = []
    for i in range(10):
        data = f"object {i}".encode()
        oid = _oid(data)
        odb.add_bytes(oid, data)
        oids.append(oid)
    done = transfer.upload(store, odb, oids, jobs=4)
    assert sorted(done.done, key=str) == sorted(oids, key=str) and not done.failed
    other = LocalODB(odb.root + "2")
    got = transfer.download(store, other, oids, jobs=4)
    assert not got.failed
    assert other.read_verified(oids[3]) == b"object 3"


def test_a_corrupt_object_is_reported_and_not_stored(odb):
    fs = MemoryFS("memory://bad")
    oid = _oid(b"good")
    fs.files[object_path(oid)] = b"evil"
    got = transfer.download(RemoteStore("r", fs), odb, [oid], jobs=1)
    assert not odb.exists(oid)
    assert "is corrupt" in got.failed[oid.hex]
    import os

    leftovers = [f for _d, _s, fs_ in os.walk(odb.root) for f in fs_]
    assert leftovers == []


def test_transient_errors_are_retried(odb):
    fs = MemoryFS()
    oid = _oid(b"x")
    odb.add_bytes(oid, b"x")
    failures = iter([ConnectionResetError("reset"), TimeoutError("slow")])
    fs.fail = lambda op, path: next(failures, None) if op == "put" else None
    done = transfer.upload(RemoteStore("r", fs), odb, [oid], jobs=1)
    assert done.done == [oid]
    assert [c for c in fs.calls if c.startswith("put")] == [f"put {object_path(oid)}"] * 3


def test_a_dead_remote_fails_every_object_once_and_gives_up(odb):
    fs = MemoryFS("memory://down")
    oids = []
    for i in range(30):
        oid = _oid(str(i).encode())
        odb.add_bytes(oid, str(i).encode())
        oids.append(oid)
    fs.fail = lambda op, path: RemoteUnreachableError("memory://down")
    done = transfer.upload(RemoteStore("r", fs), odb, oids, jobs=1)
    assert len(done.failed) == 30 and not done.done
    puts = [c for c in fs.calls if c.startswith("put")]
    assert len(puts) <= batch.GIVE_UP_AFTER + batch.RETRIES
    err = TransferError("push", done.failed)
    assert str(err).startswith("30 objects failed to push: ")
    assert "(and 25 more)" in str(err)


def test_manifests_wait_for_their_files(odb):
    fs = MemoryFS()
    blob, tree = _oid(b"f"), Oid("blake3", _oid(b"m").hex, Kind.TREE)
    odb.add_bytes(blob, b"f")
    odb.add_bytes(tree, b"m")
    fs.fail = lambda op, path: PermissionError("no") if path == object_path(blob) else None
    done = transfer.upload(RemoteStore("r", fs), odb, [tree, blob], jobs=1)
    assert object_path(tree) not in fs.files
    assert "held back" in done.failed[tree.hex + ".dir"]


def test_present_asks_each_object_when_few(odb):
    fs = MemoryFS()
    a, b = _oid(b"a"), _oid(b"b")
    fs.files[object_path(a)] = b"a"
    assert present(RemoteStore("r", fs), [a, b], jobs=2) == {a}
    assert not [c for c in fs.calls if c.startswith("walk")]
    # absent is one thing; a remote that will not say is another
    fs.fail = lambda op, path: RemoteAuthError("memory://") if op == "read" else None
    with pytest.raises(RemoteAuthError):
        present(RemoteStore("r", fs), [a, b], jobs=2)


def test_index_is_dropped_when_the_gc_marker_changes(tmp_path):
    index = RemoteIndex(str(tmp_path), "s3://b/x")
    index.validate("")
    a, t = Oid("md5", "a" * 32), Oid("md5", "b" * 32, Kind.TREE)
    index.add([a, t])
    assert index.known([a, t, Oid("md5", "c" * 32)]) == {a, t}
    index.close()
    again = RemoteIndex(str(tmp_path), "s3://b/x")
    again.validate("")
    assert again.known([a]) == {a}
    again.validate("new-marker")
    assert again.known([a]) == set()
    assert RemoteIndex(str(tmp_path), "s3://other").known([a]) == set()


def test_registry_knows_protocols_and_local_paths():
    assert backend_for("/data/store") is None
    assert backend_for("file:///data/store") is None
    assert backend_for("sftp://h/p").extra == "ssh"
    assert backend_for("https://h/p").readonly
    assert backend_for("s3://b").atomic_put


def test_small_objects_take_one_read_and_big_ones_stream(odb):
    from trail.remote.store import SMALL

    fs = MemoryFS()
    store = RemoteStore("r", fs)
    small, big = b"s" * 100, b"b" * (SMALL + 1)
    oids = [_oid(small), _oid(big)]
    for oid, data in zip(oids, (small, big), strict=True):
        fs.files[object_path(oid)] = data
    got = transfer.download(store, odb, oids, jobs=2)
    assert not got.failed and got.nbytes == len(small) + len(big)
    assert odb.read_bytes(oids[1]) == big
    small_path, big_path = object_path(oids[0]), object_path(oids[1])
    assert sorted(c for c in fs.calls if c.endswith(small_path)) == [f"read {small_path}"]
    # the big one: its first bytes, its size (for a bar in bytes), then the whole of it
    assert [c.split()[0] for c in fs.calls if c.endswith(big_path)] == ["read", "read", "get"]


def test_object_stores_keep_more_requests_in_flight_than_folders(tmp_path):
    import os

    from trail.fs.local import LocalFS
    from trail.fs.open import open_fs

    cores = os.cpu_count() or 1
    s3 = RemoteStore("s", open_fs("s3://bucket/x", {"endpointurl": "http://127.0.0.1:9"}))
    assert transfer.default_jobs(s3) == max(32, 4 * cores)
    ssh = RemoteStore("h", open_fs("ssh://u@127.0.0.1:9/x", {}))  # built lazily: no connection
    assert transfer.default_jobs(ssh) == 4 * cores
    assert transfer.default_jobs(RemoteStore("f", LocalFS(str(tmp_path)))) == cores
    assert transfer.default_jobs(RemoteStore("m", MemoryFS())) == 4 * cores


def test_the_s3_client_leaves_retries_and_checksums_to_trail():
    from trail.fs.registry import BACKENDS
    from trail.fs.remotefs import fs_kwargs

    kwargs, root = fs_kwargs(BACKENDS["s3"], "s3://b/p/", {"region": "eu-west-1"})
    config = kwargs["config_kwargs"]
    assert root == "b/p" and kwargs["client_kwargs"] == {"region_name": "eu-west-1"}
    assert config["retries"] == {"max_attempts": 0}  # trail.fs.batch retries, with jitter
    assert config["request_checksum_calculation"] == "when_required"  # objects are hashed
    assert config["user_agent"].startswith("trail/")


def _objects(odb, n, size=10):
    oids = []
    for i in range(n):
        data = f"{i:04}".encode() * (size // 4)
        oid = _oid(data)
        odb.add_bytes(oid, data)
        oids.append(oid)
    return oids


def _cache_leftovers(odb) -> list[str]:
    import os

    return [f for _d, _s, files in os.walk(odb.root) for f in files if "tmp" in f]


def test_a_partial_upload_names_exactly_the_objects_that_failed(odb):
    from trail.oidstr import format_oid

    fs = MemoryFS()
    oids = _objects(odb, 30)
    bad = {object_path(oids[3]), object_path(oids[17])}
    fs.fail = lambda op, path: PermissionError("denied") if path in bad else None
    done = transfer.upload(RemoteStore("r", fs), odb, oids, jobs=4)
    assert sorted(done.failed) == sorted(format_oid(oids[i]) for i in (3, 17))
    assert set(done.done) == set(oids) - {oids[3], oids[17]}
    assert set(fs.files) == {object_path(o) for o in done.done}
    err = TransferError("push", done.failed)
    assert str(err).startswith("2 objects failed to push: ") and oids[3].hex in str(err)


def test_a_partial_download_names_exactly_the_objects_that_failed(odb, tmp_path):
    from trail.oidstr import format_oid

    fs = MemoryFS()
    oids = _objects(odb, 30)
    transfer.upload(RemoteStore("r", fs), odb, oids, jobs=4)
    del fs.files[object_path(oids[5])]
    fs.files[object_path(oids[9])] = b"tampered"
    other = LocalODB(str(tmp_path / "other"))
    got = transfer.download(RemoteStore("r", fs), other, oids, jobs=4)
    assert got.failed == {
        format_oid(oids[5]): "not on the remote",
        format_oid(oids[9]): got.failed[format_oid(oids[9])],
    }
    assert "is corrupt" in got.failed[format_oid(oids[9])]
    assert {o for o in oids if other.exists(o)} == set(oids) - {oids[5], oids[9]}


class _CtrlCOnFirst:
    """A progress bar during which the user presses Ctrl-C, once the first object arrived."""

    def start(self, description, total_files, total_bytes=None):
        pass

    def advance(self, files=1, nbytes=0):
        if files:
            raise KeyboardInterrupt

    def finish(self):
        pass


def test_ctrl_c_during_a_download_leaves_only_whole_objects_in_the_cache(odb, tmp_path):
    """Big objects stream to temp files beside their place: an interrupt removes them all;
    the one object that finished is whole, the next download brings the rest."""
    from trail.remote.store import SMALL

    fs = MemoryFS()
    oids = _objects(odb, 16, SMALL + 8)  # enough to run on threads: others are under way
    transfer.upload(RemoteStore("r", fs), odb, oids, jobs=4)
    other = LocalODB(str(tmp_path / "other"))
    with pytest.raises(KeyboardInterrupt):
        transfer.download(RemoteStore("r", fs), other, oids, jobs=4, progress=_CtrlCOnFirst())
    assert not _cache_leftovers(other)
    landed = [o for o in oids if other.exists(o)]
    assert len(landed) == 1 and other.read_verified(landed[0]) == odb.read_bytes(landed[0])
    got = transfer.download(RemoteStore("r", fs), other, oids, jobs=4)
    assert not got.failed and all(other.read_verified(o) for o in oids)


def test_ctrl_c_in_the_middle_of_writing_an_object_leaves_no_part_of_it(odb, tmp_path):
    from trail.remote.store import SMALL

    class HalfThenCtrlC(MemoryFS):
        def get_file(self, path, local, on_bytes=None):
            with open(local, "wb") as f:
                f.write(self.files[path][: SMALL // 2])
            raise KeyboardInterrupt

    fs = HalfThenCtrlC()
    (oid,) = _objects(odb, 1, SMALL + 8)
    transfer.upload(RemoteStore("r", fs), odb, [oid], jobs=1)
    other = LocalODB(str(tmp_path / "other"))
    with pytest.raises(KeyboardInterrupt):
        transfer.download(RemoteStore("r", fs), other, [oid], jobs=1)
    assert not other.exists(oid) and not _cache_leftovers(other)


def test_ctrl_c_during_an_upload_to_a_folder_leaves_no_partial_object(odb, tmp_path):
    from trail.fs.local import LocalFS

    oids = _objects(odb, 40, 1000)
    remote = tmp_path / "remote"
    store = RemoteStore("r", LocalFS(str(remote)))  # copies, through temp names
    with pytest.raises(KeyboardInterrupt):
        transfer.upload(store, odb, oids, jobs=4, progress=_CtrlCOnFirst())
    import os

    files = [os.path.join(d, f) for d, _s, fs_ in os.walk(remote) for f in fs_]
    assert not [f for f in files if "tmp" in os.path.basename(f)]
    for oid in oids:  # whatever arrived is whole
        path = remote / object_path(oid)
        assert not path.exists() or path.read_bytes() == odb.read_bytes(oid)
