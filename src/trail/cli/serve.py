"""``trail serve NAME[@V|#STAGE] | DIR [--host 127.0.0.1] [--port 8000] [--follow]``."""

from __future__ import annotations

import argparse
from typing import Any

from trail.cli.ui import Console


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve", parents=[common], help="serve a model version (or a bundle) over HTTP"
    )
    p.add_argument("target", help="NAME, NAME@vX.Y.Z, NAME#STAGE, or a bundle (folder, .tar.gz)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (8000; 0: any free port)")
    p.add_argument(
        "--follow",
        action="store_true",
        help="swap to each version newly assigned to the stage (or newly registered)",
    )
    p.add_argument(
        "--interval", type=float, default=1.0, help="seconds between looks at the registry"
    )
    p.add_argument("--access-log", action="store_true", help="log each request to stderr")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace, console: Console) -> int:
    import os

    from trail.errors import UsageError
    from trail.serving.server import ModelServer, Slot

    is_bundle = os.path.isdir(args.target) or os.path.isfile(args.target)
    if is_bundle and args.follow:
        raise UsageError("--follow follows the registry: give NAME#STAGE or NAME, not a bundle")
    repo = follower = None
    if is_bundle:
        from trail.serving.source import from_bundle

        served = from_bundle(args.target)
    else:
        from trail.cli.repos import open_repo as _repo
        from trail.registry.names import parse_spec
        from trail.serving.source import from_registry

        spec = parse_spec(args.target)
        if args.follow and spec.version:
            raise UsageError("--follow needs NAME#STAGE or NAME: a fixed version never changes")
        repo = _repo(console)
        served = from_registry(repo, spec)
    slot = Slot(served.loaded)
    try:
        server = ModelServer(args.host, args.port, slot, access_log=args.access_log)
    except OSError as exc:
        served.close()
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    if args.follow:
        from trail.serving.follow import Follower

        assert repo is not None
        follower = Follower(
            repo, spec, slot, served, interval=args.interval, report=lambda m: console.err(m)
        )
        follower.start()
    info = served.loaded.info
    stage = f" ({info['stage']})" if info.get("stage") else ""
    console.err(
        f"Serving {info.get('name')} {info.get('version')}{stage} on {server.url} "
        "(POST /predict, GET /health, GET /version); Ctrl-C stops"
    )
    try:
        _serve_until_stopped(server)
    finally:
        server.server_close()
        if follower is not None:
            follower.close()
        else:
            served.close()
        if repo is not None:
            repo.close()
    return 0


def _serve_until_stopped(server: Any) -> None:
    """Serve until Ctrl-C or SIGTERM (a process manager stopping the service)."""
    import signal
    import threading

    def stop(_signum: int, _frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if main else None
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
