"""plots show|diff: a self-contained HTML page with valid Vega-Lite specs, data inlined."""

from __future__ import annotations

import base64
import json
import pathlib
import re

import pytest

vl_convert = pytest.importorskip("vl_convert")

PIPELINE = """\
stages:
  train:
    cmd: python train.py
    plots:
    - confusion.json:
        template: confusion
        x: actual
        y: predicted
    - images
plots:
- log.csv:  # several y columns: a top-level definition (a stage's plot takes one, as in DVC)
    x: epoch
    y: [acc, loss]
    title: Training
- compare:
    x: epoch
    y:
      log.csv: acc
      val.tsv: acc
    template: smooth
    x_label: Epoch
    y_label: Accuracy
- importance.yaml:
    template: bar_horizontal_sorted
    x: weight
    y: feature
"""
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


@pytest.fixture
def plots_repo(trail_repo):
    trail_repo.scm_gen(
        {
            "trail.yaml": PIPELINE,
            "log.csv": "epoch,acc,loss\n0,0.1,1.0\n1,0.4,0.7\n",
            "val.tsv": "epoch\tacc\n0\t0.05\n1\t0.3\n",
            "confusion.json": json.dumps(
                [{"actual": a, "predicted": p} for a, p in ["cc", "cd", "dd", "dd"]]
            ),
            "importance.yaml": "- {feature: age, weight: 0.5}\n- {feature: zip, weight: 0.2}\n",
            "images": {"roc.png": PNG, "pr.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"},
        },
        commit="first run",
    )
    trail_repo.gen("log.csv", "epoch,acc,loss\n0,0.2,0.9\n1,0.6,0.5\n2,0.7,0.4\n")
    return trail_repo


def _specs(page: str) -> dict:
    found = re.search(r"const specs = (\{.*?\});\n", page, re.S)
    assert found, "no specs in the page"
    return json.loads(found[1])


def test_show_writes_one_self_contained_page(plots_repo, trail):
    res = trail("plots", "show")
    assert res.code == 0, res.err
    page = (plots_repo / "trail_plots" / "index.html").read_text()
    assert "file://" in res.out and res.out.strip().endswith("trail_plots/index.html")
    assert not re.search(r"<script[^>]*\bsrc=", page)  # every script is inline
    assert not re.search(r"""src=["']https?://""", page)
    assert "vegaEmbed" in page and len(page) > 500_000  # the libraries are inlined
    specs = _specs(page)
    titles = sorted(s["title"] for s in specs.values())
    assert titles == ["Training", "compare", "confusion.json", "importance.yaml"]
    for spec in specs.values():
        assert spec["data"]["values"], spec["title"]  # data inlined, not fetched
    assert page.count('src="data:image/png;base64,') == 1
    assert page.count('src="data:image/svg+xml;base64,') == 1
    (bundle,) = (plots_repo / ".trail" / "tmp" / "plots").glob("vega-bundle-*.js")
    assert bundle.read_text() in page  # kept for the next run: bundling is slow
    assert trail("plots", "show", "-o", "again").code == 0
    assert (plots_repo / "again" / "index.html").read_text() == page


def test_every_spec_renders_to_svg(plots_repo, trail):
    assert trail("plots", "show", "-o", "out").code == 0
    specs = _specs((plots_repo / "out" / "index.html").read_text())
    for spec in specs.values():
        svg = vl_convert.vegalite_to_svg(spec)
        assert svg.startswith("<svg") and "</svg>" in svg


@pytest.mark.parametrize(
    "template",
    [
        "simple",
        "linear",
        "scatter",
        "smooth",
        "confusion",
        "confusion_normalized",
        "scatter_jitter",
        "bar_horizontal",
        "bar_horizontal_sorted",
    ],
)
def test_each_template_is_valid_vega_lite(trail_repo, trail, template):
    trail_repo.gen(
        {
            "trail.yaml": f"plots:\n- p.csv:\n    template: {template}\n    x: a\n    y: b\n",
            "p.csv": "a,b\n1,2\n2,1\n1,1\n",
        }
    )
    res = trail("plots", "show", "--json")
    assert res.code == 0, res.err
    (entry,) = json.loads(res.out)["data"]["p.csv"]
    assert entry["type"] == "vega" and entry["revisions"] == ["workspace"]
    assert "<svg" in vl_convert.vegalite_to_svg(entry["content"])


def test_diff_overlays_revisions(plots_repo, trail):
    res = trail("plots", "diff", "--json", "--targets", "log.csv")
    assert res.code == 0, res.err
    out = json.loads(res.out)["data"]
    assert list(out) == ["log.csv"]
    assert out["log.csv"][0]["revisions"] == ["workspace", "HEAD"]  # DVC's order
    spec = out["log.csv"][0]["content"]
    rows = spec["data"]["values"]
    assert {r["rev"] for r in rows} == {"HEAD", "workspace"}
    assert {r["series"] for r in rows} == {
        "HEAD · acc",
        "HEAD · loss",
        "workspace · acc",
        "workspace · loss",
    }
    assert spec["encoding"]["color"]["field"] == "series"
    assert "<svg" in vl_convert.vegalite_to_svg(spec)


def test_top_level_plot_reads_several_files(plots_repo, trail):
    out = json.loads(trail("plots", "show", "compare", "--json").out)["data"]
    spec = out["compare"][0]["content"]
    assert {r["file"] for r in spec["data"]["values"]} == {"log.csv", "val.tsv"}
    assert spec["layer"][0]["encoding"]["x"]["title"] == "Epoch"
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Accuracy"


