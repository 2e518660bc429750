"""The Models page of ``trail ui`` in Chromium: the artifact with its stage holders, its versions
and history, a version's lineage graph with a stage's command, deps (code or data) and params;
a stage assigned from the page after its confirmation, a tag made by the command seen without a
reload, and a refused action in the error panel. No console error, nothing fetched beyond
127.0.0.1 (the ``watch`` fixture checks)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from trail.testing.webui import run, trail_exe


def test_versions_stages_lineage_and_an_assignment(watch, models_server, shots):
    w = watch(models_server)
    page = w.open("/models")
    row = page.locator("#models tr[data-name='clf']")
    expect(row.locator("td.latest")).to_have_text("v1.1.0")
    expect(row.locator(".stage-holder[data-stage='prod']")).to_have_text("prod v1.0.0")
    expect(page.locator("#versions tr[data-version]")).to_have_count(2)  # the only one: shown
    expect(page.locator("#versions tr[data-version='v1.0.0'] td.holds")).to_have_text("prod")
    expect(page.locator("#history tr[data-event]")).to_have_count(4)
    expect(page.locator("#lineage h2")).to_contain_text("Lineage of clf v1.1.0")
    expect(page.locator("#lineage-dag svg g.node")).to_have_count(4)  # raw, prepare, train, clf
    expect(page.locator("#lineage-dag svg path.edge")).to_have_count(3)
    details = page.locator("#lineage-node")  # the stage that made it, first
    expect(details).to_contain_text("python3 src/train.py 0.9 5")
    expect(details.locator("#node-deps tr[data-path='src/train.py'] .badge")).to_have_text("code")
    expect(details.locator("#node-deps tr[data-path='data'] .badge")).to_have_text("data")
    shrink = details.locator("#node-params tr[data-param='train.shrink'] td").last
    expect(shrink).to_have_text("0.9")
    expect(page.locator("#metrics tr[data-metric='accuracy']")).to_have_count(1)
    shots(page, "models")

    page.click("#versions tr[data-version='v1.0.0']")
    expect(page.locator("#lineage h2")).to_contain_text("Lineage of clf v1.0.0")
    expect(page).to_have_url(re.compile(r"name=clf&version=v1\.0\.0"))
    expect(details).to_contain_text("python3 src/train.py 1.0 5")
    page.click("#lineage-dag g.node[data-name='data:raw']")
    expect(details).to_contain_text("Tracked data raw")
    expect(details).to_contain_text("raw.trail")
    page.click("#lineage-dag g.node[data-name='stage:train']")
    page.evaluate("document.getElementById('lineage').scrollIntoView()")
    shots(page, "models-lineage")

    page.select_option("#assign-version", "v1.1.0")
    page.fill("#assign-stage", "prod")
    page.click("#assign")
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_contain_text("Assign stage 'prod' to clf v1.1.0?")
    dialog.locator("button.primary").click()
    expect(page.locator(".note")).to_contain_text("'clf#prod#3'")
    expect(row.locator(".stage-holder[data-stage='prod']")).to_have_text("prod v1.1.0")
    expect(page.locator("#stages tr[data-stage='prod']")).to_contain_text("v1.1.0")

    run([trail_exe(), "artifacts", "unassign", "clf", "--stage", "dev"], models_server.root)
    expect(page.locator("#stages tr[data-stage='dev']")).to_have_count(0)  # no reload
    expect(page.locator("#history tr[data-event='unassignment']")).to_have_count(1)

    page.click("#assign")  # v1.1.0 holds prod already
    dialog.locator("button.primary").click()
    expect(page.locator("#errors")).to_contain_text("is already in stage 'prod'")
    w.errors = [e for e in w.errors if "409" not in e]  # the refused answer itself
