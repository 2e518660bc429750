"""One self-contained HTML page: every Vega-Lite spec with its data inlined, images as data
URIs, and the Vega / Vega-Lite / Vega-Embed JavaScript inlined from ``vl-convert-python`` —
nothing is fetched from the network when the page is opened."""

from __future__ import annotations

import base64
import html
import json
import os
from collections.abc import Sequence
from typing import Any

from trail.errors import TrailError
from trail.results.plots import Image, PlotData


class PlotsExtraMissingError(TrailError):
    def __init__(self) -> None:
        super().__init__(
            "drawing plots needs the 'plots' extra: pip install 'trail[plots]' "
            "(it provides vl-convert-python)"
        )


# The bundle's own snippet: make the three libraries reachable from the page's later script.
GLOBALS = "window.vegaEmbed = vegaEmbed; window.vegaLite = vegaLite; window.vega = vega;"


def javascript_bundle(cache_dir: str | None = None) -> str:
    """Vega, Vega-Lite and Vega-Embed as one script (set on ``window``). Bundling takes
    ~1.5 s, so the result is kept in ``cache_dir`` per vl-convert version."""
    try:
        import vl_convert
    except ImportError:
        raise PlotsExtraMissingError() from None
    version = getattr(vl_convert, "__version__", "unknown")
    path = os.path.join(cache_dir, f"vega-bundle-{version}.js") if cache_dir else None
    if path is not None and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return f.read()
    bundle = str(vl_convert.javascript_bundle(GLOBALS))
    if path is not None:
        from trail.fsutil import atomic_write_text

        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write_text(path, bundle)
    return bundle


def data_uri(image: Image) -> str:
    return f"data:{image.mime};base64,{base64.b64encode(image.data).decode('ascii')}"


def _script_json(value: Any) -> str:
    # Inside <script>, "</script" or "<!--" in the data would change how HTML parses the
    # rest; "<", ">" and "&" only occur inside JSON strings, where \uXXXX means the same.
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _images_html(plot: PlotData) -> str:
    figures = [
        f'<figure><img alt="{html.escape(i.path)}" src="{data_uri(i)}">'
        f"<figcaption>{html.escape(i.rev)}: {html.escape(i.path)}</figcaption></figure>"
        for i in plot.images
    ]
    return '<div class="images">' + "".join(figures) + "</div>"


STYLE = """body{font-family:system-ui,sans-serif;margin:2em}section{margin-bottom:3em}
.images{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}img{max-width:600px}
figcaption{font-size:.9em;color:#555}"""


PLACEHOLDER = "{plot_divs}"


def render_page(
    plots: Sequence[tuple[PlotData, dict[str, Any] | None]],
    bundle: str,
    template: str | None = None,
) -> str:
    """The page for ``plots``: each a (data, Vega-Lite spec or None for images) pair; in
    ``template``, a page of the user's, they replace ``{plot_divs}`` (scripts included)."""
    sections, specs = [], {}
    for n, (plot, spec) in enumerate(plots):
        head = f"<h2>{html.escape(plot.id)}</h2>"
        if spec is None:
            sections.append(f"<section>{head}{_images_html(plot)}</section>")
        else:
            specs[f"plot-{n}"] = spec
            sections.append(f'<section>{head}<div id="plot-{n}"></div></section>')
    embed = (
        f"const specs = {_script_json(specs)};\n"
        "for (const [id, spec] of Object.entries(specs)) {\n"
        '  vegaEmbed("#" + id, spec, {actions: false, renderer: "svg"});\n'
        "}"
    )
    safe_bundle = bundle.replace("</script", "<\\/script")
    if template is not None:
        body = (
            f"<script>{safe_bundle}</script>\n"
            + "\n".join(sections)
            + f"\n<script>\n{embed}\n</script>\n"
        )
        return template.replace(PLACEHOLDER, body)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>trail plots</title>\n<style>{STYLE}</style>\n"
        f"<script>{safe_bundle}</script>\n</head>\n<body>\n"
        + "\n".join(sections)
        + f"\n<script>\n{embed}\n</script>\n</body>\n</html>\n"
    )