def test_images_in_json_and_diff(plots_repo, trail):
    args = ("plots", "diff", "--json", "-o", "out", "--targets", "images/roc.png")
    out = json.loads(trail(*args).out)["data"]
    assert [(e["type"], e["revisions"]) for e in out["images/roc.png"]] == [
        ("image", ["workspace"]),
        ("image", ["HEAD"]),
    ]
    # as DVC: each image written beside the page, named by revision and path
    url = out["images/roc.png"][1]["url"]
    assert url == str(plots_repo / "out" / "HEAD_images_roc.png")
    assert pathlib.Path(url).read_bytes() == PNG


def _one_error_line(res, *needles):
    assert res.code == 1
    lines = [ln for ln in res.err.splitlines() if ln.strip()]
    assert len(lines) == 1, res.err
    assert lines[0].startswith("ERROR: ") and "Traceback" not in res.err
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_unknown_template_writes_nothing(plots_repo, trail):
    plots_repo.gen("trail.yaml", "plots:\n- log.csv:\n    template: pie\n")
    res = trail("plots", "show")
    _one_error_line(res, "plot 'log.csv': unknown template 'pie'", "known: simple, linear")
    assert not (plots_repo / "trail_plots").exists()


def test_missing_target_and_unknown_revision(plots_repo, trail):
    res = trail("plots", "show", "nope.csv")  # as DVC: a warning, nothing to draw, exit 0
    assert res.code == 0 and "No plots were loaded" in res.err
    assert "plot 'nope.csv' at workspace: [Errno 2] No such file" in res.err
    _one_error_line(trail("plots", "diff", "nosuchrev"), "unknown revision 'nosuchrev'")
    assert not (plots_repo / "trail_plots").exists()


def test_what_can_be_drawn_is_drawn(plots_repo, trail):
    plots_repo.gen("log.csv", "epoch,acc\n1\n")
    res = trail("plots", "show", "--json", "log.csv", "val.tsv", "gone.csv")
    assert res.code == 0, res.err
    out = json.loads(res.out)
    assert [(e["name"], e["type"]) for e in out["errors"]] == [
        ("log.csv", "ResultsFileError"),
        ("gone.csv", "FileNotFoundError"),
    ]
    assert "log.csv:2: row has 1 fields" in out["errors"][0]["msg"]
    assert out["data"]["log.csv"] == [] and out["data"]["val.tsv"][0]["type"] == "vega"
    res = trail("plots", "show", "log.csv", "val.tsv")
    assert res.code == 0 and "log.csv:2: row has 1 fields" in res.err
    assert (plots_repo / "trail_plots" / "index.html").exists()


def test_missing_extra_is_named(plots_repo, trail, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "vl_convert", None)  # as if not installed
    res = trail("plots", "show")
    _one_error_line(res, "needs the 'plots' extra", "pip install 'trail[plots]'")
    assert not (plots_repo / "trail_plots").exists()


def test_csv_without_header(trail_repo, trail):
    trail_repo.gen(
        {
            # ``header`` is a stage plot's prop (DVC refuses it at the top level)
            "trail.yaml": "stages:\n  s:\n    cmd: x\n    plots:\n"
            "    - p.csv: {header: false, x: '0', y: '1', cache: false}\n",
            "p.csv": "1,0.5\n2,0.25\n",
        }
    )
    res = trail("plots", "show", "--json")
    assert res.code == 0, res.err
    rows = json.loads(res.out)["data"]["p.csv"][0]["content"]["data"]["values"]
    assert [(r["x"], r["y"]) for r in rows] == [(1, 0.5), (2, 0.25)]


def test_open_hands_the_page_to_the_browser(plots_repo, tmp_path):
    """``--open`` goes through the standard browser hook ($BROWSER), here a recorder."""
    import os
    import subprocess
    import sys

    from trail.testing.plugin import trail_exe

    record = tmp_path / "opened.txt"
    script = tmp_path / "browser.py"
    script.write_text(f"import sys; open({str(record)!r}, 'w').write(sys.argv[1])\n")
    env = {**os.environ, "BROWSER": f"{sys.executable} {script} %s"}
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(var, None)
    proc = subprocess.run(
        [trail_exe(), "plots", "show", "--open"], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    url = proc.stdout.strip()
    assert url.startswith("file://") and url.endswith("trail_plots/index.html")
    assert record.read_text() == url  # a $BROWSER command is waited for


def test_confusion_diff_is_one_matrix_per_revision(plots_repo, trail):
    plots_repo.gen("confusion.json", json.dumps([{"actual": "c", "predicted": "d"}]))
    out = json.loads(trail("plots", "diff", "--json", "--targets", "confusion.json").out)
    spec = out["data"]["confusion.json"][0]["content"]
    assert spec["facet"]["field"] == "series" and spec["spec"]["width"] == 300
    assert "<svg" in vl_convert.vegalite_to_svg(spec)


def test_no_plots_declared(trail_repo, trail):
    res = trail("plots", "show")  # as DVC: said, exit 0, nothing written
    assert res.code == 0 and "No plots were loaded" in res.err
    assert trail("plots", "show", "--json").out.strip() == "{}"
    assert not (trail_repo / "trail_plots").exists()
