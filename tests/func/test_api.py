"""``trail.api``: files streamed from the workspace, Git, the cache or a remote (S3 too), of this
or another repository at any revision; params and metrics in DVC's shapes."""

from __future__ import annotations

import os
import shutil

import pytest

import trail.api as api
from trail.errors import CorruptObjectError, TrailError
from trail.remote.store import CorruptRemoteObjectError
from trail.results.loaders import ResultsFileError
from trail.testing.servers import S3_KEY, S3_SECRET


def _ok(res):
    assert res.code == 0, res.err
    return res


@pytest.fixture
def data_repo(trail_repo, trail, tmp_path_factory):
    """Two versions of tracked data (v1 tagged), pushed to a folder remote."""
    store = tmp_path_factory.mktemp("store")
    trail_repo.gen({"data": {"a.txt": "v1\n", "sub": {"b.bin": b"\x00\x01"}}, "notes.md": "git\n"})
    _ok(trail("add", "data"))
    _ok(trail("remote", "add", "-d", "store", str(store)))
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "v1")
    trail_repo.git("tag", "v1")
    trail_repo.gen({"data": {"a.txt": "v2\n"}})
    _ok(trail("add", "data"))
    trail_repo.git("commit", "-q", "-am", "v2")
    _ok(trail("push", "-T"))
    return trail_repo


def _wipe_cache(repo):
    cache = repo / ".trail" / "cache"
    for root, dirs, _files in os.walk(cache):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    shutil.rmtree(cache)


def test_public_names():
    assert sorted(api.__all__) == [
        "exp_show",
        "get_url",
        "metrics_show",
        "open",
        "params_show",
        "read",
    ]


def test_read_from_workspace_cache_and_remote(data_repo):
    assert api.read("data/a.txt") == "v2\n"  # the workspace file
    data_repo.joinpath("data/a.txt").write_text("edited, not added\n")
    assert api.read("data/a.txt") == "edited, not added\n"  # the workspace, as it is
    assert api.read("data/a.txt", rev="HEAD") == "v2\n"  # the cache
    assert api.read("data/a.txt", rev="v1") == "v1\n"
    assert api.read("data/sub/b.bin", mode="rb") == b"\x00\x01"
    assert api.read("notes.md", rev="v1") == "git\n"  # a file Git holds
    _wipe_cache(data_repo)
    assert api.read("data/a.txt", rev="v1") == "v1\n"  # streamed from the remote
    assert not (data_repo / ".trail" / "cache" / "files").exists()  # nothing staged


def test_open_streams_in_a_with_block_only(data_repo):
    with api.open("data/a.txt", rev="v1") as f:
        assert f.readline() == "v1\n"
    with api.open("data/sub/b.bin", mode="rb") as f:
        assert f.read(1) == b"\x00"
    opened = api.open("data/a.txt")
    with pytest.raises(AttributeError, match="must be used in a with statement"):
        opened.read()
    with pytest.raises(ValueError, match="reads only"):
        api.open("data/a.txt", mode="w")


def test_another_repository_by_path_and_by_git_url(data_repo, tmp_path_factory, monkeypatch):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    assert api.read("data/a.txt", repo=str(data_repo)) == "v2\n"
    url = f"file://{data_repo}"
    assert api.read("data/a.txt", repo=url, rev="v1") == "v1\n"  # cloned; data from its remote
    assert api.read("notes.md", repo=url) == "git\n"
    assert list(elsewhere.iterdir()) == []


def test_missing_paths_and_corrupt_data(data_repo):
    with pytest.raises(TrailError, match=r"'data/nope\.txt' does not exist in .* at v1"):
        api.read("data/nope.txt", rev="v1")
    with pytest.raises(TrailError, match="'data/sub' is a directory"):
        api.read("data/sub", rev="HEAD")
    with pytest.raises(TrailError, match=r"refusing path '\.\./x'"):
        api.read("../x")
    with pytest.raises(TrailError, match="unknown revision 'nosuch'"):
        api.read("data/a.txt", rev="nosuch")
    loc_hex = _object_path(data_repo, "v1")
    os.chmod(loc_hex, 0o644)
    with open(loc_hex, "w") as f:
        f.write("v9\n")  # same size, other bytes
    with pytest.raises(CorruptObjectError, match="corrupt cache object"):
        api.read("data/a.txt", rev="v1")


def _object_path(repo, content):
    """The cache file holding ``content`` (found by reading them, to stay format-agnostic)."""
    for root, _dirs, files in os.walk(repo / ".trail" / "cache" / "files"):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                if f.read() == f"{content}\n".encode():
                    return path
    raise AssertionError(f"no object holds {content}")


def test_corrupt_remote_object_is_refused(data_repo):
    remote_root = _remote_root(data_repo)
    _wipe_cache(data_repo)
    for root, _dirs, files in os.walk(remote_root):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                if f.read() == b"v1\n":
                    os.chmod(path, 0o644)
                    with open(path, "wb") as out:
                        out.write(b"vX\n")
    with pytest.raises(CorruptRemoteObjectError, match="is corrupt"):
        api.read("data/a.txt", rev="v1")


def _remote_root(repo):
    config = (repo / ".trail" / "config").read_text()
    return config.split("url = ")[1].split()[0]


