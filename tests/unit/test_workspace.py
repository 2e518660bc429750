"""Walking, ignoring, building and checking out, through the workspace modules directly."""

from __future__ import annotations

import os
import stat

import pytest

from trail.errors import CheckoutError
from trail.odb.local import LocalODB
from trail.state import NullState, SQLiteState
from trail.workspace import gitignore
from trail.workspace.build import BuildContext, build
from trail.workspace.checkout import Changes, CheckoutContext, checkout_dir, checkout_file
from trail.workspace.ignore import IgnoreRules
from trail.workspace.links import Linker, parse_link_types
from trail.workspace.walk import walk_files


def _files(tmp_path, struct):
    for name, body in struct.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(body)


def test_walk_skips_control_dirs_ignored_and_dangling(tmp_path):
    _files(tmp_path, {"d/a": "1", "d/.git/x": "2", "d/.trail/y": "3", "d/s/b.tmp": "4",
                      "d/s/c": "5", ".trailignore": "*.tmp\n"})  # fmt: skip
    os.symlink(tmp_path / "d" / "a", tmp_path / "d" / "link")
    os.symlink(tmp_path / "missing", tmp_path / "d" / "dangling")
    rules = IgnoreRules(str(tmp_path), ".trailignore")
    got = sorted(rel for rel, _st, _x in walk_files(str(tmp_path), "d", rules))
    assert got == ["a", "link", "s/c"]


def test_ignore_rules_are_anchored_and_negatable(tmp_path):
    _files(tmp_path, {"sub/.trailignore": "*.log\n!keep.log\n/only_here\n"})
    rules = IgnoreRules(str(tmp_path), ".trailignore")
    rules.load_ancestors("sub/x")
    assert rules.ignored("sub/a.log", False)
    assert not rules.ignored("sub/keep.log", False)
    assert not rules.ignored("other/a.log", False)
    assert rules.ignored("sub/only_here", False)
    assert not rules.ignored("sub/deeper/only_here", False)


def test_gitignore_add_and_remove(tmp_path):
    _files(tmp_path, {"sub/.gitignore": "# mine\n"})
    assert gitignore.ignore(str(tmp_path), "sub/data") == "sub/.gitignore"
    assert gitignore.ignore(str(tmp_path), "sub/data") is None
    assert (tmp_path / "sub" / ".gitignore").read_text() == "# mine\n/data\n"
    gitignore.unignore(str(tmp_path), "sub/data")
    assert (tmp_path / "sub" / ".gitignore").read_text() == "# mine\n"
    gitignore.ignore(str(tmp_path), "top")
    gitignore.unignore(str(tmp_path), "top")
    assert not (tmp_path / ".gitignore").exists()


class CountingState(SQLiteState):
    hashed = 0


def _ctx(tmp_path, state, store=True):
    return BuildContext(
        root=str(tmp_path),
        algo="blake3",
        state=state,
        ignore=None,
        odb=LocalODB(str(tmp_path / "cache")) if store else None,
    )


def test_build_then_checkout_round_trip(tmp_path):
    _files(tmp_path, {"data/a": "1", "data/sub/b": "2", "data/c": ""})
    state = SQLiteState(str(tmp_path / "state.db"))
    built = build(_ctx(tmp_path, state), "data")
    assert built.meta.nfiles == 3 and built.meta.size == 2
    import shutil

    shutil.rmtree(tmp_path / "data")
    ctx = CheckoutContext(str(tmp_path), LocalODB(str(tmp_path / "cache")), state,
                          Linker(("copy",)), None)  # fmt: skip
    changes = Changes()
    checkout_dir(ctx, "data", built.oid, changes)
    assert changes.added == ["data/"]
    assert (tmp_path / "data" / "sub" / "b").read_text() == "2"
    # the stat cache now knows the tree: building again hashes nothing
    again = build(_ctx(tmp_path, state, store=False), "data")
    assert again.oid == built.oid


def test_a_stored_directory_is_known_to_be_whole_in_the_cache(tmp_path):
    _files(tmp_path, {"data/a": "1", "data/sub/b": "2"})
    state = SQLiteState(str(tmp_path / "state.db"))
    looked = build(_ctx(tmp_path, state, store=False), "data")
    assert not state.tree_complete(looked.oid.algo, looked.oid.hex)  # hashed, not stored
    stored = build(_ctx(tmp_path, state), "data")
    assert state.tree_complete(stored.oid.algo, stored.oid.hex)


