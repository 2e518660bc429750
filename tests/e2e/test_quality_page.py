"""The Quality page of ``trail ui`` in Chromium: a table's profile with its histograms, then
drift between its two versions with both histograms overlaid and the columns over a threshold
marked; no console error, nothing fetched beyond 127.0.0.1 (the ``watch`` fixture checks)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytest.importorskip("duckdb", reason="trail[data] is part of the test extra")

BARS = "svg g.mark-rect.role-mark path"


def test_profile_then_drift_with_histograms_overlaid(watch, ui_server, shots):
    page = watch(ui_server).open("/quality")
    page.click("#tables tr[data-path='raw/iris.csv']")
    expect(page.locator("#profile-summary")).to_contain_text("90 rows · 3 columns · csv")
    expect(page.locator("#profile tr[data-column]")).to_have_count(3)
    expect(page.locator("#profile tr[data-column='label'] td").nth(1)).to_have_text("string")
    expect(page.locator(f"#profile-charts figure[data-column='x'] {BARS}").first).to_be_attached()
    top = page.locator(f"#profile-charts figure[data-column='label'] {BARS}")
    expect(top).to_have_count(3)  # a, b and c
    expect(page).to_have_url(re.compile(r"path=raw%2Firis\.csv"))
    shots(page, "quality")

    # the baseline offered first is the version before the newest: "data v1, first run"
    expect(page.locator("#drift-base option:checked")).to_contain_text("data v1, first run")
    page.click("#drift-go")
    expect(page.locator("#drift-summary")).to_contain_text("60 → 90 rows")
    expect(page.locator("#drift-summary .badge")).to_have_text("drift")
    expect(page.locator("#drift tr[data-column]")).to_have_count(3)
    y = page.locator("#drift-charts figure[data-column='y']")
    expect(y).to_have_class(re.compile("crossed"))  # its KS is over the default 0.1
    expect(page.locator("#drift tr[data-column='y'] td.crossed")).to_have_count(1)
    expect(page.locator("#drift tr[data-column='x'] td.crossed")).to_have_count(0)
    expect(y.locator(".role-legend")).to_contain_text("baseline")
    expect(y.locator(".role-legend")).to_contain_text("current workspace")
    bars = y.locator(BARS)
    expect(bars.first).to_be_attached()
    assert bars.count() == 40  # 20 bins of each side, overlaid
    expect(page).to_have_url(re.compile("base=[0-9a-f]{40}&current=workspace"))
    page.evaluate("document.getElementById('drift-panel').scrollIntoView()")
    shots(page, "quality-drift")

    page.fill("[aria-label='psi threshold']", "0")  # any change of shares now crosses
    page.click("#drift-go")
    expect(page.locator("#drift-summary")).to_contain_text("thresholds psi 0 ·")
    expect(page.locator("#drift tr[data-column='x'] td.crossed")).to_have_count(1)
    expect(page.locator("#drift tr[data-column='label'] td.crossed")).to_have_count(0)
    expect(page.locator("#drift-charts figure[data-column='x']")).to_have_class(
        re.compile("crossed")
    )
