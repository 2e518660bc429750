"""``plots templates`` (list the templates, or print one's Vega-Lite spec) and ``plots modify``
(change a stage plot's display properties in the pipeline file)."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console


def register_edit(psub: Any, common: argparse.ArgumentParser, props: Any) -> None:
    t = psub.add_parser("templates", parents=[common], help="list templates, or print one")
    t.add_argument("template", nargs="?", help="print this template's Vega-Lite spec")
    t.set_defaults(func=cmd_templates)
    m = psub.add_parser("modify", parents=[common, props], help="set a plot's display props")
    m.add_argument("target", help="a plots file a stage declares")
    m.add_argument(
        "--unset", nargs="*", default=[], metavar="PROP", help="drop these display props"
    )
    m.set_defaults(func=cmd_modify)


def cmd_templates(args: argparse.Namespace, console: Console) -> int:
    from trail.results.templates import TEMPLATES, template_spec

    if args.template is None:
        for name in TEMPLATES:
            console.data(name)
        return 0
    console.json(template_spec(args.template))
    return 0


def cmd_modify(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo
    from trail.ops.plots_modify import modify

    repo = open_repo()
    done = modify(repo, args.target, overrides(args), args.unset)
    console.out(f"Modifying stage '{done.stage}' in '{done.file}'")
    return 0


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The display props given on the command line, in the pipeline file's names."""
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
