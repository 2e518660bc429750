"""trail data profile / drift / check, contracts around repro, and exp show --profile, through
the real entry point in temporary repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("duckdb", reason="trail[data] is part of the test extra")

CSV = "id,age,city,score\n" + "".join(
    f"{i},{20 + i % 50},{'abc'[i % 3]},{(i * 7) % 11 / 10}\n" for i in range(1, 301)
)


def _store_files(repo):
    root = repo / ".trail" / "cache" / "profiles"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_profile_is_stored_by_hash_and_reused(trail_repo, trail):
    trail_repo.gen("data.csv", CSV)
    res = trail("data", "profile", "data.csv", "--json")
    assert res.code == 0, res.err
    prof = json.loads(res.out)
    assert prof["rows"] == 300 and prof["hash"].startswith("blake3:")
    age = next(c for c in prof["columns"] if c["name"] == "age")
    assert (age["type"], age["min"], age["max"], age["distinct"]) == ("integer", 20, 69, 50)
    assert set(age["quantiles"]) == {"p1", "p5", "p25", "p50", "p75", "p95", "p99"}
    assert sum(age["histogram"]["counts"]) == 300
    city = next(c for c in prof["columns"] if c["name"] == "city")
    assert city["top"] == [["a", 100], ["b", 100], ["c", 100]]
    stored = _store_files(trail_repo)
    assert len(stored) == 1 and stored[0].endswith(".csv.json")
    assert not any(".trail-tmp-" in s for s in stored)
    again = trail("data", "profile", "data.csv")
    assert again.code == 0 and "(from the profile store)" in again.out
    md = trail("data", "profile", "data.csv", "--md")
    assert md.out.startswith("## data.csv: 300 rows") and "| age " in md.out


def test_repeat_profile_does_not_load_the_engine(trail_repo, trail):
    trail_repo.gen("data.csv", CSV)
    assert trail("data", "profile", "data.csv").code == 0
    code = (
        "from trail.cli.main import main; import sys\n"
        "assert main(['-q', 'data', 'profile', 'data.csv', '--json']) == 0\n"
        "print('duckdb' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip() == "False"


def test_profile_directory_tsv_jsonl_parquet(trail_repo, trail):
    trail_repo.gen({"parts": {"a.csv": "x,y\n1,a\n2,b\n", "b.csv": "y,x\nc,3\n", "README": "hi"}})
    res = trail("data", "profile", "parts", "--json")
    assert res.code == 0, res.err
    prof = json.loads(res.out)
    assert (prof["rows"], prof["files"]) == (3, 2)
    assert next(c for c in prof["columns"] if c["name"] == "x")["max"] == 3
    trail_repo.gen("t.tsv", "a\tb\n1\tx y\n2\tz\n")
    assert json.loads(trail("data", "profile", "t.tsv", "--json").out)["rows"] == 2
    trail_repo.gen("t.jsonl", '{"a": 1, "b": "x"}\n{"a": 2.5, "b": null}\n')
    prof = json.loads(trail("data", "profile", "t.jsonl", "--json").out)
    b = next(c for c in prof["columns"] if c["name"] == "b")
    assert (prof["rows"], b["nulls"]) == (2, 1)
    import duckdb

    duckdb.execute("COPY (SELECT range AS v FROM range(10)) TO 't.parquet' (FORMAT parquet)")
    prof = json.loads(trail("data", "profile", "t.parquet", "--json").out)
    assert prof["rows"] == 10 and prof["columns"][0]["mean"] == 4.5


def test_usual_missing_value_markers(trail_repo, trail):
    trail_repo.gen("t.csv", "a,b\n1,x\nNA,y\n3,\nnull,N/A\n")
    cols = json.loads(trail("data", "profile", "t.csv", "--json").out)["columns"]
    assert [(c["type"], c["nulls"]) for c in cols] == [("integer", 2), ("string", 2)]


def test_columns_named_like_internal_aliases(trail_repo, trail):
    trail_repo.gen("t.csv", "a,b,c,i,n,v,x\n1,2,3,4,5,6,7\n2,3,4,5,6,7,8\n")
    trail_repo.gen("u.csv", "a,b,c,i,n,v,x\n1,2,3,4,5,6,7\n")
    assert trail("data", "profile", "t.csv").code == 0
    res = trail("data", "drift", "t.csv", "u.csv", "--json")
    assert res.code in (0, 1) and json.loads(res.out)["rows"] == [2, 1]


def _two_versions(trail_repo, trail):
    trail_repo.gen("data.csv", CSV)
    assert trail("add", "data.csv").code == 0
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "v1")
    trail_repo.git("tag", "v1")
    shifted = "id,age,city,score,extra\n" + "".join(
        f"{i},{60 + i % 50},{'abd'[i % 3]},{(i * 7) % 11 / 10},1\n" for i in range(1, 301)
    )
    trail_repo.gen("data.csv", shifted)
    assert trail("add", "data.csv").code == 0


def test_profile_rev_from_cache_and_from_remote(trail_repo, trail, tmp_path_factory):
    _two_versions(trail_repo, trail)
    res = trail("data", "profile", "data.csv", "--rev", "v1", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out)["columns"][1]["min"] == 20
    # from the remote: push, empty the cache and the profile store, ask again
    store = tmp_path_factory.mktemp("remote")
    assert trail("remote", "add", "-d", "r", str(store)).code == 0
    assert trail("push", "-T").code == 0  # the data of every tag
    import shutil

    shutil.rmtree(trail_repo / ".trail" / "cache")
    res = trail("data", "profile", "data.csv@v1", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out)["columns"][1]["max"] == 69


def test_drift_between_revisions_and_thresholds(trail_repo, trail):
    _two_versions(trail_repo, trail)
    res = trail("data", "drift", "data.csv@v1", "data.csv", "--json")
    assert res.code == 1
    report = json.loads(res.out)
    assert report["crossed"] is True
    assert report["schema"]["added"] == [{"name": "extra", "type": "integer"}]
    by = {c["name"]: c for c in report["columns"]}
    assert by["age"]["ks"] == pytest.approx(0.8, abs=1e-9) and "ks" in by["age"]["crossed"]
    assert by["city"]["js"] > 0.1 and by["score"]["ks"] == 0 and by["score"]["crossed"] == []
    assert "drift beyond thresholds" in res.err and "age" in res.err
    same = trail("data", "drift", "data.csv@v1", "@v1")
    assert same.code == 0, same.err
    loose = trail("data", "drift", "@v1", "data.csv", "--threshold", "psi=100,ks=1,js=1")
    assert loose.code == 0, loose.err
    bad = trail("data", "drift", "@v1", "data.csv", "--threshold", "pis=1")
    assert bad.code == 2 and "METRIC=VALUE" in bad.err


def test_drift_between_experiments(trail_repo, trail):
    make = (
        "import yaml\n"
        "n = yaml.safe_load(open('params.yaml'))['n']\n"
        "open('t.csv', 'w').write('v\\n' + ''.join(f'{i}\\n' for i in range(n)))\n"
    )
    trail_repo.gen({"params.yaml": "n: 100\n", "make.py": make})
    trail_repo.gen(
        "trail.yaml",
        "stages:\n  make:\n    cmd: python3 make.py\n    deps: [make.py]\n"
        "    params: [n]\n    outs: [t.csv]\n",
    )
    trail_repo.git("add", "-A")
    trail_repo.git("commit", "-q", "-m", "pipeline")
    assert trail("exp", "run", "-n", "small").code == 0
    assert trail("exp", "run", "-n", "big", "-S", "n=400").code == 0
    res = trail("data", "drift", "t.csv@small", "t.csv@big", "--json")
    assert res.code == 1, res.err
    assert json.loads(res.out)["rows"] == [100, 400]
    shown = trail("exp", "show", "--profile", "t.csv", "--json")
    assert shown.code == 0, shown.err
    # DVC's shape, each experiment's data with trail's profile figures beside params and metrics
    rows = {
        g["name"]: g["revs"][0]["data"]
        for b in json.loads(shown.out)
        for g in b["experiments"] or []
    }
    assert rows["big"]["profiles"]["t.csv"]["rows"] == 400
    assert rows["small"]["profiles"]["t.csv"]["v.mean"] == 49.5
    table = trail("exp", "show", "--profile", "t.csv", "--md")
    assert "v.mean" in table.out and "rows" in table.out
    plain = trail("exp", "show", "--json")
    assert all("profiles" not in r for r in json.loads(plain.out))  # default unchanged


def test_drift_of_any_paths_and_urls(tmp_dir, trail, http_server):
    tmp_dir.gen({"a.csv": "v\n1\n2\n3\n", "b.csv": "v\n1\n2\n3\n"})
    res = trail("data", "drift", "a.csv", f"file://{tmp_dir / 'b.csv'}", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out)["columns"][0]["ks"] == 0
    (http_server.root / "prod.csv").write_text("v\n7\n8\n9\n")
    res = trail("data", "drift", "a.csv", f"{http_server.url}/prod.csv", "--json")
    assert res.code == 1 and json.loads(res.out)["columns"][0]["ks"] == 1.0
    res = trail("data", "profile", f"{http_server.url}/none.csv")
    assert (
        res.code == 1
        and res.err == f"ERROR: {http_server.url}/none.csv: no such file or directory\n"
    )


CONTRACTS = """\
data.csv:
  rows: {min: 10}
  columns:
    id: {type: integer, unique: true, nullable: false}
    age: {type: integer, min: 0, max: 130}
    city: {allowed: [a, b, c]}
