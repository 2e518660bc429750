"""The Models page's lineage graph (``trail.web.lineage_svg``)."""

from __future__ import annotations

from trail.web.lineage_svg import lineage_graph, render_lineage


def stage(name, deps, outs, recorded=True):
    return {
        "name": name,
        "file": "trail.yaml",
        "cmd": f"python {name}.py",
        "deps": [{"path": p, "hash": "md5:1", "kind": k} for p, k in deps],
        "params": {},
        "outs": [{"path": p, "hash": "md5:2"} for p in outs],
        "recorded": recorded,
    }


def described(path, stages=(), data=(), imports=(), produced_by=None, source="git"):
    return {
        "name": "clf",
        "version": "v1.0.0",
        "artifact": {"path": path},
        "lineage": {
            "source": source,
            "produced_by": produced_by,
            "hash": None,
            "stages": list(stages),
            "data": [{"path": p, "file": f"{p}.trail", "hash": "md5:3.dir"} for p in data],
            "imports": [
                {"path": p, "file": f"{p}.trail", "hash": "md5:4", "repo": {"url": "../up"}}
                for p in imports
            ],
        },
    }


def test_stages_follow_their_deps_from_data_imports_and_other_stages():
    g = lineage_graph(
        described(
            "model.pkl",
            stages=[
                stage("data", [("raw/a.csv", "data"), ("src/prep.py", "code")], ["data"]),
                stage("train", [("data/train", "data"), ("ext", "data")], ["model.pkl"]),
            ],
            data=["raw"],
            imports=["ext"],
            produced_by="train",
            source="stage",
        )
    )
    assert g.nodes == ["data:raw", "import:ext", "stage:data", "stage:train", "artifact"]
    assert g.edges == [
        ("data:raw", "stage:data"),  # a file inside a tracked directory
        ("stage:data", "stage:train"),  # a dep inside another stage's output
        ("import:ext", "stage:train"),
        ("stage:train", "artifact"),
    ]  # a stage named like a path is its own node; code deps draw no node
    assert (g.labels["stage:data"], g.labels["data:raw"]) == ("data", "raw")
    assert g.labels["artifact"] == "clf v1.0.0"
    assert g.classes["import:ext"] == "lineage-import"


def test_an_artifact_kept_as_data_hangs_from_its_pointer_files_output():
    g = lineage_graph(described("models/clf.pkl", data=["models", "other"], source="data"))
    assert g.edges == [("data:models", "artifact")]


def test_an_artifact_kept_in_git_is_one_node_and_names_are_escaped():
    svg = render_lineage({**described("m.json"), "name": "<b>&"})
    assert svg.count('class="node') == 1 and 'class="edge"' not in svg
    assert "&lt;b&gt;&amp; v1.0.0" in svg and "<b>" not in svg
    assert 'aria-label="lineage graph"' in svg
