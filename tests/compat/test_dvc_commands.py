"""Commands and flags DVC users type, run by trail and by the real dvc 3.67.1 on the same
repository: the same answers (byte for byte where DVC's output is the reference), the same
refusals."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest

pytestmark = pytest.mark.compat


@pytest.fixture(scope="module")
def built_project(built):
    b = built("project")
    (b.root / "params.yaml").write_text("train:\n  lr: 0.1\n  layers: [1, 2]\n")
    (b.root / "data" / "sub").mkdir(parents=True)
    (b.root / "data" / "a.txt").write_text("a\n")
    (b.root / "data" / "sub" / "b.txt").write_text("bb\n")
    (b.root / "dvc.yaml").write_text(
        "stages:\n  copy:\n    cmd: cp data/a.txt out.txt\n"
        "    deps: [data]\n    params: [train.lr]\n    outs: [out.txt]\n"
    )
    b.dvc("add", "-q", "data")
    b.dvc("repro", "-q")
    b.git("add", "-A")
    b.git("commit", "-q", "-m", "project")
    return b


@pytest.fixture
def project(built_project, tmp_dir, monkeypatch):
    """A DVC project (a tracked directory, a stage), made once by dvc, copied for each test."""
    return built_project.copy_to(tmp_dir, monkeypatch)


def _same(trail, dvc, *args: str) -> str:
    ours, theirs = trail(*args), dvc(*args, check=False)
    assert (ours.code, ours.out) == (theirs.code, theirs.out), args
    return ours.out


def test_root(project, trail, dvc, monkeypatch):
    assert _same(trail, dvc, "root") == ".\n"
    monkeypatch.chdir(project / "data" / "sub")
    assert _same(trail, dvc, "root") == "../..\n"


def test_check_ignore(project, trail, dvc):
    project.gen({".dvcignore": "# generated\n*.tmp\n!keep.tmp\nlogs/\n"})
    project.gen({"a.tmp": "", "keep.tmp": "", "logs": {"x": ""}, "b.txt": ""})
    for args in (
        ["a.tmp", "b.txt"],
        ["-d", "a.tmp", "keep.tmp", "logs/x"],
        ["-d", "-n", "a.tmp", "b.txt"],
        ["b.txt"],
        ["-d", "logs"],
    ):
        _same(trail, dvc, "check-ignore", *args)


def test_du(project, trail, dvc):
    os.unlink(project / "out.txt")  # counted by its recorded size, as DVC counts it

    def rows(text: str) -> set[tuple[str, ...]]:
        return {tuple(line.split()) for line in text.splitlines()}

    for args in ([], ["data"], ["-s"], ["data/a.txt"]):
        ours, theirs = trail("du", ".", *args), dvc("du", ".", *args)
        assert ours.code == theirs.code == 0, ours.err
        assert rows(ours.out) == rows(theirs.out), args  # DVC's row order is its walk's


def test_ls_url(project, trail, dvc):
    for args in (["data"], ["-R", "data"], ["--size", "data"], [str(project / "params.yaml")]):
        _same(trail, dvc, "ls-url", *args)
    assert trail("list-url", "data").out == trail("ls-url", "data").out


def test_params_show_is_dvcs_api(project, trail, dvc):
    project.gen("params.yaml", "train:\n  lr: 0.2\n  layers: [1, 2]\n")
    script = (
        "import json, sys; from dvc.repo import Repo; r = Repo('.'); "
        "print(json.dumps([r.params.show(), r.params.show(all_branches=True), "
        "r.params.show(deps_only=True)]))"
    )
    python = os.path.join(os.path.dirname(os.environ["TRAIL_TEST_DVC"]), "python")
    theirs = json.loads(subprocess.check_output([python, "-c", script], text=True))
    ours = [
        json.loads(trail("params", "show", "--json", *flags).out)
        for flags in ([], ["-a"], ["--deps"])
    ]
    assert ours == theirs


def test_plots_templates_and_modify(project, trail, dvc):
    assert _same(trail, dvc, "plots", "templates").split()[0] == "simple"
    spec = json.loads(trail("plots", "templates", "linear").out)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    pipeline = "stages:\n  train:  # it\n    cmd: echo\n    plots:\n    - a.csv\n    - b.csv:\n" \
        "        cache: false\n        x: s\n"  # fmt: skip
    project.gen("dvc.yaml", pipeline)
    dvc("plots", "modify", "a.csv", "-x", "step", "--title", "T 1")
    dvc("plots", "modify", "b.csv", "--unset", "x")
    theirs = (project / "dvc.yaml").read_text()
    project.gen("dvc.yaml", pipeline)
    assert trail("plots", "modify", "a.csv", "-x", "step", "--title", "T 1").code == 0
    assert trail("plots", "modify", "b.csv", "--unset", "x").code == 0
    assert (project / "dvc.yaml").read_text() == theirs
    res = trail("plots", "modify", "b.csv", "--unset", "cache")
    assert res.code == 1 and "display properties ['cache'] not found" in res.err
    assert (project / "dvc.yaml").read_text() == theirs  # nothing written


def test_destroy_keeps_the_data(project, trail, dvc, tmp_path_factory):
    twin = tmp_path_factory.mktemp("twin") / "repo"
    shutil.copytree(project, twin, symlinks=True)
    for where, run in ((project, dvc), (twin, trail)):
        os.chdir(where)
        run("config", "cache.type", "symlink")
        run("checkout", "--relink")
        assert os.path.islink(where / "data" / "a.txt")
        assert run("destroy", "-f").code == 0
        assert not os.path.islink(where / "data" / "a.txt")
    assert sorted(os.listdir(twin)) == sorted(os.listdir(project))
    assert (twin / "data" / "sub" / "b.txt").read_text() == "bb\n"
    assert project.git("status", "--porcelain") == type(project)(twin).git("status", "--porcelain")


def test_install_hooks_follow_git(project, trail, dvc, tmp_path):
    assert trail("install").code == 0
    hooks = project / ".git" / "hooks"
    for hook in ("post-checkout", "pre-commit", "pre-push"):
        text = (hooks / hook).read_text()
        assert "git-hook " + hook in text and os.stat(hooks / hook).st_mode & stat.S_IXUSR
    remote = tmp_path / "store"
    dvc("remote", "add", "-d", "store", str(remote))
    project.git("add", "-A")
    project.git("commit", "-q", "-m", "remote")
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    # a new branch with other data; switching branches with Git brings each one's data
    project.git("checkout", "-q", "-b", "other")
    project.gen({"data": {"a.txt": "other\n"}})
    dvc("add", "-q", "data")
    subprocess.run(["git", "commit", "-qam", "other data"], cwd=project, check=True, env=env)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=project, check=True, env=env)
    assert (project / "data" / "a.txt").read_text() == "a\n"  # post-checkout ran checkout
    subprocess.run(["git", "checkout", "-q", "other"], cwd=project, check=True, env=env)
    assert (project / "data" / "a.txt").read_text() == "other\n"
    # pre-push pushes the data (to the default remote) as the commits go
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    subprocess.run(
        ["git", "push", "-q", str(bare), "other"],
        cwd=project,
        check=True,
        env=env,
        capture_output=True,
    )
    assert dvc("status", "-c", "--json").out.strip() == "{}"  # dvc finds everything pushed
    res = trail("install")  # our own hooks are simply rewritten
    assert res.code == 0
    (hooks / "pre-commit").write_text("#!/bin/sh\necho mine\n")
    res = trail("install")
    assert res.code == 1 and "hook 'pre-commit' already exists" in res.err


def test_merge_driver_merges_both_sides_of_a_directory(project, trail, dvc):
    assert trail("install").code == 0
    project.gen(".gitattributes", "*.dvc merge=dvc\n")
    project.git("add", ".gitattributes")
    project.git("commit", "-q", "-m", "merge driver")
    project.git("checkout", "-q", "-b", "left")
    project.gen({"data": {"left.txt": "l\n"}})
    dvc("add", "-q", "data")
    project.git("commit", "-qam", "left")
    project.git("checkout", "-q", "main")
    dvc("checkout", "-q")
    project.gen({"data": {"right.txt": "r\n"}})
    dvc("add", "-q", "data")
    project.git("commit", "-qam", "right")
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    merged = subprocess.run(
        ["git", "merge", "-q", "--no-edit", "left"], cwd=project, env=env, capture_output=True
    )
    assert merged.returncode == 0, merged.stderr
    dvc("checkout", "-q")
    assert {p.name for p in (project / "data").iterdir()} == {
        "a.txt",
        "sub",
        "left.txt",
        "right.txt",
    }
    assert "data.dvc" not in json.loads(dvc("status", "--json").out)  # dvc reads the merge


def test_cache_dir(project, trail, dvc, tmp_path, monkeypatch):
    _same(trail, dvc, "cache", "dir")
    monkeypatch.chdir(project / "data")
    _same(trail, dvc, "cache", "dir")
    monkeypatch.chdir(project)
    shared = tmp_path / "shared-cache"
    assert trail("cache", "dir", str(shared)).code == 0
    assert _same(trail, dvc, "cache", "dir").strip() == str(shared)
    config = (project / ".dvc" / "config").read_text()
    assert trail("cache", "dir", "--unset").code == 0
    assert "dir" not in (project / ".dvc" / "config").read_text() and "dir =" in config


MK_DVC2 = """\
import hashlib, json, os, re, shutil, sys
root = sys.argv[1]
cache = os.path.join(root, ".dvc", "cache")
files = os.path.join(cache, "files", "md5")
def put(hexd, data, suffix=""):
    path = os.path.join(cache, hexd[:2], hexd[2:] + suffix)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").write(data)
