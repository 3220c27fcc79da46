"""The Flask web app: reads the index, never writes it.

``create_app`` is the factory (as in Flask's tutorial); settings come from
:class:`indexer.config.Settings` (environment variables) and ``overrides``. The search
service is created once per process and shared by its threads.

Config: ``INDEX_DIR``; ``CACHE_DIR`` (built files: the Khmer font subset, compiled
catalogues; default ``$PRAKAS_CACHE`` or the instance folder's ``cache/``);
``ASSET_BASE_URL`` (where the announcements' images are published; unset, an image
shows as "image not available"); ``CSV_MAX_ROWS``, ``CSV_TIME_BUDGET_S``, ``FEED_ENTRIES``;
``BASE_URL`` and ``TRUSTED_HOSTS`` (where absolute links point: :mod:`webapp.urls`);
``PAGE_CACHE_BYTES`` (rendered pages kept, :class:`webapp.cache.Pages`);
``GENERATION_CHECK_S`` (how often an idle worker looks for a new generation; 0: never);
``QUERY_LOG`` (searches that found nothing as typed: :mod:`webapp.querylog`; default
``$PRAKAS_QUERY_LOG``, unset: none).
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
from webapp import i18n, urls
from webapp.assets import IMMUTABLE, Assets, build_id
from webapp.cache import Pages
from webapp.querylog import QueryLog
from webapp.search import SearchService

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{images}; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
CSV_TIME_BUDGET_S = 5.0  # one CSV export: matching, ranking and every row (docs/api.md)
COMPRESSED = ["text/html", "application/json", "application/atom+xml", "text/csv"]


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)  # assets are served hashed (webapp.assets)
    # werkzeug answers ``/a/en//x`` with a redirect to an absolute URL made from the
    # request's Host: such a path is a 404 instead (every Location is webapp.urls')
    app.url_map.merge_slashes = False
    settings = Settings()
    app.config.from_mapping(
        INDEX_DIR=settings.index_dir,
        CACHE_DIR=os.environ.get("PRAKAS_CACHE") or Path(app.instance_path) / "cache",
        ASSET_BASE_URL=os.environ.get("PRAKAS_ASSET_BASE_URL") or None,
        QUERY_LOG=Settings().query_log,
        CSV_MAX_ROWS=10_000,
        CSV_TIME_BUDGET_S=CSV_TIME_BUDGET_S,
        FEED_ENTRIES=50,
        BASE_URL=settings.base_url,
        TRUSTED_HOSTS=list(settings.trusted_hosts),
        PAGE_CACHE_BYTES=settings.page_cache_bytes,
        COMPRESS_MIMETYPES=COMPRESSED,
        COMPRESS_ALGORITHM=["br", "gzip"],
    )
    if overrides:
        app.config.update(overrides)
    app.config["BASE_URL"] = urls.check_base_url(app.config["BASE_URL"])
    if app.config["BASE_URL"] and "TRUSTED_HOSTS" not in (overrides or {}):
        app.config["TRUSTED_HOSTS"] = None  # links never read Host: any proxy name is fine
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
    queries = Path(app.config["QUERY_LOG"]) if app.config["QUERY_LOG"] else None
    service = app.extensions["search"] = SearchService(
        Path(app.config["INDEX_DIR"]), query_log=QueryLog(queries) if queries else None
    )
    # off with the result cache (one switch for the benchmark), else bounded in bytes
    app.extensions["pages"] = Pages(app.config["PAGE_CACHE_BYTES"] if service.results.size else 0)
    if app.config.get("WARM", True):
        # Open the index and read its columns now, while the worker starts, not on
        # the first visitor's request (a second or so at 100,000 announcements).
        with contextlib.suppress(IndexMissing):  # a 503 until `prakas index` has run
            service.warm()  # and the respellings' vocabulary (webapp.respell)
    if app.config.get("GENERATION_CHECK_S", 30):  # an idle worker lets deleted generations go
        service.watch(app.config.get("GENERATION_CHECK_S", 30))

    from webapp import api, entities_view, metrics, openapi, seo, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(seo.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(entities_view.bp)
    views.register_errors(app)
    metrics.init_app(app)  # /metrics; counts and logs every request

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return caching_headers(response)

    return app


def worker_started(worker: Any) -> None:
    """gunicorn's ``post_worker_init`` hook: the worker has loaded (and warmed) its app,
    so what it holds is frozen out of the garbage collector (:meth:`SearchService.settle`)."""
    worker.wsgi.extensions["search"].settle()


def caching_headers(response: Response) -> Response:
    """Every answer but a hashed asset is written in the interface language, which the
    ``ui`` cookie may choose: it varies with the cookie, and says how long it may be
    kept (a view that knows better, a page with an ETag, has set it already)."""
    if response.headers.get("Cache-Control") == IMMUTABLE:
        return response
    response.vary.add("Cookie")
    response.headers.setdefault("Cache-Control", "no-store")
    return response
