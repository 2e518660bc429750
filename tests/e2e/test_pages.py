"""Each page of ``trail ui`` in Chromium: loaded, its content there, no console error, nothing
fetched beyond 127.0.0.1; and one live update (a queued experiment appears, runs, shows its
metric) without a reload."""

from __future__ import annotations

import re

from playwright.sync_api import expect

ROW = ".grid .row[data-name='{}']"


def test_experiments_table(watch, ui_server, shots):
    page = watch(ui_server).open("/experiments")
    for name in ("workspace", "main", "shrunk", "grown", "first-try"):
        expect(page.locator(ROW.format(name))).to_have_count(1)
    header = page.locator(".grid .ghead .cell", has_text="accuracy")
    expect(header).to_have_count(1)
    shots(page, "experiments")
    page.fill("input.filter", "train.shrink > 1")
    expect(page.locator(ROW.format("grown"))).to_have_count(1)
    expect(page.locator(ROW.format("shrunk"))).to_have_count(0)
    page.fill("input.filter", "")
    header.click()  # sort by accuracy, within each baseline
    expect(header).to_have_class(re.compile("sorted-asc"))
    expect(page.locator(".grid .ghead .cell", has_text="prepare.seed")).to_have_count(1)
    page.check("text=only changed columns")
    expect(page.locator(".grid .ghead .cell", has_text="prepare.seed")).to_have_count(0)
    page.uncheck("text=only changed columns")


def test_compare_two_experiments(watch, ui_server, shots):
    page = watch(ui_server).open("/experiments")
    page.check("[aria-label='select shrunk']")
    page.check("[aria-label='select grown']")
    page.click("#compare")
    expect(page).to_have_url(
        re.compile(r"/compare\?exp=grown&exp=shrunk|/compare\?exp=shrunk&exp=grown")
    )
    table = page.locator("table.side-by-side")
    expect(table.locator("tr.differs", has_text="train.shrink")).to_have_count(1)
    expect(table.locator("tr.differs", has_text="prepare.seed")).to_have_count(0)
    expect(page.locator("#parallel svg g.mark-line.role-mark path").first).to_be_attached()
    expect(page.locator("#scatter svg g.mark-symbol.role-mark path")).to_have_count(2)
    expect(page.locator("figure.plot[data-id='train_log.csv'] svg")).to_be_attached()
    shots(page, "compare")


def test_plots_of_chosen_revisions(watch, ui_server, shots):
    page = watch(ui_server).open("/plots?rev=HEAD&rev=workspace")
    chart = page.locator("figure.plot[data-id='train_log.csv'] svg")
    expect(chart).to_be_attached()
    expect(page.locator("figure.plot[data-id='confusion.csv'] svg")).to_be_attached()
    page.fill("[aria-label='add revision']", "grown")
    page.press("[aria-label='add revision']", "Enter")
    legend = page.locator("figure.plot[data-id='train_log.csv'] svg .role-legend")
    expect(legend).to_contain_text("grown")
    expect(page).to_have_url(re.compile("rev=grown"))
    expect(page.locator(".revs label", has_text="grown").locator("input")).to_be_checked()
    shots(page, "plots")


def test_pipeline_graph_and_a_stage(watch, ui_server, shots):
    page = watch(ui_server).open("/pipeline")
    nodes = page.locator("#dag svg g.node")
    expect(nodes).to_have_count(4)
    for name in ("prepare", "train", "evaluate", "raw.trail"):
        expect(page.locator(f"#dag g.node.state-up-to-date[data-name='{name}']")).to_have_count(1)
    page.click("#dag g.node[data-name='train']")
    details = page.locator("#stage")
    expect(details).to_contain_text("python3 src/train.py 1.0 5")
    expect(details).to_contain_text("train.shrink")
    expect(details.locator("pre.log").last).to_contain_text("trained 3 centroids")
    shots(page, "pipeline")


