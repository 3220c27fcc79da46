"""The Flask web app: reads the index, never writes it.

``create_app`` is the factory (as in Flask's tutorial); settings come from
:class:`indexer.config.Settings` (environment variables) and ``overrides``. The search
service is created once per process and shared by its threads.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from flask import Flask, Response
from flask_babel import Babel

from indexer.config import Settings
from indexer.store import IndexMissing
from webapp.search import SearchService

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR=Settings().index_dir, CSV_MAX_ROWS=10_000, FEED_ENTRIES=50)
    if overrides:
        app.config.update(overrides)
    Babel(app)  # notices are lazy_gettext strings, rendered in the reader's language
    service = app.extensions["search"] = SearchService(Path(app.config["INDEX_DIR"]))
    if app.config.get("WARM", True):
        # Open the index and read its columns now, while the worker starts, not on
        # the first visitor's request (a second or so at 100,000 announcements).
        with contextlib.suppress(IndexMissing):  # a 503 until `prakas index` has run
            service.snapshot()

    from webapp import api, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    views.register_errors(app)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    return app