def test_get_url_of_files_directories_and_remotes(data_repo):
    root = _remote_root(data_repo)
    url = api.get_url("data/a.txt", rev="v1")
    assert url.startswith(f"{root}/files/blake3/") and os.path.isfile(url)
    with open(url) as f:
        assert f.read() == "v1\n"
    assert api.get_url("data", rev="v1").endswith(".dir")
    with pytest.raises(TrailError, match="unknown remote 'other'"):
        api.get_url("data/a.txt", remote="other")
    with pytest.raises(TrailError, match=r"'notes\.md' is not tracked by trail"):
        api.get_url("notes.md")  # a Git file has no remote URL


def test_stream_from_s3(data_repo, trail, s3_server):
    s3_server.make_bucket("api")
    _ok(trail("remote", "add", "s3", "s3://api/store"))
    _ok(trail("remote", "modify", "s3", "endpointurl", s3_server.endpoint))
    _ok(trail("remote", "modify", "--local", "s3", "access_key_id", S3_KEY))
    _ok(trail("remote", "modify", "--local", "s3", "secret_access_key", S3_SECRET))
    _ok(trail("push", "-T", "-r", "s3"))
    _wipe_cache(data_repo)
    assert api.get_url("data/a.txt", rev="v1", remote="s3").startswith("s3://api/store/files/")
    assert api.read("data/a.txt", rev="v1", remote="s3") == "v1\n"
    with api.open("data/sub/b.bin", remote="s3", rev="HEAD", mode="rb") as f:
        assert f.read() == b"\x00\x01"


PIPELINE = """\
params: [extra.json]
stages:
  train:
    cmd: x
    params: [lr, {train.yaml: [opt.name]}]
    metrics: [{m.json: {cache: false}}, {other.json: {cache: false}}]
  prep:
    cmd: y
    params: [seed]
"""


@pytest.fixture
def results_repo(trail_repo):
    trail_repo.scm_gen(
        {
            "trail.yaml": PIPELINE,
            "params.yaml": "lr: 0.1\nseed: 7\nunused: 1\n",
            "train.yaml": "opt:\n  name: adam\n  beta: 0.9\nepochs: 3\n",
            "extra.json": '{"note": "x", "lr": 5}',
            "m.json": '{"acc": 0.5, "loss": {"train": 1.0}}',
            "other.json": '{"acc": 0.4, "f1": 0.3}',
        },
        commit="first",
    )
    trail_repo.gen({"params.yaml": "lr: 0.2\nseed: 7\nunused: 1\n", "m.json": '{"acc": 0.75}'})
    return trail_repo


def test_params_show_shapes(results_repo):
    assert api.params_show() == {
        "params.yaml:lr": 0.2,  # in two files: prefixed with the file
        "extra.json:lr": 5,
        "seed": 7,
        "unused": 1,
        "opt": {"name": "adam"},  # only the key the stage names
        "note": "x",
    }
    assert api.params_show(stages="prep") == {"seed": 7}
    assert api.params_show(stages=["train"], rev="HEAD") == {"lr": 0.1, "opt": {"name": "adam"}}
    assert api.params_show(deps=True) == {"lr": 0.2, "seed": 7, "opt": {"name": "adam"}}
    assert api.params_show("train.yaml") == {"opt": {"name": "adam", "beta": 0.9}, "epochs": 3}
    with pytest.raises(TrailError, match=r"nope\.yaml: no such file"):
        api.params_show("nope.yaml")


def test_metrics_show_shapes(results_repo, tmp_path_factory, monkeypatch):
    assert api.metrics_show() == {"m.json:acc": 0.75, "other.json:acc": 0.4, "f1": 0.3}
    assert api.metrics_show("m.json", rev="HEAD") == {"acc": 0.5, "loss": {"train": 1.0}}
    results_repo.git("update-ref", "refs/exps/ab/cdef/tall-oak", "HEAD")
    assert api.metrics_show("m.json", rev="tall-oak")["acc"] == 0.5  # an experiment's name
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert api.metrics_show("m.json", repo=str(results_repo)) == {"acc": 0.75}
    results_repo.gen("m.json", '{"acc": ')
    with pytest.raises(ResultsFileError, match=r"m\.json:1: invalid JSON"):
        api.metrics_show(repo=str(results_repo))


def test_exp_show_rows_in_dvc_shape(trail_repo, trail):
    from exp_helpers import make_project

    make_project(trail_repo)
    trail_repo.gen("params.yaml", "unused: 1\ntrain:\n  lr: 0.1\n  epochs: 3\n")
    trail_repo.git("commit", "-q", "-am", "an unused param")
    _ok(trail("exp", "run", "-n", "half", "-S", "train.lr=0.05"))
    rows = api.exp_show()
    assert [(r["typ"], r["Experiment"]) for r in rows] == [
        ("workspace", None),
        ("baseline", None),
        ("branch_commit", "half"),
    ]
    half = rows[2]
    assert half["train.lr"] == 0.05 and half["acc"] == 0.15 and half["loss.train"] == 0.95
    assert half["parent"] == trail_repo.git("rev-parse", "HEAD").strip()
    assert half["unused"] == 1 and len(half["train.py"]) == 64  # a param, a dep's hash
    lean = api.exp_show(param_deps=True)[2]
    assert "unused" not in lean and lean["train.epochs"] == 3
