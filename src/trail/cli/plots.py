"""``plots show``, ``plots diff``, ``plots templates`` and ``plots modify``: write the HTML
page (or print DVC's JSON with ``--json``)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from trail.cli.plots_edit import overrides as _overrides
from trail.cli.plots_edit import register_edit
from trail.cli.ui import Console

NO_PLOTS = "No plots were loaded, visualization file will not be created."


def register_plots(sub: Any, common: argparse.ArgumentParser) -> None:
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("-o", "--out", metavar="DIR", help="where to write index.html")
    out.add_argument("--open", action="store_true", help="open the page in a browser")
    out.add_argument(
        "--json", action="store_true", help="print DVC's JSON (specs, image files) instead"
    )
    props = argparse.ArgumentParser(add_help=False)
    props.add_argument("-t", "--template", metavar="NAME", help="draw with this template")
    props.add_argument("-x", metavar="FIELD", help="the x field")
    props.add_argument("-y", metavar="FIELD", help="the y field")
    props.add_argument("--no-header", action="store_true", help="CSV/TSV files have no header")
    props.add_argument("--title", metavar="TEXT", help="the plot's title")
    props.add_argument("--x-label", metavar="TEXT", help="the x axis label")
    props.add_argument("--y-label", metavar="TEXT", help="the y axis label")
    out.add_argument(
        "--show-vega", action="store_true", help="print the Vega-Lite spec of the one target"
    )
    out.add_argument("--html-template", help="an HTML page whose {plot_divs} gets the plots")

    p = sub.add_parser("plots", parents=[common], help="draw plots of revisions")
    psub = p.add_subparsers(dest="plots_command", metavar="<subcommand>", required=True)
    s = psub.add_parser("show", parents=[common, out, props], help="plots of the workspace")
    s.add_argument("targets", nargs="*", help="plot files or ids (default: those declared)")
    s.set_defaults(func=cmd_plots_show)
    s = psub.add_parser("diff", parents=[common, out, props], help="plots of revisions overlaid")
    s.add_argument("revisions", nargs="*", help="revisions (default: HEAD and the workspace)")
    s.add_argument("--targets", nargs="+", default=[], metavar="PATH", help="only these plots")
    s.set_defaults(func=cmd_plots_diff)
    register_edit(psub, common, props)


def cmd_plots_show(args: argparse.Namespace, console: Console) -> int:
    return _draw(args, console, args.targets, ["workspace"])


def cmd_plots_diff(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.plots import diff_revs

    return _draw(args, console, args.targets, diff_revs(args.revisions))


def _draw(args: argparse.Namespace, console: Console, targets: list[str], revs: list[str]) -> int:
    from trail.cli.repos import open_repo
    from trail.ops.plots import default_dir, plots_json, plots_show, write_html

    if args.show_vega and len(targets) != 1:
        from trail.errors import UsageError

        raise UsageError("--show-vega needs exactly one target, a plot drawn as a chart")
    template = _read_template(args.html_template)
    repo = open_repo()
    result = plots_show(repo, targets, revs=revs, overrides=_overrides(args))
    out_dir = args.out or default_dir(repo)
    if args.json:
        console.json(plots_json(result, out_dir))
        return 0
    if args.show_vega:
        return _show_vega(result, targets, console)
    for failure in result.failures:  # as DVC: what can be drawn is drawn, exit code 0
        console.err(f"WARNING: plot '{failure.plot}' at {failure.rev}: {failure.message}")
    if not any(r.spec is not None or r.data.images for r in result.plots):
        console.err(NO_PLOTS)
        return 0
    path = write_html(result, out_dir, os.path.join(repo.private_dir, "plots"), template)
    console.out(f"file://{os.path.abspath(path)}")
    if args.open:
        import webbrowser

        webbrowser.open(f"file://{os.path.abspath(path)}")
    return 0


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
