"""Parts of the web UI that need no server: the graph layout, JSON and error answers."""

from __future__ import annotations

import itertools
import math

from trail.errors import PipelineError, UnsafePathError
from trail.results.loaders import ResultsFileError
from trail.web.answers import error_body, error_status, to_json
from trail.web.dag_svg import NODE_H, layers, layout, render


def test_each_node_sits_one_layer_below_its_lowest_input():
    nodes = ["a", "b", "c", "d"]
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("d", "c")]
    assert layers(nodes, edges) == {"a": 0, "b": 1, "c": 2, "d": 0}


def test_boxes_of_a_layer_do_not_overlap_and_long_edges_get_waypoints():
    nodes = ["a", "b", "c", "d", "e"]
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e")]
    lay = layout(nodes, edges, {})
    real = [b for b in lay.boxes.values() if b.real]
    assert {b.name for b in real} == set(nodes)
    by_row: dict[float, list] = {}
    for box in lay.boxes.values():
        by_row.setdefault(box.y, []).append(box)
    for row in by_row.values():
        row.sort(key=lambda b: b.x)
        for left, right in itertools.pairwise(row):
            assert left.x + left.w <= right.x
    long_edge = next(e for e in lay.edges if e[:2] == ("a", "c"))
    assert len(long_edge[2]) == 1  # one waypoint in b's layer
    assert lay.boxes["c"].y - lay.boxes["a"].y > 2 * NODE_H


def test_ordering_removes_avoidable_crossings():
    # a1 → b2 and a2 → b1 cross in input order; the layout swaps one layer
    nodes = ["a1", "a2", "b1", "b2"]
    lay = layout(nodes, [("a1", "b2"), ("a2", "b1")], {})
    a1, a2, b1, b2 = (lay.boxes[n].cx for n in nodes)
    assert (a1 < a2) == (b2 < b1)


def test_render_escapes_names_and_marks_states():
    svg = render(["<x&y>", "z"], [("<x&y>", "z")], {"z": "stage state-changed"})
    assert "&lt;x&amp;y&gt;" in svg and "<x&y>" not in svg
    assert 'class="node stage state-changed" data-name="z"' in svg
    assert svg.count('class="edge"') == 1


def test_json_answers_keep_non_finite_numbers_readable():
    assert to_json({"a": 1.5, "b": [1, None]}) == b'{"a":1.5,"b":[1,null]}'
    assert to_json({"acc": math.nan, "x": [math.inf]}) == b'{"acc":"nan","x":["inf"]}'


def test_error_answers_name_the_innermost_file_and_line():
    nested = PipelineError(
        "cannot read params file 'params.yaml': params.yaml:3: invalid YAML", where="trail.yaml:1"
    )
    assert error_body(nested)["error"]["file"] == "params.yaml"
    assert error_body(nested)["error"]["line"] == 3
    plain = ResultsFileError("m.json", "invalid JSON", 2)
    assert error_body(plain)["error"] == {
        "message": "m.json:2: invalid JSON",
        "type": "ResultsFileError",
        "file": "m.json",
        "line": 2,
    }
    assert error_status(UnsafePathError("../x", "the request")) == 403
    assert error_status(nested) == 409


def test_pages_are_found_in_order_and_may_not_take_each_others_names(tmp_path):
    import pytest

    pytest.importorskip("starlette", reason="the ui extra is not installed")
    from trail.dialect import TRAIL
    from trail.web.app import create_app
    from trail.web.page import Page, discover
    from trail.web.state import UiState

    pages = discover()
    assert [p.path for p in pages] == [
        "/experiments", "/compare", "/plots", "/pipeline", "/data", "/quality", "/runs", "/models"
    ]  # fmt: skip
    thief = Page("/thief", "Thief", "thief.js", api={"pipeline": lambda call: {}})
    ui = UiState(str(tmp_path), TRAIL, "token")  # building the routes reads nothing
    with pytest.raises(ValueError, match="'pipeline'"):
        create_app(ui, [*pages, thief])


def test_an_unknown_artifact_is_a_404_naming_no_file():
    from trail.registry.declared import UnknownArtifactError

    exc = UnknownArtifactError("nope", "the registry has no tag for it")
    assert error_status(exc) == 404
    body = error_body(exc)["error"]
    assert body["message"] == "unknown artifact 'nope': the registry has no tag for it"
    assert (body["file"], body["line"]) == (None, None)  # the reason is no place to show
