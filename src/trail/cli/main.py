"""Entry point: ``trail [-v|-q] <command> …``. Exit codes: 0 ok, 1 error, 2 usage, 3 config,
130 interrupted. Errors are one line; tracebacks only with ``-v``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from trail import __version__
from trail.cli import (
    admin,
    artifacts,
    bundle,
    data,
    experiments,
    imports,
    pipeline,
    queue,
    remote,
    repro,
    results,
    serve,
    tools,
    webui,
)
from trail.cli.ui import Console


class _Parser(argparse.ArgumentParser):
    last: _Parser | None = None  # the deepest (sub)command parser that parsed: its usage helps

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        _Parser.last = self
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> None:  # type: ignore[override]
        if message.startswith("unrecognized arguments") and _Parser.last is not None:
            _Parser.last.print_usage(sys.stderr)  # the command's own usage, as DVC prints it
        else:
            self.print_usage(sys.stderr)
        print(f"ERROR: {message}{_did_you_mean(self, message)}", file=sys.stderr)
        raise SystemExit(2)


def _did_you_mean(parser: argparse.ArgumentParser, message: str) -> str:
    """For an unknown (sub)command, the nearest real ones."""
    import difflib
    import re

    found = re.search(r"invalid choice: '([^']*)'", message)
    subparsers = getattr(parser, "_subparsers", None)
    if found is None or subparsers is None:
        return ""
    choices = [c for a in subparsers._group_actions for c in (a.choices or {})]
    near = difflib.get_close_matches(found[1], choices, n=3, cutoff=0.6)
    return f"\nDid you mean {' or '.join(repr(n) for n in near)}?" if near else ""


class _Ignored:
    """Stands in for the parsers of commands not being run."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self


class _OnlyOne:
    """Registers only the command being run: building all of them costs ~10 ms per start."""

    def __init__(self, sub: Any, only: str | None) -> None:
        self.sub, self.only, self.matched = sub, only, False

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if self.only is None or name == self.only:
            self.matched = True
            return self.sub.add_parser(name, **kwargs)
        return _Ignored()


def _command_word(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg in ("-h", "--help", "-V", "--version"):
            return None
        if not arg.startswith("-"):
            return arg
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="trail",
        description="Version data and models beside Git; works in trail and DVC repositories.",
    )
    _global_flags(parser, default=False)
    # Subcommands accept the same flags; SUPPRESS keeps `trail -v status` from being reset.
    common = argparse.ArgumentParser(add_help=False)
    _global_flags(common, default=argparse.SUPPRESS)
    parser.add_argument("-V", "--version", action="version", version=f"trail {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<command>", parser_class=_Parser)
    chooser = _OnlyOne(sub, only)
    for module in (
        admin,
        data,
        pipeline,
        repro,
        remote,
        imports,
        results,
        experiments,
        queue,
        webui,
        tools,
    ):
        module.register(chooser, common)
    for module in (artifacts, bundle, serve):  # the model registry, bundles and serving
        module.register(chooser, common)
    # Commands that run other commands or describe them all (git hooks, completion) get the
    # entry point and the parser through their arguments: importing this module would be a cycle.
    parser.set_defaults(run=main, build_parser=build_parser)
    if only is not None and not chooser.matched:
        return build_parser(None)  # an unknown command: let argparse list the real ones
    return parser


def _global_flags(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="show tracebacks"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="print only errors"
    )


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(_command_word(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    console = Console(quiet=args.quiet, verbose=args.verbose)
    args.argv = ["trail", *argv]  # the command line, as experiments record it
    try:
        return int(args.func(args, console) or 0)
    except KeyboardInterrupt:
        console.err("ERROR: interrupted")
        return 130
    except BrokenPipeError:  # `trail exp show | head`: the reader left; say nothing more
        _discard_stdout()
        return 141  # 128 + SIGPIPE, as a shell reports a command ended by a closed pipe
    except Exception as exc:  # the one place errors become exit codes
        return _report(exc, console)


def _discard_stdout() -> None:
    """Point stdout at /dev/null so flushing it at exit cannot fail a second time."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


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
