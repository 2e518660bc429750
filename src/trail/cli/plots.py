"""``plots show`` and ``plots diff``: write the HTML page (or print the specs with --json)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from trail.cli.ui import Console


def register_plots(sub: Any, common: argparse.ArgumentParser) -> None:
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("-o", "--out", metavar="DIR", help="where to write index.html (trail_plots)")
    out.add_argument("--open", action="store_true", help="open the page in a browser")
    out.add_argument("--json", action="store_true", help="print the specs instead")
    out.add_argument("-t", "--template", help="the template of every plot (linear, scatter …)")
    out.add_argument("-x", help="the field on the x axis")
    out.add_argument("-y", help="the field on the y axis")
    out.add_argument("--x-label", help="the x axis' title")
    out.add_argument("--y-label", help="the y axis' title")
    out.add_argument("--title", help="the plots' title")
    out.add_argument(
        "--show-vega", action="store_true", help="print the Vega-Lite spec of the one target"
    )
    out.add_argument("--html-template", help="an HTML page whose {plot_divs} gets the plots")

    p = sub.add_parser("plots", parents=[common], help="draw plots of revisions")
    psub = p.add_subparsers(dest="plots_command", metavar="<subcommand>", required=True)
    s = psub.add_parser("show", parents=[common, out], help="plots of the workspace")
    s.add_argument("targets", nargs="*", help="plot files or ids (default: those declared)")
    s.set_defaults(func=cmd_plots_show)
    s = psub.add_parser("diff", parents=[common, out], help="plots of revisions overlaid")
    s.add_argument("revisions", nargs="*", help="revisions (default: HEAD and the workspace)")
    s.add_argument("--targets", nargs="+", default=[], metavar="PATH", help="only these plots")
    s.set_defaults(func=cmd_plots_diff)


def cmd_plots_show(args: argparse.Namespace, console: Console) -> int:
    return _draw(args, console, args.targets, ["workspace"])


def cmd_plots_diff(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.plots import diff_revs

    return _draw(args, console, args.targets, diff_revs(args.revisions))


def _draw(args: argparse.Namespace, console: Console, targets: list[str], revs: list[str]) -> int:
    from trail.cli.repos import open_repo
    from trail.ops.plots import DEFAULT_DIR, plots_show, write_html

    if args.show_vega and len(targets) != 1:
        from trail.errors import UsageError

        raise UsageError("--show-vega needs exactly one target, a plot drawn as a chart")
    repo = open_repo()
    result = plots_show(repo, targets, revs=revs, props=_props(args))
    if args.json:
        console.json(_as_json(result))
        return 0
    if args.show_vega:
        return _show_vega(result, targets, console)
    template = _read_template(args.html_template)
    cache = os.path.join(repo.private_dir, "plots")
    path = write_html(result, args.out or DEFAULT_DIR, cache, template)
    console.out(f"file://{_abspath(path)}")
    if args.open:
        import webbrowser

        webbrowser.open(f"file://{_abspath(path)}")
    return 0


def _props(args: argparse.Namespace) -> dict[str, Any]:
    """Props given on the command line, in the pipeline file's names."""
    given = {
        "template": args.template,
        "x": args.x,
        "y": args.y,
        "x_label": args.x_label,
        "y_label": args.y_label,
        "title": args.title,
    }
    return {k: v for k, v in given.items() if v is not None}


def _show_vega(result: Any, targets: list[str], console: Console) -> int:
    from trail.errors import UsageError

    specs = [p.spec for p in result.plots if p.spec is not None]
    if len(targets) != 1 or len(specs) != 1:
        raise UsageError("--show-vega needs exactly one target, a plot drawn as a chart")
    console.json(specs[0])
    return 0


def _read_template(path: str | None) -> str | None:
    if path is None:
        return None
    from trail.errors import UsageError
    from trail.results.html import PLACEHOLDER

    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise UsageError(f"--html-template {path}: {exc.strerror}") from None
    if PLACEHOLDER not in text:
        raise UsageError(f"--html-template {path}: it has no {PLACEHOLDER} for the plots")
    return text


def _abspath(path: str) -> str:
    return os.path.abspath(path)


def _as_json(result: Any) -> dict[str, Any]:
    """``{plot id: [{"type": "vega", "revisions": [...], "content": spec}]}``; images are
    ``{"type": "image", "revisions": [rev], "path": ..., "url": data URI}``."""
    from trail.results.html import data_uri

    out: dict[str, Any] = {}
    for plot in result.plots:
        if plot.spec is not None:
            entry = {"type": "vega", "revisions": list(plot.data.revs), "content": plot.spec}
            out[plot.data.id] = [entry]
        else:
            out[plot.data.id] = [
                {"type": "image", "revisions": [i.rev], "path": i.path, "url": data_uri(i)}
                for i in plot.data.images
            ]
    return out
