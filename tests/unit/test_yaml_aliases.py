"""Aliases: shared blocks read as before; a document that expands without bound is refused."""

from __future__ import annotations

import pytest

from trail import yamlio
from trail.results.loaders import ResultsFileError
from trail.results.loaders import load_yaml as load_results


def laughs(levels: int, width: int = 9) -> str:
    """A "billion laughs": each level lists ``width`` aliases of the level below."""
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\nlr: 1\n"


def test_shared_blocks_and_merge_keys_still_read():
    text = "base: &b {lr: 1, layers: [1, 2]}\ntrain:\n  <<: *b\n  lr: 2\nother: *b\n"
    data, _marks = yamlio.load_with_nodes(text, "p.yaml", core=True)
    assert data["train"] == {"lr": 2, "layers": [1, 2]}
    assert data["other"] == {"lr": 1, "layers": [1, 2]}


def test_a_modest_fan_out_is_fine():
    data, _marks = yamlio.load_with_nodes(laughs(4), "p.yaml", core=True)  # 9^4 values
    assert data["lr"] == 1


@pytest.mark.parametrize("core", [True, False])
def test_billion_laughs_is_refused_naming_the_line(core):
    with pytest.raises(yamlio.YamlError, match=r"^p.yaml:\d+: aliases expand to more than"):
        yamlio.load_with_nodes(laughs(9), "p.yaml", core=core)


def test_params_and_metrics_reader_refuses_it_too():
    with pytest.raises(ResultsFileError, match=r"^m.yaml:\d+: aliases expand"):
        load_results("m.yaml", laughs(9))


def test_a_recursive_alias_is_refused():
    with pytest.raises(yamlio.YamlError, match=r"^p.yaml:1: a recursive alias"):
        yamlio.load_with_nodes("a: &a [1, *a]\n", "p.yaml", core=True)


def test_a_refused_document_is_never_remembered(tmp_path):
    yamlio.remember_parses_in(str(tmp_path))
    try:
        for _ in range(2):  # the second read must check again, not recall a parse
            with pytest.raises(yamlio.YamlError, match="aliases expand"):
                yamlio.load_with_nodes(laughs(9), "p.yaml", core=True)
    finally:
        yamlio.remember_parses_in(None)
