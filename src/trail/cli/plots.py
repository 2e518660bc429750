"""``plots show``, ``plots diff``, ``plots templates`` and ``plots modify``: write the HTML
page (or print DVC's JSON with ``--json``)."""

from __future__ import annotations

import argparse
import os
from typing import Any

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

    p = sub.add_parser("plots", parents=[common], help="draw plots of revisions")
    psub = p.add_subparsers(dest="plots_command", metavar="<subcommand>", required=True)
    s = psub.add_parser("show", parents=[common, out, props], help="plots of the workspace")
    s.add_argument("targets", nargs="*", help="plot files or ids (default: those declared)")
    s.set_defaults(func=cmd_plots_show)
    s = psub.add_parser("diff", parents=[common, out, props], help="plots of revisions overlaid")
    s.add_argument("revisions", nargs="*", help="revisions (default: HEAD and the workspace)")
    s.add_argument("--targets", nargs="+", default=[], metavar="PATH", help="only these plots")
    s.set_defaults(func=cmd_plots_diff)
    from trail.cli.plots_edit import register_edit

    register_edit(psub, common, props)


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    found = {
        "template": args.template,
        "x": args.x,
        "y": args.y,
        "title": args.title,
        "x_label": args.x_label,
        "y_label": args.y_label,
    }
    out: dict[str, Any] = {k: v for k, v in found.items() if v is not None}
    if args.no_header:
        out["header"] = False
    return out


def cmd_plots_show(args: argparse.Namespace, console: Console) -> int:
    return _draw(args, console, args.targets, ["workspace"])


def cmd_plots_diff(args: argparse.Namespace, console: Console) -> int:
    from trail.ops.plots import diff_revs

    return _draw(args, console, args.targets, diff_revs(args.revisions))


def _draw(args: argparse.Namespace, console: Console, targets: list[str], revs: list[str]) -> int:
    from trail.ops.plots import default_dir, plots_json, plots_show, write_html
    from trail.repo import Repo

    repo = Repo.find(".")
    result = plots_show(repo, targets, revs=revs, overrides=_overrides(args))
    out_dir = args.out or default_dir(repo)
    if args.json:
        console.json(plots_json(result, out_dir))
        return 0
    for failure in result.failures:  # as DVC: what can be drawn is drawn, exit code 0
        console.err(f"WARNING: plot '{failure.plot}' at {failure.rev}: {failure.message}")
    if not any(r.spec is not None or r.data.images for r in result.plots):
        console.err(NO_PLOTS)
        return 0
    path = write_html(result, out_dir, os.path.join(repo.private_dir, "plots"))
    console.out(f"file://{os.path.abspath(path)}")
    if args.open:
        import webbrowser

        webbrowser.open(f"file://{os.path.abspath(path)}")
    return 0
