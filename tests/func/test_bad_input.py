"""Bad input: one clear line, the right exit code, no traceback, nothing changed on disk."""

from __future__ import annotations

import os
import subprocess

import pytest


def _snapshot(root):
    files = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", "tmp")]
        for f in filenames:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                files[os.path.relpath(p, root)] = fh.read()
    return files


def _one_line_error(res, *needles):
    assert res.code != 0
    lines = [ln for ln in res.err.splitlines() if ln.strip()]
    assert len(lines) == 1, res.err
    assert lines[0].startswith("ERROR: ")
    assert "Traceback" not in res.err
    for n in needles:
        assert n in lines[0], lines[0]


def test_add_missing_path(trail_repo, trail):
    before = _snapshot(trail_repo)
    res = trail("add", "nope")
    _one_line_error(res, "'nope' does not exist")
    assert res.code == 1
    assert _snapshot(trail_repo) == before


def test_add_several_with_one_missing_changes_nothing(trail_repo, trail):
    trail_repo.gen("ok", "x")
    before = _snapshot(trail_repo)
    res = trail("add", "ok", "missing")
    _one_line_error(res, "missing")
    assert _snapshot(trail_repo) == before


def test_add_outside_repository(trail_repo, trail, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "f"
    outside.write_text("x")
    res = trail("add", str(outside))
    _one_line_error(res, "outside the repository")


def test_add_internals_refused(trail_repo, trail):
    _one_line_error(trail("add", ".trail"), "internals")
    _one_line_error(trail("add", ".git"), "internals")


def test_add_git_tracked_file_refused(trail_repo, trail):
    trail_repo.scm_gen("code.py", "print(1)\n", commit="code")
    _one_line_error(trail("add", "code.py"), "already tracked by Git")


def test_add_overlapping_output_refused(trail_repo, trail):
    trail_repo.gen({"data": {"sub": {"a": "1"}}})
    assert trail("add", "data/sub").code == 0
    _one_line_error(trail("add", "data"), "data/sub")


def test_not_a_repository(tmp_dir, trail):
    res = trail("status")
    _one_line_error(res, "not a trail or DVC repository")


def test_both_dialects_is_an_error(trail_repo, trail):
    (trail_repo / ".dvc").mkdir()
    _one_line_error(trail("status"), "remove one of them")


def test_usage_error_exit_code(trail_repo, trail):
    res = trail("checkout", "--no-such-flag")
    assert res.code == 2
    assert "ERROR:" in res.err


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("outs:\n- md5: [unclosed\n", "from line 2"),
        ("outs:\n- path: data\n  size: big\n", "data.trail:3: 'size' must be an integer"),
        ("outs:\n- path: data\n  colour: red\n", "data.trail:3: unknown key 'colour'"),
        ("outs:\n- path: data\n  hash: sha999\n  sha999: ab\n", "unknown hash name 'sha999'"),
        ("outs:\n- md5: zz\n  hash: md5\n  path: data\n", "not a valid md5 hash"),
        ("outs:\n- path: ../../etc/passwd\n", "escape the repository"),
        ("outs:\n- path: /etc/passwd\n", "escape the repository"),
        ("- just\n- a list\n", "expected a mapping"),
        ("stuff: 1\n", "data.trail:1: unknown key 'stuff'"),
    ],
)
def test_malformed_pointer_file(trail_repo, trail, text, needle):
    (trail_repo / "data.trail").write_text(text)
    before = _snapshot(trail_repo)
    for cmd in (("status",), ("checkout",)):
        res = trail(*cmd)
        _one_line_error(res, needle)
        assert res.code == 1
    assert _snapshot(trail_repo) == before


def test_verbose_shows_traceback(trail_repo, trail):
    (trail_repo / "data.trail").write_text("outs: 3\n")
    res = trail("-v", "status")
    assert res.code == 1
    assert "Traceback" in res.err and "'outs' must be a list" in res.err


def test_corrupt_cache_object_on_checkout(trail_repo, trail):
    trail_repo.gen("f", "content")
    trail("add", "f")
    hexval = (trail_repo / "f.trail").read_text().split("blake3: ")[1].split()[0]
    obj = trail_repo / ".trail" / "cache" / "files" / "blake3" / hexval[:2] / hexval[2:]
    os.chmod(obj, 0o644)
    obj.write_text("evil")
    os.unlink(trail_repo / "f")
    res = trail("checkout")
    _one_line_error(res, "corrupt cache object", "trail fsck")
    assert not (trail_repo / "f").exists()


