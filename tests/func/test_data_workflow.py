"""The data workflow through the real entry point: init, add, status, commit, checkout, diff."""

from __future__ import annotations

import json
import os
import stat

import pytest


def test_init_creates_control_dir_and_stages_it(scm, trail):
    res = trail("init")
    assert res.code == 0, res.err
    assert (scm / ".trail" / "config").exists()
    assert (scm / ".trail" / ".gitignore").read_text() == "/config.local\n/tmp\n/cache\n"
    assert (scm / ".trailignore").exists()
    staged = scm.git("diff", "--cached", "--name-only").split()
    assert sorted(staged) == [".trail/.gitignore", ".trail/config", ".trailignore"]


def test_init_twice_is_an_error_without_force(trail_repo, trail):
    res = trail("init")
    assert res.code == 1
    assert "already a trail repository" in res.err
    assert trail("init", "-f").code == 0


def test_init_outside_git_needs_no_scm(tmp_dir, trail):
    res = trail("init")
    assert res.code == 1
    assert "not a Git repository" in res.err
    assert not (tmp_dir / ".trail").exists()
    assert trail("init", "--no-scm").code == 0
    assert "no_scm = True" in (tmp_dir / ".trail" / "config").read_text()


def test_init_dvc_makes_dvc_layout(scm, trail):
    assert trail("init", "--dvc").code == 0
    assert (scm / ".dvc" / "config").exists()
    assert (scm / ".dvcignore").exists()
    assert not (scm / ".trail").exists()


def test_add_file_writes_pointer_gitignore_and_cache(trail_repo, trail):
    trail_repo.gen("foo.txt", "foo\n")
    res = trail("add", "foo.txt")
    assert res.code == 0, res.err
    assert "git add .gitignore foo.txt.trail" in res.out
    text = (trail_repo / "foo.txt.trail").read_text()
    lines = text.splitlines()
    assert lines[0] == "outs:"
    assert lines[1].startswith("- blake3: ") and len(lines[1]) == len("- blake3: ") + 64
    assert lines[2:] == ["  size: 4", "  hash: blake3", "  path: foo.txt"]
    assert (trail_repo / ".gitignore").read_text() == "/foo.txt\n"
    hexval = lines[1].split(": ")[1]
    obj = trail_repo / ".trail" / "cache" / "files" / "blake3" / hexval[:2] / hexval[2:]
    assert obj.read_bytes() == b"foo\n"
    assert stat.S_IMODE(obj.stat().st_mode) == 0o444
    # the workspace copy stays writable with the default (reflink,copy) cache type
    assert os.access(trail_repo / "foo.txt", os.W_OK)


def test_add_directory_and_status_cycle(trail_repo, trail):
    trail_repo.gen({"data": {"a.txt": "a", "sub": {"b.txt": "b"}}})
    assert trail("add", "data").code == 0
    text = (trail_repo / "data.trail").read_text()
    assert ".dir\n" in text and "nfiles: 2" in text and "size: 2" in text
    res = trail("status")
    assert res.code == 0
    assert res.out.strip() == "Data and pipelines are up to date."
    assert json.loads(trail("status", "--json").out) == {}

    (trail_repo / "data" / "a.txt").write_text("changed")
    res = trail("status", "--json")
    assert json.loads(res.out) == {"data.trail": [{"changed outs": {"data": "modified"}}]}

    assert trail("commit").code == 0
    assert json.loads(trail("status", "--json").out) == {}


def test_status_reports_deleted_and_not_in_cache(trail_repo, trail):
    trail_repo.gen("foo", "foo")
    trail("add", "foo")
    os.unlink(trail_repo / "foo")
    assert json.loads(trail("status", "--json").out) == {
        "foo.trail": [{"changed outs": {"foo": "deleted"}}]
    }
    trail_repo.gen("foo", "foo")
    import shutil

    shutil.rmtree(trail_repo / ".trail" / "cache")
    assert json.loads(trail("status", "--json").out) == {
        "foo.trail": [{"changed outs": {"foo": "not in cache"}}]
    }
    text = trail("status").out
    assert "not in cache:" in text and "foo" in text


