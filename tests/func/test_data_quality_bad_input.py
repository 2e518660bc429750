"""Bad tables and bad contracts: one line naming the file (and line), exit 1, no traceback,
nothing half-written in the profile store."""

from __future__ import annotations

import pytest

pytest.importorskip("duckdb", reason="trail[data] is part of the test extra")


def _one_line(res, *needles):
    assert res.code == 1, (res.code, res.err)
    lines = [ln for ln in res.err.splitlines() if ln.strip()]
    assert len(lines) == 1, res.err
    assert lines[0].startswith("ERROR: ") and "Traceback" not in res.err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def _store_empty(repo):
    root = repo / ".trail" / "cache" / "profiles"
    return not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        ("ragged.csv", b"a,b\n1,2\n3,4,5\n6,7\n", ("ragged.csv:3:", "3 fields", "header has 2")),
        ("latin.csv", b"a,b\n1,2\n3,caf\xe9\n", ("latin.csv:3:", "not UTF-8")),
        ("empty.csv", b"", ("empty.csv:", "empty file")),
        ("png.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("png.csv:1:",)),
        ("bad.parquet", b"not parquet at all", ("bad.parquet:", "not a parquet file")),
        ("broken.jsonl", b'{"a": 1}\n{"a": \n', ("broken.jsonl:2:", "not a JSON value")),
        ("mixed.jsonl", b'{"a": 1}\n{"a": 2}\n{"a": "x"}\n', ("mixed.jsonl:3:", "'a' mixes types")),
        ("notes.txt", b"hello\n", ("notes.txt:", "unknown table format")),
    ],
)
def test_bad_tables(trail_repo, trail, name, content, needles):
    (trail_repo / name).write_bytes(content)
    _one_line(trail("data", "profile", name), *needles)
    assert _store_empty(trail_repo)


def test_mixed_types_late_in_a_csv(trail_repo, trail):
    rows = "".join(f"{i},x\n" for i in range(40000))
    trail_repo.gen("mixed.csv", "a,b\n" + rows + "oops,y\n")
    line = _one_line(trail("data", "profile", "mixed.csv"), "mixed.csv:40002:", "'a' mixes types")
    assert "'oops'" in line
    assert _store_empty(trail_repo)


def test_mixed_formats_in_a_directory(trail_repo, trail):
    trail_repo.gen({"d": {"a.csv": "x\n1\n", "b.jsonl": '{"x": 2}\n'}})
    _one_line(trail("data", "profile", "d"), "d:", "mixes table formats")


def test_drift_and_check_read_errors_are_one_line(trail_repo, trail):
    trail_repo.gen({"ok.csv": "a\n1\n", "ragged.csv": "a,b\n1\n"})
    _one_line(trail("data", "drift", "ok.csv", "ragged.csv"), "ragged.csv:2:")
    _one_line(trail("data", "drift", "ok.csv", "nope.csv"), "nope.csv")


@pytest.mark.parametrize(
    ("contracts", "needles"),
    [
        ("d.csv:\n  columns:\n    a: {typ: integer}\n", ("trail.contracts.yaml:3:", "'typ'")),
        ("d.csv:\n  columns:\n    a: {type: integr}\n", ("trail.contracts.yaml:3:", "integr")),
        ("d.csv:\n  columns:\n    a:\n      regex: '(['\n", ("trail.contracts.yaml:4:", "regex")),
        ("d.csv:\n  rows: {min: -1}\n", ("trail.contracts.yaml:2:", "rows.min")),
        ("d.csv:\n  drift: {psi: 0.1}\n", ("trail.contracts.yaml:2:", "reference")),
        ("d.csv: [\n", ("trail.contracts.yaml:", "invalid YAML")),
        ("d.csv:\n  colums: {}\n", ("trail.contracts.yaml:2:", "'colums'")),
    ],
)
def test_malformed_contracts(trail_repo, trail, contracts, needles):
    trail_repo.gen({"d.csv": "a\n1\n", "trail.contracts.yaml": contracts})
    _one_line(trail("data", "check"), *needles)
    trail_repo.gen("trail.yaml", "stages:\n  s:\n    cmd: echo hi\n    deps: [d.csv]\n")
    _one_line(trail("repro"), *needles)  # before any stage runs


def test_contract_naming_an_unknown_column(trail_repo, trail):
    trail_repo.gen({"d.csv": "a\n1\n", "trail.contracts.yaml": "d.csv:\n  columns:\n    b: {}\n"})
    _one_line(
        trail("data", "check"), "d.csv, column 'b'", "trail.contracts.yaml:3", "no such column"
    )


def test_check_without_contracts_file(trail_repo, trail):
    _one_line(trail("data", "check"), "trail.contracts.yaml", "no contracts file")
