"""``trail ui``: a local web app over one repository (Starlette + uvicorn, the ``ui`` extra).

The only place HTTP exists in trail. It reads the repository through ``trail.ops`` and
``trail.experiments`` like any other caller; nothing imports it (``trail ui`` imports it when
run), so the other commands never load Starlette.

Parts: ``server`` binds the port and prints the address with its token; ``app`` builds the
Starlette app (the guard: token, cookie, Host and same-origin checks, security headers; the
shell page of each ``Page``; the JSON API; static files); ``watch`` notices changes so pages
update live; ``answers`` turns results and errors into JSON (errors name file:line for the
error panel); ``dag_svg`` lays the pipeline graph out as SVG; ``pages/`` holds the pages.

Adding a page (the extension point)
-----------------------------------
Drop a module into ``trail/web/pages/`` that defines ``PAGE``, and its script into
``trail/web/static/``. Nothing else is edited: pages are found by ``page.discover()`` and
ordered by ``order`` in the navigation::

    # trail/web/pages/models.py
    from trail.web.page import Api, Call, Page

    def models(call: Call) -> dict:                 # GET /api/models
        from trail.ops.artifacts import list_artifacts   # a read of the repository, via ops
        return {"models": [a.to_json() for a in list_artifacts(call.repo)]}

    def assign(call: Call) -> dict:                 # POST /api/actions/models/assign
        ...                                         # call.body is the posted JSON object

    PAGE = Page(
        path="/models", title="Models", script="models.js", order=70,
        api={"models": Api(models, cached=True)},    # cached: kept until the repository changes
        actions={"models/assign": assign},           # refused with --read-only / other origins
        charts=False,                                # True: Vega-Lite is loaded for the page
    )

``models.js`` draws the page into ``<main id="main">`` with the helpers of ``static/app.js``
(``trail.get``, ``trail.act``, ``trail.el``/``trail.put``, ``trail.fail`` for the error panel,
``trail.chart`` for a Vega-Lite spec) and ends with ``trail.start({load, refresh})``: ``load``
runs once, ``refresh`` (default: ``load``) whenever the repository changes. Handlers get a
``Call`` (a fresh ``Repo``, the query, the body), raise ``TrailError``s as usual (shown in the
error panel, naming file and line when the message does) and return JSON-able data or a
``Blob``. A ``Page`` with ``nav=False`` adds endpoints without a navigation link.
"""

from trail.web.page import Api, Blob, Call, Page

__all__ = ["Api", "Blob", "Call", "Page"]