mapping = {}
objs = [(s, n) for s in os.listdir(files) for n in os.listdir(os.path.join(files, s))]
for s, n in objs:
    if not n.endswith(".dir"):
        data = open(os.path.join(files, s, n), "rb").read()
        new = hashlib.md5(data.replace(b"\\r\\n", b"\\n")).hexdigest()
        mapping[s + n] = new
        put(new, data)
for s, n in objs:
    if n.endswith(".dir"):
        entries = json.load(open(os.path.join(files, s, n)))
        new_entries = sorted(({"md5": mapping[e["md5"]], "relpath": e["relpath"]}
                              for e in entries), key=lambda e: e["relpath"])
        data = json.dumps(new_entries, sort_keys=True).encode()
        new = hashlib.md5(data).hexdigest()
        mapping[s + n] = new + ".dir"
        put(new, data, ".dir")
shutil.rmtree(os.path.join(cache, "files"))
shutil.rmtree(os.path.join(cache, "runs"), ignore_errors=True)
for name in os.listdir(root):
    if os.path.isfile(os.path.join(root, name)) and (name.endswith(".dvc") or name == "dvc.lock"):
        p = os.path.join(root, name)
        text = "".join(l for l in open(p).read().splitlines(True) if l.strip() != "hash: md5")
        new_id = lambda m: "md5: " + mapping.get(m[1], m[1])
        text = re.sub(r"md5: ([0-9a-f]{32}(?:\\.dir)?)", new_id, text)
        open(p, "w").write(text)
