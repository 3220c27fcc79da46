"""The Flask web app: reads the index, never writes it.

``create_app`` is the factory (as in Flask's tutorial); settings come from
:class:`indexer.config.Settings` (environment variables) and ``overrides``. The search
service is created once per process and shared by its threads.

Config: ``INDEX_DIR``; ``CACHE_DIR`` (built files: the Khmer font subset, compiled
catalogues; default ``$PRAKAS_CACHE`` or the instance folder's ``cache/``);
``ASSET_BASE_URL`` (where the announcements' images are published; unset, an image
shows as "image not available"); ``CSV_MAX_ROWS``, ``FEED_ENTRIES``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response
from flask_babel import Babel
from flask_compress import Compress

from indexer.config import Settings
from indexer.store import IndexMissing
from webapp import i18n
from webapp.assets import Assets, build_id
from webapp.cache import Pages
from webapp.search import SearchService

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{images}; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
COMPRESSED = ["text/html", "application/json", "application/atom+xml", "text/csv"]


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)  # assets are served hashed (webapp.assets)
    app.config.from_mapping(
        INDEX_DIR=Settings().index_dir,
        CACHE_DIR=os.environ.get("PRAKAS_CACHE") or Path(app.instance_path) / "cache",
        ASSET_BASE_URL=os.environ.get("PRAKAS_ASSET_BASE_URL") or None,
        CSV_MAX_ROWS=10_000,
        FEED_ENTRIES=50,
        COMPRESS_MIMETYPES=COMPRESSED,
        COMPRESS_ALGORITHM=["br", "gzip"],
    )
    if overrides:
        app.config.update(overrides)
    cache = Path(app.config["CACHE_DIR"])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(
        i18n.compile_catalogues(cache / "translations")
    )
    Babel(app, locale_selector=i18n.ui_language)
    Compress(app)
    app.extensions["assets"] = Assets(cache)
    app.extensions["build"] = build_id(app.extensions["assets"])
    images = app.config["ASSET_BASE_URL"]
    origin = urlsplit(images) if images else None
    csp = CSP.format(
        images=f" {origin.scheme}://{origin.netloc}" if origin and origin.netloc else ""
    )
    service = app.extensions["search"] = SearchService(Path(app.config["INDEX_DIR"]))
    app.extensions["pages"] = Pages(service.results.size)  # the same setting: 0 is off
    if app.config.get("WARM", True):
        # Open the index and read its columns now, while the worker starts, not on
        # the first visitor's request (a second or so at 100,000 announcements).
        with contextlib.suppress(IndexMissing):  # a 503 until `prakas index` has run
            service.snapshot()

    from webapp import api, entities_view, openapi, seo, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(seo.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(entities_view.bp)
    views.register_errors(app)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    return app
