"""What a page of the UI is: a path, a title, one script, JSON endpoints and actions.

Pages are found, not listed: every module of ``trail.web.pages`` that defines ``PAGE`` (a
``Page``) is one. Handlers are plain functions of a ``Call`` (the repository, the query, the
posted body) returning JSON-able data or a ``Blob``; they run in a worker thread, each with a
fresh ``Repo`` that is closed after it, and raise ``TrailError``s like any other caller of
``ops``/``experiments`` (the app turns them into the error panel's JSON).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from trail.errors import UsageError

if TYPE_CHECKING:
    from trail.repo import Repo
    from trail.web.state import UiState


@dataclass(frozen=True)
class Blob:
    """Bytes to send as they are: a file (``stream``, closed after sending) or ``data``."""

    media_type: str
    data: bytes = b""
    stream: IO[bytes] | None = None
    size: int | None = None
    filename: str | None = None  # set: sent as a download (Content-Disposition: attachment)


@dataclass
class Call:
    """One request, as a handler sees it."""

    repo: Repo
    query: Mapping[str, list[str]]
    body: dict[str, Any]
    ui: UiState

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def need(self, name: str) -> str:
        value = self.arg(name)
        if not value:
            raise UsageError(f"missing query parameter '{name}'")
        return value

    def args(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    def flag(self, name: str) -> bool:
        return (self.arg(name) or "").lower() in ("1", "true", "yes", "on")

    def number(self, name: str, default: int) -> int:
        text = self.arg(name)
        if text is None or text == "":
            return default
        try:
            return int(text)
        except ValueError:
            raise UsageError(f"query parameter '{name}' must be a whole number") from None


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Api:
    """A GET endpoint under ``/api/``. ``cached``: its answer is kept until the repository
    changes (per query), so reloading a page costs nothing."""

    handler: Handler
    cached: bool = False


@dataclass(frozen=True)
class Page:
    """A page at ``path`` whose ``script`` (in ``trail/web/static/``) draws it from its API.

    ``api`` maps names to GET endpoints (``"experiments/table"`` → ``/api/experiments/table``);
    ``actions`` to POST endpoints under ``/api/actions/`` that change something: refused with
    ``--read-only`` and from other origins. ``charts`` loads Vega-Lite for the page.
    """

    path: str
    title: str
    script: str
    order: int = 100
    api: Mapping[str, Api | Handler] = field(default_factory=dict)
    actions: Mapping[str, Handler] = field(default_factory=dict)
    charts: bool = False
    nav: bool = True

    def endpoints(self) -> dict[str, Api]:
        return {k: v if isinstance(v, Api) else Api(v) for k, v in self.api.items()}


def discover() -> list[Page]:
    """Every ``PAGE`` of the modules in ``trail.web.pages``, by ``order`` then path."""
    import trail.web.pages as package

    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        page = getattr(module, "PAGE", None)
        if isinstance(page, Page):
            found.append(page)
    return sorted(found, key=lambda p: (p.order, p.path))