"""


def test_cache_migrate_from_dvc2(dvc_repo, trail, dvc, tmp_path_factory):
    dvc_repo.gen({"d": {"crlf.txt": "a\r\nb\r\n", "x.txt": "x\n"}, "f.txt": "one\r\n"})
    dvc("add", "-q", "d", "f.txt")
    subprocess.run([sys.executable, "-c", MK_DVC2, str(dvc_repo)], check=True)
    assert "hash:" not in (dvc_repo / "d.dvc").read_text()  # what DVC 2 wrote
    twin = tmp_path_factory.mktemp("twin") / "repo"
    shutil.copytree(dvc_repo, twin, symlinks=True)
    dvc("cache", "migrate", "--dvc-files")
    os.chdir(twin)
    assert trail("cache", "migrate", "--dry").code == 0
    assert not (twin / ".dvc" / "cache" / "files").exists()  # --dry writes nothing
    res = trail("cache", "migrate", "--dvc-files")
    assert res.code == 0, res.err
    assert "Migrated 4 files to DVC 3.0 cache location." in res.out

    def listing(root) -> list[str]:
        cache = root / ".dvc" / "cache"
        return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file())

    assert listing(twin) == listing(dvc_repo)
    for name in ("d.dvc", "f.txt.dvc"):
        assert (twin / name).read_text() == (dvc_repo / name).read_text(), name
    assert dvc("status", "--json").out.strip() == "{}"


def test_completion_scripts(trail):
    bash = trail("completion").out
    subprocess.run(["bash", "-n"], input=bash, text=True, check=True)
    probe = bash + '\nCOMP_WORDS=(trail ex); COMP_CWORD=1; _trail; echo "${COMPREPLY[@]}"\n'
    probe += 'COMP_WORDS=(trail exp sh); COMP_CWORD=2; _trail; echo "${COMPREPLY[@]}"\n'
    out = subprocess.run(["bash"], input=probe, text=True, capture_output=True).stdout.split("\n")
    assert "exp" in out[0].split() and "show" in out[1].split()
    zsh = trail("completion", "-s", "zsh").out
    assert "compdef _trail trail" in zsh


def test_config_refuses_what_dvc_refuses(project, trail, dvc):
    before = (project / ".dvc" / "config").read_text()
    for args in (
        ["core.nope", "1"],
        ["core.autostage", "maybe"],
        ["cache.type", "foo"],
        ["nosection.k", "v"],
        ["remote.z.url", "foo://x"],
    ):
        assert dvc("config", *args, check=False).code != 0
        res = trail("config", *args)
        assert res.code == 3 and res.err.startswith("ERROR: "), args
    assert trail("remote", "add", "x", "foo://bar").code == 3
    assert (project / ".dvc" / "config").read_text() == before  # nothing written
    assert trail("config", "core.autostage", "true").code == 0


def test_trail_only_options_stay_out_of_dvcs_config(project, trail, dvc):
    """dvc's schema refuses keys it does not know, so trail keeps its own options (here
    core.lock_timeout) in .dvc/config.trail and .dvc/tmp/trail/config.local."""
    import fcntl

    before = (project / ".dvc" / "config").read_text()
    assert trail("config", "core.lock_timeout", "0.2").code == 0
    assert trail("config", "--local", "core.lock_timeout", "0.3").code == 0
    assert (project / ".dvc" / "config").read_text() == before
    assert not (project / ".dvc" / "config.local").exists()
    assert "lock_timeout = 0.2" in (project / ".dvc" / "config.trail").read_text()
    assert dvc("status", "--json").out.strip() == "{}"  # dvc still reads its configuration
    assert "lock_timeout" not in dvc("config", "--list").out
    assert trail("config", "core.lock_timeout").out == "0.3\n"  # the local level wins
    assert "core.lock_timeout=0.2" in trail("config", "--project", "--list").out
    assert project.git("status", "--porcelain").split() == ["??", ".dvc/config.trail"]
    with open(project / ".dvc" / "tmp" / "lock", "a") as held:  # the value is the one used
        fcntl.flock(held, fcntl.LOCK_EX)
        res = trail("add", "params.yaml")
    assert res.code != 0 and "waited 0.3 s" in res.err
    # a key an older trail wrote into DVC's file is moved out of it by the next `config`
    (project / ".dvc" / "config").write_text(before + "[core]\n    lock_timeout = 5\n")
    assert dvc("status", check=False).code != 0  # what dvc says of such a file
    assert trail("config", "core.lock_timeout", "9").code == 0
    assert "lock_timeout" not in (project / ".dvc" / "config").read_text()
    assert dvc("status", "--json").out.strip() == "{}"
    assert trail("config", "--unset", "core.lock_timeout").code == 0
    assert trail("config", "--project", "core.lock_timeout").code == 3
    # blake3 objects would be unreadable by dvc: refused in a DVC repository
    res = trail("config", "core.hash", "blake3")
    assert res.code == 3 and "md5" in res.err
    assert trail("config", "--global", "core.hash", "blake3").code == 0  # for trail's repos
    project.gen("new.txt", "new\n")
    assert trail("add", "-q", "new.txt").code == 0
    assert "md5: " in (project / "new.txt.dvc").read_text()
    assert dvc("status", "--json").out.strip() == "{}"  # dvc finds the object it hashes
    # options dvc knows are DVC's, written where dvc reads them
    for args in (["core.checksum_jobs", "2"], ["exp.auto_push", "true"]):
        assert trail("config", *args).code == 0, args
        assert dvc("config", args[0]).out.strip() == args[1]


def test_unknown_command_and_flag(tmp_dir, trail):
    res = trail("stauts")
    assert res.code == 2 and "Did you mean 'status'?" in res.err
    res = trail("exp", "shwo")
    assert res.code == 2 and "Did you mean 'show'?" in res.err
    res = trail("status", "--bogus")
    assert res.code == 2 and res.err.startswith("usage: trail status")
    assert "unrecognized arguments: --bogus" in res.err
    assert "print JSON" in trail("metrics", "show", "--help").out  # --json/--md/--csv explained
    assert "a Markdown (GFM) table" in trail("exp", "show", "--help").out


REPRO_PIPELINE = """\
stages:
  a1:
    cmd: echo a > a.txt
    outs: [a.txt]
  a2:
    cmd: cat a.txt > a2.txt
    deps: [a.txt]
    outs: [a2.txt]
  b1:
    cmd: echo b > b.txt
    outs: [b.txt]
