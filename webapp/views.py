"""HTML pages."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from webapp.search import SearchRequest, SearchService

bp = Blueprint("views", __name__)


def service() -> SearchService:
    return current_app.extensions["search"]


@bp.get("/")
@bp.get("/search")
def search_page():
    q = request.args.get("q", "")
    result = service().search(SearchRequest(q=q))
    return render_template("search.html", q=q, result=result)
