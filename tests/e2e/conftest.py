"""Page tests in a real headless Chromium (Debian's ``chromium``) driven by Playwright.

One browser for the session, a fresh profile, no network beyond 127.0.0.1: every request to
another host is recorded and refused, and each test fails if one was made or if the page logged
an error. ``make test`` sets TRAIL_REQUIRE_CHROMIUM=1 where it can install Chromium (as root),
so a missing browser fails the run there; elsewhere these tests skip and say why.

Screenshots of each page go to a temporary folder, or to ``docs/`` with
TRAIL_UI_SCREENSHOTS=docs (``make screenshots``), where the README shows them.
"""

from __future__ import annotations

import os
import pathlib
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


def _unavailable(reason: str) -> None:
    if os.environ.get("TRAIL_REQUIRE_CHROMIUM") == "1":
        pytest.fail(f"{reason} (make test installs it as root: run `make services`)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)  # a loaded 2-core machine: the first charts take a while
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1360, "height": 860},
        )
        yield context
        context.close()


class Watched:
    """A page whose console errors and requests are watched."""

    def __init__(self, page, server):
        self.page, self.server = page, server
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.route("**/*", self._route)

    def _route(self, route):
        host = urlsplit(route.request.url).hostname
        if host != "127.0.0.1":
            self.outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def open(self, path: str):
        """Open ``path``; the first page of a server is opened through the printed address."""
        if not getattr(self.server, "visited", False):
            self.page.goto(self.server.url)
            self.server.visited = True
        self.page.goto(self.server.base + path)
        return self.page

    def check(self):
        assert self.outside == [], f"requests left 127.0.0.1: {self.outside}"
        assert self.errors == [], f"the console has errors: {self.errors}"


@pytest.fixture
def watch(browser):
    """``watch(server)``: a new page of the session's browser for ``server``, checked after."""
    opened: list[Watched] = []

    def make(server):
        w = Watched(browser.new_page(), server)
        opened.append(w)
        return w

    yield make
    try:
        for w in opened:
            w.check()
    finally:
        for w in opened:
            w.page.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory):
    """``shots(page, name)`` saves a screenshot (see the module docstring for where)."""
    to_docs = os.environ.get("TRAIL_UI_SCREENSHOTS") == "docs"
    folder = DOCS if to_docs else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(exist_ok=True)

    def take(page, name):
        page.wait_for_selector("#live.on")  # the page has heard from the server since loading
        page.screenshot(path=str(folder / f"ui-{name}.png"))

    yield take
    if not to_docs:
        print(f"\nscreenshots of the web UI: {folder}")


@pytest.fixture
def own_server(project_copy):
    """``own_server(read_only=False, before=None)``: ``trail ui`` on this test's copy of the
    project (``before(root)`` changes it first), stopped after the test."""
    from trail.testing.webui import UiServer

    started = []

    def start(read_only=False, before=None):
        if before is not None:
            before(project_copy)
        server = UiServer(project_copy, read_only=read_only).start()
        started.append(server)
        return server

    yield start
    for server in started:
        assert server.stop() == 0  # Ctrl-C stops it cleanly