def test_add_inside_tracked_directory_updates_parent(trail_repo, trail):
    trail_repo.gen({"data": {"a": "1", "b": "2"}})
    trail("add", "data")
    before = (trail_repo / "data.trail").read_text()
    (trail_repo / "data" / "a").write_text("changed")
    res = trail("add", "data/a")
    assert res.code == 0, res.err
    assert not (trail_repo / "data" / "a.trail").exists()
    after = (trail_repo / "data.trail").read_text()
    assert after != before
    assert json.loads(trail("status", "--json").out) == {}


def test_add_glob(trail_repo, trail):
    trail_repo.gen({"x1.csv": "1", "x2.csv": "2", "y.txt": "3"})
    res = trail("add", "--glob", "x*.csv")
    assert res.code == 0, res.err
    assert (trail_repo / "x1.csv.trail").exists() and (trail_repo / "x2.csv.trail").exists()
    assert not (trail_repo / "y.txt.trail").exists()


def test_executable_bit_is_recorded_and_restored(trail_repo, trail):
    trail_repo.gen("run.sh", "#!/bin/sh\necho hi\n")
    os.chmod(trail_repo / "run.sh", 0o755)
    trail("add", "run.sh")
    assert "isexec: true" in (trail_repo / "run.sh.trail").read_text()
    os.unlink(trail_repo / "run.sh")
    assert trail("checkout").code == 0
    assert os.access(trail_repo / "run.sh", os.X_OK)


def test_checkout_restores_deleted_and_modified_data(trail_repo, trail):
    trail_repo.gen({"data": {"a": "1", "b": {"c": "2"}}, "f": "file"})
    trail("add", "data", "f")
    import shutil

    shutil.rmtree(trail_repo / "data")
    os.unlink(trail_repo / "f")
    res = trail("checkout")
    assert res.code == 0, res.err
    assert "A       data/" in res.out and "A       f" in res.out
    assert (trail_repo / "data" / "b" / "c").read_text() == "2"
    assert (trail_repo / "f").read_text() == "file"
    # an extra file in a tracked directory is removed only when it is safe (cached) or forced
    (trail_repo / "data" / "extra").write_text("new")
    res = trail("checkout")
    assert res.code == 1
    assert "data/extra" in res.err and "-f" in res.err
    assert (trail_repo / "data" / "extra").exists()
    assert trail("checkout", "-f").code == 0
    assert not (trail_repo / "data" / "extra").exists()


def test_checkout_of_older_revision(trail_repo, trail):
    trail_repo.gen({"data": {"a": "v1"}})
    trail("add", "data")
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-qm", "v1")
    (trail_repo / "data" / "a").write_text("v2")
    (trail_repo / "data" / "new").write_text("n")
    trail("add", "data")
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-qm", "v2")
    trail_repo.git("checkout", "-q", "HEAD~1", "--", "data.trail")
    res = trail("checkout")
    assert res.code == 0, res.err
    assert "M       data/" in res.out
    assert (trail_repo / "data" / "a").read_text() == "v1"
    assert not (trail_repo / "data" / "new").exists()


def test_checkout_single_file_inside_directory(trail_repo, trail):
    trail_repo.gen({"data": {"a": "1", "b": "2"}})
    trail("add", "data")
    os.unlink(trail_repo / "data" / "a")
    os.unlink(trail_repo / "data" / "b")
    res = trail("checkout", "data/a")
    assert res.code == 0, res.err
    assert (trail_repo / "data" / "a").read_text() == "1"
    assert not (trail_repo / "data" / "b").exists()


def test_checkout_missing_object_reports_every_path(trail_repo, trail):
    trail_repo.gen({"f1": "1", "f2": "2"})
    trail("add", "f1", "f2")
    import shutil

    shutil.rmtree(trail_repo / ".trail" / "cache")
    os.unlink(trail_repo / "f1")
    os.unlink(trail_repo / "f2")
    res = trail("checkout")
    assert res.code == 1
    assert "f1" in res.err and "f2" in res.err and "not in the cache" in res.err
    assert "Traceback" not in res.err