def test_second_build_uses_the_stat_cache(tmp_path, monkeypatch):
    _files(tmp_path, {"data/a": "1", "data/b": "2"})
    state = SQLiteState(str(tmp_path / "state.db"))
    os.utime(tmp_path / "data" / "a", (1, 1))
    os.utime(tmp_path / "data" / "b", (1, 1))
    first = build(_ctx(tmp_path, state, store=False), "data")
    from trail.workspace import build as build_mod

    calls = []
    real = build_mod._hash_one
    monkeypatch.setattr(build_mod, "_hash_one", lambda *a, **k: calls.append(a[1]) or real(*a))
    assert build(_ctx(tmp_path, state, store=False), "data").oid == first.oid
    assert calls == []
    (tmp_path / "data" / "a").write_text("changed")
    assert build(_ctx(tmp_path, state, store=False), "data").oid != first.oid
    assert calls == ["data/a"]


def test_checkout_refuses_uncached_changes_unless_forced(tmp_path):
    _files(tmp_path, {"data/a": "1"})
    state = NullState()
    built = build(_ctx(tmp_path, state), "data")
    (tmp_path / "data" / "a").write_text("precious edit")
    ctx = CheckoutContext(str(tmp_path), LocalODB(str(tmp_path / "cache")), state,
                          Linker(("copy",)), None)  # fmt: skip
    with pytest.raises(CheckoutError) as err:
        checkout_dir(ctx, "data", built.oid, Changes())
    assert "data/a" in str(err.value)
    assert (tmp_path / "data" / "a").read_text() == "precious edit"
    ctx.force = True
    checkout_dir(ctx, "data", built.oid, Changes())
    assert (tmp_path / "data" / "a").read_text() == "1"


def test_checkout_subpath_touches_only_that_part(tmp_path):
    _files(tmp_path, {"data/x/a": "1", "data/y/b": "2"})
    built = build(_ctx(tmp_path, NullState()), "data")
    os.unlink(tmp_path / "data" / "x" / "a")
    os.unlink(tmp_path / "data" / "y" / "b")
    ctx = CheckoutContext(str(tmp_path), LocalODB(str(tmp_path / "cache")), NullState(),
                          Linker(("copy",)), None)  # fmt: skip
    checkout_dir(ctx, "data", built.oid, Changes(), subpath="x")
    assert (tmp_path / "data" / "x" / "a").exists()
    assert not (tmp_path / "data" / "y" / "b").exists()


@pytest.mark.parametrize("kind", ["hardlink", "symlink", "copy"])
def test_link_kinds(tmp_path, kind):
    _files(tmp_path, {"f": "body"})
    os.chmod(tmp_path / "f", 0o755)
    built = build(_ctx(tmp_path, NullState()), "f")
    os.unlink(tmp_path / "f")
    ctx = CheckoutContext(str(tmp_path), LocalODB(str(tmp_path / "cache")), NullState(),
                          Linker((kind,)), None)  # fmt: skip
    checkout_file(ctx, "f", built.oid, True, Changes())
    path = tmp_path / "f"
    assert path.read_text() == "body"
    writable = bool(stat.S_IMODE(path.stat().st_mode) & 0o200)
    assert writable == (kind == "copy")
    if kind == "copy":
        assert os.access(path, os.X_OK)


def test_link_type_parsing():
    assert parse_link_types(None) == ("reflink", "copy")
    assert parse_link_types("hardlink, copy") == ("hardlink", "copy")
    from trail.errors import ConfigError

    with pytest.raises(ConfigError, match="teleport"):
        parse_link_types("teleport")


def test_falls_back_when_a_link_kind_does_not_work(tmp_path):
    _files(tmp_path, {"f": "body"})
    built = build(_ctx(tmp_path, NullState()), "f")
    os.unlink(tmp_path / "f")
    linker = Linker(("reflink", "copy"))  # ext4 and tmpfs have no reflink
    ctx = CheckoutContext(str(tmp_path), LocalODB(str(tmp_path / "cache")), NullState(),
                          linker, None)  # fmt: skip
    checkout_file(ctx, "f", built.oid, False, Changes())
    assert (tmp_path / "f").read_text() == "body"