def test_manifest_escaping_repository_refused(trail_repo, trail):
    """A hand-made directory manifest with ``../`` must never write outside the output."""
    from trail import hashing

    data = b'[{"blake3": "' + b"0" * 64 + b'", "relpath": "../../escaped"}]'
    hexval = hashing.get("blake3").hash_bytes(data)
    obj = trail_repo / ".trail" / "cache" / "files" / "blake3" / hexval[:2] / (hexval[2:] + ".dir")
    obj.parent.mkdir(parents=True)
    obj.write_bytes(data)
    (trail_repo / "data.trail").write_text(
        f"outs:\n- blake3: {hexval}.dir\n  hash: blake3\n  path: data\n"
    )
    res = trail("checkout")
    _one_line_error(res, "escape the repository")
    assert not (trail_repo.parent / "escaped").exists()


def test_unknown_link_type_is_config_error(trail_repo, trail):
    res = trail("config", "cache.type", "teleport")  # refused when set …
    assert res.code == 3 and "Unsupported cache type(s): teleport" in res.err
    (trail_repo / ".trail" / "config").write_text("[cache]\ntype = teleport\n")  # … or by hand
    trail_repo.gen("f", "x")
    trail("add", "f")
    os.unlink(trail_repo / "f")
    res = trail("checkout")
    _one_line_error(res, "unknown link type 'teleport'")
    assert res.code == 3


def test_bad_config_file_is_config_error(trail_repo, trail):
    (trail_repo / ".trail" / "config").write_text("[core\nremote = x\n")
    res = trail("status")
    _one_line_error(res, ".trail/config:1")
    assert res.code == 3


def test_config_round_trip_and_secrets(trail_repo, trail):
    assert trail("config", "core.remote", "store").code == 0
    assert trail("config", "core.remote").out.strip() == "store"
    assert trail("config", "remote.store.url", "ssh://host/store").code == 0
    res = trail("config", "remote.store.password", "hunter2")
    assert res.code == 0 and "config.local" in res.err
    assert "hunter2" not in (trail_repo / ".trail" / "config").read_text()
    assert "hunter2" in (trail_repo / ".trail" / "config.local").read_text()
    listing = trail("config", "--list").out
    assert "hunter2" not in listing and "remote.store.url=ssh://host/store" in listing
    assert "['remote \"store\"']" in (trail_repo / ".trail" / "config").read_text()
    assert trail("config", "--unset", "core.remote").code == 0
    res = trail("config", "core.remote")
    assert res.code == 3 and "not set" in res.err


def test_version_and_doctor(trail_repo, trail):
    res = trail("version")
    assert res.code == 0 and "trail" in res.out and "dialect:" in res.out
    res = trail("doctor")
    assert res.code == 0, res.out
    assert "link types" in res.out and "copy" in res.out


def test_installed_script_runs(trail_repo):
    from trail.testing.plugin import trail_exe

    exe = trail_exe()
    proc = subprocess.run([exe, "status"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "up to date" in proc.stdout


def test_big_object_vouched_for_by_add_is_still_checked_once_changed(trail_repo, trail):
    """add remembers that it copied a big object soundly (checkout skips re-hashing it), but the
    memory is keyed on the object's stat: an object altered later is hashed and refused."""
    from trail.repo import Repo
    from trail.types import Oid

    big = os.urandom(3 << 20)
    trail_repo.gen("big.bin", big)
    os.utime(trail_repo / "big.bin", (1e9, 1e9))  # not "racily clean": written long ago
    assert trail("add", "big.bin").code == 0
    hexval = (trail_repo / "big.bin.trail").read_text().split("blake3: ")[1].split()[0]
    repo = Repo.find(str(trail_repo))
    obj = repo.odb.path(Oid("blake3", hexval))
    assert repo.state.lookup(obj, "blake3")[1] == hexval  # vouched for by add
    repo.close()
    os.chmod(obj, 0o644)
    with open(obj, "r+b") as f:  # same size, other bytes
        f.write(b"\0" * 16)
    os.unlink(trail_repo / "big.bin")
    res = trail("checkout")
    _one_line_error(res, "corrupt cache object", "trail fsck")
    assert not (trail_repo / "big.bin").exists()


def test_duplicate_keys_in_trail_yaml_name_file_and_line(trail_repo, trail):
    trail_repo.gen("trail.yaml", "stages:\n  a:\n    cmd: echo a\n    outs: [x]\n    cmd: echo b\n")
    for args in (["repro"], ["status"]):
        res = trail(*args)
        assert res.code == 1 and "trail.yaml:5" in res.err and "duplicate key" in res.err, args
        assert "Traceback" not in res.err
    assert not (trail_repo / "trail.lock").exists()