@pytest.mark.parametrize("kind", ["hardlink", "symlink"])
def test_link_types_are_read_only_and_unprotect(trail_repo, trail, kind):
    assert trail("config", "cache.type", kind).code == 0
    trail_repo.gen({"data": {"a": "1"}})
    assert trail("add", "data").code == 0
    path = trail_repo / "data" / "a"
    if kind == "hardlink":
        assert path.stat().st_nlink == 2
    else:
        assert path.is_symlink()
    assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0
    assert json.loads(trail("status", "--json").out) == {}
    res = trail("unprotect", "data")
    assert res.code == 0, res.err
    assert not path.is_symlink() and path.stat().st_nlink == 1
    path.write_text("edited")  # writable now, and the cache is untouched
    assert trail("checkout", "-f").code == 0
    assert path.read_text() == "1"


def test_relink_switches_link_type(trail_repo, trail):
    trail_repo.gen({"data": {"a": "1"}})
    trail("add", "data")
    assert (trail_repo / "data" / "a").stat().st_nlink == 1
    trail("config", "cache.type", "hardlink")
    assert trail("checkout", "--relink").code == 0
    assert (trail_repo / "data" / "a").stat().st_nlink == 2


def test_diff_between_revisions(trail_repo, trail):
    trail_repo.gen({"data": {"a": "1", "b": "2"}})
    trail("add", "data")
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-qm", "one")
    (trail_repo / "data" / "a").write_text("changed")
    os.unlink(trail_repo / "data" / "b")
    (trail_repo / "data" / "c").write_text("3")
    trail("add", "data")
    res = trail("diff", "--json")
    assert res.code == 0, res.err
    out = json.loads(res.out)
    assert [d["path"] for d in out["added"]] == ["data/c"]
    assert [d["path"] for d in out["deleted"]] == ["data/b"]
    assert sorted(d["path"] for d in out["modified"]) == ["data/", "data/a"]
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-qm", "two")
    out = json.loads(trail("diff", "HEAD~1", "HEAD", "--json").out)
    assert [d["path"] for d in out["added"]] == ["data/c"]
    assert "No changes." in trail("diff").out


def test_data_status_committed_and_uncommitted(trail_repo, trail):
    trail_repo.gen({"data": {"a": "1"}})
    trail("add", "data")
    out = json.loads(trail("data", "status", "--json").out)
    assert out == {"committed": {"added": ["data/"]}}
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-qm", "data")
    (trail_repo / "data" / "a").write_text("2")
    out = json.loads(trail("data", "status", "--granular", "--json").out)
    assert out == {"uncommitted": {"modified": ["data/", "data/a"]}}


def test_move_and_remove(trail_repo, trail):
    trail_repo.gen({"data": {"a": "1"}, "dest": {}})
    (trail_repo / "dest").mkdir(exist_ok=True)
    trail("add", "data")
    res = trail("move", "data", "dest/renamed")
    assert res.code == 0, res.err
    assert (trail_repo / "dest" / "renamed" / "a").read_text() == "1"
    assert (trail_repo / "dest" / "renamed.trail").exists()
    assert not (trail_repo / "data.trail").exists()
    assert "/renamed" in (trail_repo / "dest" / ".gitignore").read_text()
    assert json.loads(trail("status", "--json").out) == {}
    res = trail("remove", "dest/renamed.trail", "--outs")
    assert res.code == 0, res.err
    assert not (trail_repo / "dest" / "renamed").exists()
    assert not (trail_repo / "dest" / "renamed.trail").exists()


def test_gc_keeps_used_and_removes_the_rest(trail_repo, trail):
    trail_repo.gen({"data": {"a": "1"}})
    trail("add", "data")
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-qm", "v1")
    (trail_repo / "data" / "a").write_text("2")
    trail("add", "data")
    res = trail("gc", "-w")
    assert res.code == 1 and "-f" in res.err  # no terminal: needs explicit confirmation
    dry = trail("gc", "-w", "--dry")
    assert "Would remove 2 objects" in dry.out
    # -a keeps what the branch's commit needs
    assert "Nothing to remove." in trail("gc", "-a", "-f").out
    res = trail("gc", "-w", "-f")
    assert res.code == 0 and "Removed 2 objects" in res.out
    assert json.loads(trail("status", "--json").out) == {}
    assert trail("gc").code == 2