def test_data_versions_browse_and_preview(watch, ui_server, shots):
    page = watch(ui_server).open("/data")
    page.click("#outputs tr[data-path='raw']")
    expect(page.locator("#history tr")).to_have_count(3)  # header and two versions
    expect(page.locator("#history")).to_contain_text("data v1, first run")
    page.click("#entries tr[data-path='raw/iris.csv']")
    expect(page.locator("#preview-table th").first).to_have_text("x")
    download = page.locator("a", has_text="Download")
    expect(download).to_have_attribute("href", re.compile("download=1"))
    shots(page, "data")
    page.click("#diff-go")
    expect(page.locator("#diff")).to_contain_text("raw/iris.csv")
    page.click("#entries tr[data-path='raw/images']")
    page.click("#entries tr[data-path='raw/images/sample.png']")
    expect(page.locator(".preview img")).to_be_visible()
    page.wait_for_function(  # the 8×8 PNG, decoded: its bytes came through whole
        "() => { const i = document.querySelector('.preview img');"
        " return i && i.complete && i.naturalWidth === 8; }"
    )


def test_runs_and_stage_logs(watch, ui_server, shots):
    page = watch(ui_server).open("/runs")
    expect(page.locator("#worker")).to_have_text("Worker not running")
    page.click("#stage-runs tr[data-stage='train']")
    expect(page.locator("#log")).to_contain_text("trained 3 centroids")


def test_a_broken_pipeline_shows_its_file_and_line_and_other_pages_work(watch, own_server):
    def break_it(root):
        text = (root / "trail.yaml").read_text().replace("    outs: [model.json]", "    outz: [x]")
        (root / "trail.yaml").write_text(text)

    server = own_server(read_only=True, before=break_it)
    w = watch(server)
    page = w.open("/pipeline")
    expect(page.locator("#errors")).to_be_visible()
    expect(page.locator("#errors code.where")).to_have_text("trail.yaml:11")
    page = w.open("/experiments")
    expect(page.locator(ROW.format("shrunk"))).to_have_count(1)
    expect(page.locator("#errors")).to_contain_text("trail.yaml:11")
    expect(page.locator("#queue")).to_have_count(0)  # read-only: no actions
    w.errors = [e for e in w.errors if "409" not in e]  # the refused API answer itself


def test_live_a_queued_experiment_appears_runs_and_shows_its_metric(watch, own_server, shots):
    w = watch(own_server())
    page = w.open("/experiments")
    page.click("#queue")
    page.fill("input[name='params.yaml:train.shrink']", "0.7")
    page.fill("input[name='exp-name']", "live-one")
    page.click("form.queue button[type=submit]")
    row = page.locator(ROW.format("live-one"))
    expect(row.locator(".badge")).to_have_text("queued")
    page.click("#run-queue")
    expect(row.locator(".badge")).to_have_count(0, timeout=120_000)  # an experiment now
    expect(row).to_have_class(re.compile("experiment"))
    column = page.locator(".grid .ghead .cell").all_inner_texts().index("accuracy")
    metric = row.locator(".cell").nth(column)
    expect(metric).to_have_text(re.compile(r"^0\.\d+$"))
    # then apply it, confirming in the dialog; the workspace row takes its params
    page.check("[aria-label='select live-one']")
    page.click("#apply")
    page.click("dialog.confirm button.primary")
    expect(page.locator(".note", has_text="Applied 'live-one'")).to_have_count(1)
    shrink = page.locator(".grid .ghead .cell").all_inner_texts().index("train.shrink")
    workspace = page.locator(ROW.format("workspace")).locator(".cell").nth(shrink)
    expect(workspace).to_have_text("0.7")
    # and its log, on the runs page
    w.open("/runs")
    page.locator("#queue tr", has_text="live-one").click()
    expect(page.locator("#log")).to_contain_text("trained 3 centroids")
    shots(page, "runs")
