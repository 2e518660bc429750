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
    from trail.ops.plots import DEFAULT_DIR, plots_show, write_html
    from trail.repo import Repo

    repo = Repo.find(".")
    result = plots_show(repo, targets, revs=revs)
    if args.json:
        console.json(_as_json(result))
        return 0
    path = write_html(result, args.out or DEFAULT_DIR, os.path.join(repo.private_dir, "plots"))
    console.out(f"file://{_abspath(path)}")
    if args.open:
        import webbrowser

        webbrowser.open(f"file://{_abspath(path)}")
    return 0


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