def test_fsck_quarantines_corrupt_objects(trail_repo, trail):
    trail_repo.gen({"f": "content"})
    trail("add", "f")
    res = trail("fsck", "--json")
    assert json.loads(res.out)["corrupt"] == []
    hexval = (trail_repo / "f.trail").read_text().split("blake3: ")[1].split()[0]
    obj = trail_repo / ".trail" / "cache" / "files" / "blake3" / hexval[:2] / hexval[2:]
    os.chmod(obj, 0o644)
    obj.write_text("tampered")
    res = trail("fsck")
    assert res.code == 1
    assert "corrupt" in res.err and hexval[2:] in res.err
    assert not obj.exists()
    assert json.loads(trail("status", "--json").out) == {
        "f.trail": [{"changed outs": {"f": "not in cache"}}]
    }
    assert trail("commit", "-f").code == 0  # re-adding repairs the cache
    assert obj.read_text() == "content"


def test_trailignore_inside_tracked_directory(trail_repo, trail):
    trail_repo.gen({"data": {"keep": "1", "skip.tmp": "2"}, ".trailignore": "*.tmp\n"})
    trail("add", "data")
    assert "nfiles: 1" in (trail_repo / "data.trail").read_text()
    (trail_repo / "data" / "skip.tmp").write_text("changed")
    assert json.loads(trail("status", "--json").out) == {}


def test_dvc_dialect_writes_dvc_names(dvc_dialect_repo, trail):
    dvc_dialect_repo.gen({"data": {"a": "hello\n"}})
    assert trail("add", "data").code == 0
    text = (dvc_dialect_repo / "data.dvc").read_text()
    assert text.startswith("outs:\n- md5: ") and "hash: md5" in text
    assert (dvc_dialect_repo / ".dvc" / "cache" / "files" / "md5" / "b1").is_dir()
    assert json.loads(trail("status", "--json").out) == {}


def test_autostage_stages_pointer_files(trail_repo, trail):
    trail("config", "core.autostage", "true")
    trail_repo.gen("f", "x")
    res = trail("add", "f")
    assert res.code == 0 and "git add" not in res.out
    staged = trail_repo.git("diff", "--cached", "--name-only").split()
    assert sorted(staged) == [".gitignore", "f.trail"]


def test_commands_from_a_subdirectory(trail_repo, trail, monkeypatch):
    trail_repo.gen({"sub": {"data": {"a": "1"}}})
    monkeypatch.chdir(trail_repo / "sub")
    assert trail("add", "data").code == 0
    assert (trail_repo / "sub" / "data.trail").exists()
    assert (trail_repo / "sub" / ".gitignore").read_text() == "/data\n"
    assert json.loads(trail("status", "--json").out) == {}
    import shutil

    shutil.rmtree(trail_repo / "sub" / "data")
    assert trail("checkout", "data").code == 0
    assert (trail_repo / "sub" / "data" / "a").read_text() == "1"


def test_gitignore_entries_are_escaped_like_dvc(trail_repo, trail):
    names = ["a b#c!.txt", "[x]*.txt", "q?.txt", "back\\slash.txt", "données.csv"]
    for name in names:
        trail_repo.gen(name, name)
    assert trail("add", *names).code == 0
    assert (trail_repo / ".gitignore").read_text().splitlines() == [
        "/a b\\#c\\!.txt",
        "/\\[x\\]\\*.txt",
        "/q\\?.txt",
        "/back\\\\slash.txt",
        "/données.csv",
    ]
    assert trail_repo.git("status", "--porcelain", "--untracked-files=all", "--", *names) == ""


def test_piped_output_has_no_progress_bar_and_quiet_is_quiet(trail_repo):
    import subprocess

    from trail.testing.plugin import TmpDir

    TmpDir(trail_repo).gen({"data": {f"f{i}": str(i) for i in range(300)}})
    from trail.testing.plugin import trail_exe

    TRAIL = trail_exe()

    proc = subprocess.run([TRAIL, "add", "data"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""
    assert "\x1b[" not in proc.stdout
    proc = subprocess.run([TRAIL, "-q", "checkout", "-f"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""


def test_progress_bar_on_a_terminal(trail_repo):
    """Under a pseudo-terminal a long add draws a bar on stderr."""
    from trail.testing.plugin import on_terminal, trail_exe

    trail_repo.gen({"data": {f"f{i}": str(i) for i in range(400)}})
    code, shown = on_terminal([trail_exe(), "add", "data"])
    assert code == 0
    assert "hashing data" in shown