"""


@pytest.mark.parametrize(
    "flags",
    [["-p", "a2"], ["--glob", "a*"], ["-R", "sub"], ["-P"], ["-s", "a1"]],
)
def test_repro_target_flags(dvc_repo, trail, dvc, tmp_path_factory, flags):
    dvc_repo.gen({"dvc.yaml": REPRO_PIPELINE, "sub": {"dvc.yaml": ""}})
    (dvc_repo / "sub" / "dvc.yaml").write_text(
        "stages:\n  s1:\n    cmd: echo s > s.txt\n    outs: [s.txt]\n"
    )
    twin = tmp_path_factory.mktemp("twin") / "repo"
    shutil.copytree(dvc_repo, twin, symlinks=True)
    dvc("repro", "-q", *flags)
    os.chdir(twin)
    assert trail("repro", "-q", *flags).code == 0

    def made(root) -> set[str]:
        return {p for p in ("a.txt", "a2.txt", "b.txt", "sub/s.txt") if (root / p).exists()}

    assert made(twin) == made(dvc_repo), flags
    for lock in ("dvc.lock", "sub/dvc.lock"):
        ours, theirs = twin / lock, dvc_repo / lock
        assert ours.exists() == theirs.exists()
        if theirs.exists():
            assert ours.read_text() == theirs.read_text()


def test_repro_force_downstream_and_allow_missing(dvc_repo, trail, dvc, tmp_path_factory):
    dvc_repo.gen({"dvc.yaml": REPRO_PIPELINE})
    dvc("repro", "-q")
    twin = tmp_path_factory.mktemp("twin") / "repo"
    shutil.copytree(dvc_repo, twin, symlinks=True)
    changed = REPRO_PIPELINE.replace("echo a > a.txt", "echo a  > a.txt")  # same output
    for where, run in ((dvc_repo, dvc), (twin, trail)):
        os.chdir(where)
        (where / "dvc.yaml").write_text(changed)
        out = run("repro", "--no-run-cache", "--force-downstream", "a2").out
        assert "Running stage 'a1'" in out and "Running stage 'a2'" in out, (where, out)
        os.unlink(where / "b.txt")
        out = run("repro", "--allow-missing", "b1").out
        assert "Running stage 'b1'" not in out, (where, out)
        assert not (where / "b.txt").exists()
    assert (twin / "dvc.lock").read_text() == (dvc_repo / "dvc.lock").read_text()


def _in_a_terminal(argv: list[str], answers: str) -> tuple[int, str]:
    """Run ``argv`` with a pseudo-terminal as stdin/stdout/stderr, ``answers`` typed ahead."""
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "DVC_NO_UPDATER": "1"}
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    os.write(master, answers.encode())
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal is gone: the process ended
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(), out.decode(errors="replace")


def test_repro_interactive(dvc_repo, trail, dvc, tmp_path_factory):
    dvc_repo.gen({"dvc.yaml": REPRO_PIPELINE})
    twin = tmp_path_factory.mktemp("twin") / "repo"
    shutil.copytree(dvc_repo, twin, symlinks=True)
    ours_exe = os.path.join(os.path.dirname(sys.executable), "trail")
    for where, exe in ((dvc_repo, os.environ["TRAIL_TEST_DVC"]), (twin, ours_exe)):
        os.chdir(where)
        # without a terminal there is no answer: nothing runs
        res = subprocess.run([exe, "repro", "-i"], input="y\n", capture_output=True, text=True)
        assert res.returncode != 0 and "reproduction aborted by the user" in res.stderr, exe
        assert not (where / "a.txt").exists()
        # yes to a1, no to a2: a1 ran and is recorded, then the reproduction stops
        code, out = _in_a_terminal([exe, "repro", "-i"], "y\nn\n")
        assert code != 0, (exe, out)
        assert "Going to reproduce stage: 'a2'. Are you sure you want to continue? [y/n]" in out
        assert "failed to reproduce 'a2': reproduction aborted by the user" in out, (exe, out)
    for name in ("a.txt", "a2.txt", "b.txt"):
        assert (twin / name).exists() == (dvc_repo / name).exists(), name
    assert (twin / "a.txt").exists()
    assert (twin / "dvc.lock").read_text() == (dvc_repo / "dvc.lock").read_text()
