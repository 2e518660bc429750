"""The stat cache: per-file rows, per-directory snapshots, completeness marks."""

from __future__ import annotations

import threading

from trail.state import NullState, SQLiteState


def test_rows_round_trip(tmp_path):
    s = SQLiteState(str(tmp_path / "db" / "state.db"))
    assert s.lookup("f", "md5") is None
    s.save([("f", "md5", (1, 2, 3), "ab")])
    assert s.lookup("f", "md5") == ((1, 2, 3), "ab")
    assert s.lookup("f", "blake3") is None
    s.close()
    assert SQLiteState(str(tmp_path / "db" / "state.db")).lookup("f", "md5") == ((1, 2, 3), "ab")


def test_directory_snapshots(tmp_path):
    s = SQLiteState(str(tmp_path / "state.db"))
    assert s.load_dir("data", "md5") == ({}, None)
    files = {"a": (1, 2, 3, "aa"), "sub/b": (4, 5, 6, "bb")}
    s.save_dir("data", "md5", files, "tree")
    assert s.load_dir("data", "md5") == (files, "tree")
    assert s.load_dir("data", "blake3") == ({}, None)
    s.save_dir("data", "md5", {}, None)
    assert s.load_dir("data", "md5") == ({}, None)


def test_corrupt_snapshot_is_forgotten(tmp_path):
    s = SQLiteState(str(tmp_path / "state.db"))
    s.conn.execute("INSERT INTO dirs VALUES ('d', 'md5', x'00ff', 't')")
    assert s.load_dir("d", "md5") == ({}, None)


def test_tree_completeness_marks(tmp_path):
    s = SQLiteState(str(tmp_path / "state.db"))
    assert not s.tree_complete("md5", "t1")
    s.mark_trees_complete("md5", ["t1", "t2"])
    assert s.tree_complete("md5", "t1") and s.tree_complete("md5", "t2")
    s.forget_trees()
    assert not s.tree_complete("md5", "t1")


def test_threads_share_one_state(tmp_path):
    s = SQLiteState(str(tmp_path / "state.db"))

    def work(n):
        for i in range(50):
            s.save([(f"t{n}/{i}", "md5", (n, i, 0), "h")])
            assert s.lookup(f"t{n}/{i}", "md5") == ((n, i, 0), "h")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert s.lookup("t3/49", "md5") == ((3, 49, 0), "h")


def test_old_schema_is_dropped(tmp_path):
    import sqlite3

    path = tmp_path / "state.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE state (path TEXT)")
    conn.commit()
    conn.close()
    s = SQLiteState(str(path))
    s.save([("f", "md5", (1, 2, 3), "ab")])
    assert s.lookup("f", "md5") == ((1, 2, 3), "ab")


def test_null_state_remembers_nothing():
    n = NullState()
    n.save([("f", "md5", (1, 2, 3), "ab")])
    n.save_dir("d", "md5", {"a": (1, 2, 3, "h")}, "t")
    assert n.lookup("f", "md5") is None
    assert n.load_dir("d", "md5") == ({}, None)
    assert not n.tree_complete("md5", "t")
