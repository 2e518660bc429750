"""Remotes shared by trail and the real dvc: what one pushes, the other pulls (local folder and
S3), in a fresh clone."""

from __future__ import annotations

import os
import subprocess

import pytest
from test_interop import DATA, _gen, _tree

from trail.testing.servers import S3_KEY, S3_SECRET

pytestmark = pytest.mark.compat


def _clone(src, tmp_path_factory, monkeypatch):
    dst = tmp_path_factory.mktemp("clone") / "b"
    subprocess.run(["git", "clone", "-q", str(src), str(dst)], check=True)
    monkeypatch.chdir(dst)
    return dst


def _s3(tool, s3_server, bucket):
    s3_server.make_bucket(bucket)
    tool("remote", "add", "-d", "-f", "s3", f"s3://{bucket}/store")
    tool("remote", "modify", "s3", "endpointurl", s3_server.endpoint)
    tool("remote", "modify", "--local", "s3", "access_key_id", S3_KEY)
    tool("remote", "modify", "--local", "s3", "secret_access_key", S3_SECRET)


def _ok(res):
    assert res.code == 0, res.err
    return res


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_dvc_pulls_what_trail_pushed(
    kind, dvc_repo, dvc, trail, tmp_path_factory, monkeypatch, request
):
    _gen(dvc_repo)
    before = _tree(dvc_repo / "data")
    _ok(trail("add", "data", "model.pkl"))
    if kind == "local":
        _ok(trail("remote", "add", "-d", "store", "../store"))
    else:
        _s3(lambda *a: _ok(trail(*a)), request.getfixturevalue("s3_server"), "t2d")
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "data")
    _ok(trail("push"))
    assert dvc("status", "-c", "--json").out.strip() == "{}"
    clone = _clone(dvc_repo, tmp_path_factory, monkeypatch)
    if kind == "local":
        # a relative folder is relative to the config file, in both tools
        os.symlink(dvc_repo.parent / "store", clone.parent / "store")
    else:
        _s3(dvc, request.getfixturevalue("s3_server"), "t2d")
    dvc("pull", "-q")
    assert _tree(clone / "data") == before
    assert (clone / "model.pkl").read_bytes() == DATA["model.pkl"]


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_trail_pulls_what_dvc_pushed(
    kind, dvc_repo, dvc, trail, tmp_path_factory, monkeypatch, request
):
    _gen(dvc_repo)
    before = _tree(dvc_repo / "data")
    dvc("add", "-q", "data", "model.pkl")
    if kind == "local":
        dvc("remote", "add", "-d", "store", "../store")
    else:
        _s3(dvc, request.getfixturevalue("s3_server"), "d2t")
    dvc_repo.git("add", "-A")
    dvc_repo.git("commit", "-q", "-m", "data")
    dvc("push", "-q")
    clone = _clone(dvc_repo, tmp_path_factory, monkeypatch)
    if kind == "local":
        os.symlink(dvc_repo.parent / "store", clone.parent / "store")
    else:
        _s3(lambda *a: _ok(trail(*a)), request.getfixturevalue("s3_server"), "d2t")
    # a fresh clone's cache is empty: everything is only on the remote
    assert "deleted:            model.pkl" in _ok(trail("status", "-c")).out
    _ok(trail("pull"))
    assert "in sync" in _ok(trail("status", "-c")).out
    assert _tree(clone / "data") == before
    assert (clone / "model.pkl").read_bytes() == DATA["model.pkl"]
    assert dvc("status", "--json").out.strip() == "{}"
