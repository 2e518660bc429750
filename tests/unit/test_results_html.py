"""The HTML page: data can never close a script element or inject markup."""

from __future__ import annotations

import json
import re

from trail.results.html import render_page
from trail.results.plots import Image, PlotData

EVIL = "</script><script>alert(1)</script>"


def test_data_and_names_cannot_inject_markup():
    plot = PlotData(EVIL, {}, rows=({"rev": "w", "file": "f", "field": "y", "x": 0, "y": EVIL},))
    spec = {"title": EVIL, "data": {"values": list(plot.rows)}}
    image = PlotData(
        "<img src=x onerror=alert(1)>", {}, images=(Image(EVIL, "a.png", "image/png", b"\x89PNG"),)
    )
    page = render_page([(plot, spec), (image, None)], bundle="window.vegaEmbed = 1;")
    assert page.count("<script>") == 2 and page.count("</script>") == 2
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    embedded = re.search(r"const specs = (\{.*?\});\n", page, re.S)[1]
    assert json.loads(embedded)["plot-0"]["data"]["values"][0]["y"] == EVIL
