"""``trail ui``: the local web app (``trail.web``, imported only when this command runs)."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ui", parents=[common], help="browse experiments, plots, the pipeline")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=_port, default=8765, help="port (8765; 0 picks a free one)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--read-only", action="store_true", help="no actions: only look")
    p.set_defaults(func=cmd_ui)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range: {port}")
    return port


def cmd_ui(args: argparse.Namespace, console: Console) -> int:
    from trail.cli.repos import open_repo

    repo = open_repo()
    repo.close()
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        from trail.errors import TrailError

        raise TrailError(
            f"`trail ui` needs the 'ui' extra: pip install 'trail[ui]' ({exc.name} is missing)"
        ) from None
    from trail.web.server import Options, serve

    options = Options(
        host=args.host,
        port=args.port,
        open_browser=not args.no_browser,
        read_only=args.read_only,
        verbose=args.verbose,
    )
    serve(repo, options, out=lambda line: print(line, flush=True), warn=console.err)
    return 0