"""


def test_check_reports_file_column_rule_and_example(trail_repo, trail):
    trail_repo.gen("data.csv", CSV)
    trail_repo.gen("trail.contracts.yaml", CONTRACTS)
    ok = trail("data", "check")
    assert ok.code == 0 and "data.csv: ok" in ok.out
    trail_repo.gen("data.csv", CSV.replace("\n7,27,b,", "\n7,-4,z,").replace("\n9,", "\n8,"))
    res = trail("data", "check")
    assert res.code == 1
    lines = res.err.splitlines()
    assert len(lines) == 3, res.err
    age = next(ln for ln in lines if "'age'" in ln)
    assert "rule min: 0 (trail.contracts.yaml:5)" in age
    assert "data.csv line 8: age=-4" in age
    assert any("'city'" in ln and "allowed" in ln and "city='z'" in ln for ln in lines)
    assert any("'id'" in ln and "unique" in ln and "line 10" in ln for ln in lines)
    data = json.loads(trail("data", "check", "data.csv", "--json").out)
    assert {v["rule"] for v in data["violations"]} == {
        "min: 0",
        "allowed: [a, b, c]",
        "unique: true",
    }


PIPELINE = """\
stages:
  prep:
    cmd: python3 -c "import shutil; shutil.copy('raw.csv', 'data.csv')"
    deps: [raw.csv]
    outs: [data.csv]
  train:
    cmd: python3 -c "open('model.txt', 'w').write(open('data.csv').read()[:10])"
    deps: [data.csv]
    outs: [model.txt]
