"""Entry point: ``trail [-v|-q] <command> …``. Exit codes: 0 ok, 1 error, 2 usage, 3 config,
130 interrupted. Errors are one line; tracebacks only with ``-v``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from trail import __version__
from trail.cli import admin, data
from trail.cli.ui import Console


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"ERROR: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="show tracebacks and details")
    common.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    parser = _Parser(
        prog="trail",
        description="Version data and models beside Git; works in trail and DVC repositories.",
        parents=[common],
    )
    parser.add_argument("-V", "--version", action="version", version=f"trail {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<command>", parser_class=_Parser)
    for module in (admin, data):
        module.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    console = Console(quiet=args.quiet, verbose=args.verbose)
    try:
        return int(args.func(args, console) or 0)
    except KeyboardInterrupt:
        console.err("ERROR: interrupted")
        return 130
    except Exception as exc:  # the one place errors become exit codes
        return _report(exc, console)


def _report(exc: Exception, console: Console) -> int:
    from trail.errors import TrailError

    if console.verbose:
        import traceback

        traceback.print_exc()
    if isinstance(exc, TrailError):
        console.err(f"ERROR: {exc}")
        return exc.exit_code
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        console.err(f"ERROR: {exc.strerror or exc}{where}")
        return 1
    console.err(f"ERROR: unexpected error: {exc!r} (run again with -v for details)")
    return 1


def run() -> None:
    sys.exit(main())
