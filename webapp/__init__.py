"""The Flask web app: reads the index, never writes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from indexer.config import Settings
from webapp.search import SearchService


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """App factory: settings from :class:`indexer.config.Settings`, then ``overrides``."""
    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR=Settings().index_dir)
    if overrides:
        app.config.update(overrides)
    app.extensions["search"] = SearchService(Path(app.config["INDEX_DIR"]))

    from webapp import views

    app.register_blueprint(views.bp)
    return app
