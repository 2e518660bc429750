"""``trail ui``: bind the port, print the address with its token, serve until Ctrl-C."""

from __future__ import annotations

import errno
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trail.errors import TrailError
from trail.repo import Repo

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class PortInUseError(TrailError):
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        super().__init__(
            f"port {port} on {host} is already in use (another `trail ui`?): "
            "choose another with --port"
        )


class BindError(TrailError):
    def __init__(self, host: str, port: int, reason: str) -> None:
        self.host, self.port = host, port
        super().__init__(f"cannot listen on {host}:{port}: {reason}")


@dataclass(frozen=True)
class Options:
    host: str = "127.0.0.1"
    port: int = 8765
    open_browser: bool = True
    read_only: bool = False
    verbose: bool = False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)  # connections made before uvicorn runs wait here, not refused
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(host, port) from None
        raise BindError(host, port, exc.strerror or str(exc)) from None
    sock.set_inheritable(True)
    return sock


def url_of(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def allowed_hosts(host: str, port: int) -> frozenset[str] | None:
    """Host headers a browser sends to this server; None (any) when bound to every address,
    whose names cannot be known (the token still guards it)."""
    if host in ("0.0.0.0", "::", ""):
        return None
    names = {host, "127.0.0.1", "localhost", "[::1]"} if host in LOOPBACK else {host}
    names = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names}
    return frozenset(f"{n}:{port}".lower() for n in names)


def exposure_warning(host: str, read_only: bool) -> str | None:
    """What to say when the server can be reached from other machines."""
    if host in LOOPBACK:
        return None
    can = "see this repository" if read_only else "see this repository, queue and stop runs"
    return f"warning: listening on {host}: anyone on the network who has the token can {can}"


def serve(
    repo: Repo, options: Options, out: Callable[[str], None], warn: Callable[[str], None]
) -> None:
    """Serve ``repo`` until interrupted; ``out`` gets the one line with the address."""
    import os

    import uvicorn

    from trail.web.app import create_app
    from trail.web.state import UiState

    os.chdir(repo.root)  # paths users type (-S file:key=…) are read as from the root
    sock = bind(options.host, options.port)
    port = int(sock.getsockname()[1])
    token = secrets.token_urlsafe(24)
    ui = UiState(
        repo.root,
        repo.dialect,
        token,
        read_only=options.read_only,
        hosts=allowed_hosts(options.host, port),
        verbose=options.verbose,
    )
    app = create_app(ui)
    warning = exposure_warning(options.host, options.read_only)
    if warning is not None:
        warn(warning)
    url = url_of(options.host, port, token)
    out(f"trail ui: {url}")
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="h11",
        ws="none",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    threading.Thread(target=_when_up, args=(server, app.warm), daemon=True).start()
    if options.open_browser:
        threading.Thread(target=_open, args=(url,), daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn hands Ctrl-C back once it has stopped: stopping is what was asked
    finally:
        sock.close()


def _when_up(server: Any, then: Callable[[], None]) -> None:
    """Run ``then`` once the server answers: computing before would slow its start (the GIL)."""
    import time

    deadline = time.monotonic() + 30
    while not server.started and not server.should_exit and time.monotonic() < deadline:
        time.sleep(0.02)
    if server.started:
        then()


def _open(url: str) -> None:
    import webbrowser

    try:
        webbrowser.open(url)
    except Exception:  # no browser here: the printed address is enough
        pass