"""


def test_repro_checks_deps_before_and_outs_after(trail_repo, trail):
    trail_repo.gen({"raw.csv": CSV, "trail.yaml": PIPELINE})
    trail_repo.gen("trail.contracts.yaml", CONTRACTS + "raw.csv:\n  rows: {min: 1}\n")
    res = trail("repro")
    assert res.code == 0, res.err
    # a bad output: prep fails after its run, nothing recorded, train never runs
    os.remove("trail.lock")
    os.remove("model.txt")
    trail_repo.gen("raw.csv", CSV.replace("\n5,25,", "\n5,250,"))
    runs = trail_repo / ".trail" / "cache" / "runs"
    before = sorted(p for p in runs.rglob("*") if p.is_file())
    res = trail("repro")
    assert res.code == 1
    err = [ln for ln in res.err.splitlines() if ln.startswith("ERROR")]
    assert len(err) == 1 and "stage 'prep'" in err[0] and "'age'" in err[0]
    assert "max: 130" in err[0] and "data.csv line 6: age=250" in err[0]
    assert not (trail_repo / "trail.lock").exists()
    assert sorted(p for p in runs.rglob("*") if p.is_file()) == before
    assert not (trail_repo / "model.txt").exists()
    # --no-contracts skips them
    assert trail("repro", "--no-contracts").code == 0
    assert (trail_repo / "model.txt").exists()
    # a bad dep: the stage fails before it runs
    trail_repo.gen("data.csv", "id\n1\n")
    os.remove("model.txt")
    res = trail("repro", "-s", "train")
    assert res.code == 1 and "stage 'train'" in res.err and "rows ≥ 10" in res.err
    assert not (trail_repo / "model.txt").exists()


def test_repro_without_contracts_file_loads_nothing_of_it(trail_repo):
    trail_repo.gen({"raw.csv": CSV, "trail.yaml": PIPELINE})
    code = (
        "from trail.cli.main import main; import sys\n"
        "assert main(['-q', 'repro']) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('trail.quality')), file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip() == "['trail.quality']"  # the package's name constant only


def test_contracts_in_a_dvc_repository(dvc_dialect_repo, trail):
    repo = dvc_dialect_repo
    repo.gen({"raw.csv": CSV, "dvc.yaml": PIPELINE})
    repo.gen("trail.contracts.yaml", "data.csv:\n  columns:\n    age: {max: 30}\n")
    res = trail("repro")
    assert res.code == 1 and "stage 'prep'" in res.err and "max: 30" in res.err
    assert (repo / "dvc.yaml").read_text() == PIPELINE
    assert not (repo / "dvc.lock").exists()
    assert trail("data", "profile", "raw.csv").code == 0
    assert list((repo / ".dvc" / "cache" / "profiles").rglob("*.json"))


def test_check_from_a_subdirectory(trail_repo, trail, monkeypatch):
    trail_repo.gen({"data.csv": CSV, "sub": {"x": "y"}})
    trail_repo.gen("trail.contracts.yaml", CONTRACTS)
    monkeypatch.chdir(trail_repo / "sub")
    res = trail("data", "check")
    assert res.code == 0 and "data.csv: ok" in res.out, res.err


def test_page_data_for_the_ui_is_json_ready(trail_repo, trail):
    from trail.quality.repo.pages import drift_page, profile_page
    from trail.repo import Repo

    _two_versions(trail_repo, trail)
    repo = Repo.find(".")
    try:
        page = profile_page(repo, "data.csv", rev="v1")
        drift = drift_page(repo, "data.csv", "v1", None)
    finally:
        repo.close()
    assert json.loads(json.dumps(page))["rows"] == 300 and page["rev"] == "v1"
    age = next(c for c in json.loads(json.dumps(drift))["columns"] if c["name"] == "age")
    hist = age["histogram"]
    assert len(hist["edges"]) == 21 and sum(hist["base"]) == sum(hist["current"]) == 300
    city = next(c for c in drift["columns"] if c["name"] == "city")
    assert city["histogram"]["values"] == ["a", "b", "c", "d"]
