"""HTML pages: the search page, an announcement, the Khmer font; friendly errors.

Server-rendered and complete without JavaScript; ``static/enhance.js`` only adds
conveniences. Every value shown is escaped by Jinja; no route writes anything.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import fontpkg_noto_sans_khmer
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)
from markdown_it import MarkdownIt
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from indexer import store
from indexer.facets import BY_NAME
from webapp import i18n, params
from webapp.search import PageOutOfRange, SearchResult, SearchService

bp = Blueprint("views", __name__)

FONT = next(Path(fontpkg_noto_sans_khmer.__file__).parent.glob("files/*.ttf"))


def service() -> SearchService:
    return current_app.extensions["search"]


def ui_language() -> str:
    chosen = request.args.get("ui") or request.cookies.get("ui") or ""
    return chosen if chosen in i18n.UI_LANGS else "en"


@bp.app_context_processor
def helpers() -> dict:
    ui = ui_language()
    return {
        "ui": ui,
        "t": lambda key, **kw: i18n.t(key, ui, **kw),
        "digits": lambda v: i18n.digits(v, ui),
        "fmt_date": lambda d: i18n.date(d, ui),
        "month_name": lambda m: i18n.month_name(m, ui),
        "toggle": params.toggle,
        "only": params.only,
        "qs": params.query_string,
        # the date range's two ends are filters, not facets: they have words of their own
        "facet_label": lambda name: (
            BY_NAME[name].label[ui] if name in BY_NAME else i18n.t(name, ui)
        ),
        "facet_heading": lambda name: BY_NAME[name].heading[ui],
        "value_label": lambda name, value: value_label(name, value, ui),
        "ui_switch": ui_switch_url,
    }


def value_label(facet: str, value: str, ui: str) -> str:
    """A facet value as the reader reads it: a month's name, a language's name, a year
    in the interface's digits; names as the index has them."""
    if facet == "month":
        return i18n.month_name(value, ui)
    if facet == "lang":
        return i18n.t(value, ui)
    if facet == "year":
        return i18n.digits(value, ui)
    if facet in ("from", "to"):
        return i18n.date(value, ui)
    return value


def ui_switch_url(other: str) -> str:
    """This page in the other interface language, every other parameter kept."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "ui"]
    return request.path + "?" + urlencode([*kept, ("ui", other)])


def _remember_ui(response: Response) -> Response:
    chosen = request.args.get("ui")
    if chosen in i18n.UI_LANGS:
        response.set_cookie("ui", chosen, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.get("/")
@bp.get("/search")
def search_page():
    search = service()
    req = params.parse_request(request.args, search.facet_values, prefer=ui_language())
    result = search.search(req)
    html = render_template(
        "search.html",
        req=req,
        result=result,
        bars=timeline_bars(result),
        active=active_filters(req),
        api_qs=params.query_string(req, page=req.page),
        keep_for_query=[(k, v) for k, v in params.to_params(req, page=False) if k != "q"],
        keep_for_sort=[(k, v) for k, v in params.to_params(req, page=False) if k != "sort"],
        keep_for_dates=[
            (k, v) for k, v in params.to_params(req, page=False) if k not in ("from", "to")
        ],
    )
    return _remember_ui(Response(html))


@bp.get("/a/<lang>/<path:slug>")
def article(lang: str, slug: str):
    doc = service().article(lang, slug)
    if doc is None:
        abort(404)
    html = render_template(
        "article.html", doc=doc, body=render_markdown(doc.body_markdown), date=doc.date
    )
    return _remember_ui(Response(html))


@bp.get("/fonts/noto-sans-khmer.ttf")
def khmer_font():
    """Noto Sans Khmer from its PyPI package, served by us: no CDN."""
    return send_file(FONT, mimetype="font/ttf", max_age=30 * 24 * 3600)


# --- page pieces -------------------------------------------------------------------------

_MD = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
_MD.add_render_rule("image", lambda *a, **k: "")  # assets are not published with the text


def render_markdown(text: str) -> Markup:
    """Markdown → HTML; raw HTML in the source is shown as text, never run."""
    return Markup(_MD.render(text))


def active_filters(req) -> list[tuple[str, str, str]]:
    """(facet, value, link that removes it) for every filter in force."""
    out = [
        (name, value, params.toggle(req, name, value)) for name, vs in req.filters for value in vs
    ]
    if req.date_from:
        out.append(("from", req.date_from.isoformat(), params.query_string(req, date_from=None)))
    if req.date_to:
        out.append(("to", req.date_to.isoformat(), params.query_string(req, date_to=None)))
    return out


def timeline_bars(result: SearchResult, width: int = 320, height: int = 80) -> list[dict]:
    """Bars of the server-side SVG timeline: geometry and the link each bar is."""
    points = result.timeline
    if not points:
        return []
    peak = max(c for _, c, _ in points) or 1
    step = width / len(points)
    by_month = "month" in result.facets
    bars = []
    for i, (label, count, selected) in enumerate(points):
        h = 0 if count == 0 else max(2, round(count / peak * (height - 16)))
        link = params.toggle(result.request, "month" if by_month else "year", label)
        bars.append(
            {
                "x": round(i * step + 1, 1),
                "w": round(max(step - 2, 1), 1),
                "y": height - 14 - h,
                "h": h,
                "label": label,
                "count": count,
                "selected": selected,
                "href": link,
                "month": by_month,
            }
        )
    return bars


# --- errors: a friendly page, never a traceback ----------------------------------------------


def register_errors(app: Flask) -> None:
    @app.errorhandler(params.BadParameter)
    def bad_parameter(exc: params.BadParameter):
        if request.path.startswith("/api/") or request.path.startswith("/feed"):
            return {"error": str(exc)}, 400
        return _error_page(400, str(exc))

    @app.errorhandler(PageOutOfRange)
    def past_the_end(exc: PageOutOfRange):
        if request.path.startswith("/api/") or request.path.startswith("/feed"):
            return {"error": str(exc), "pages": exc.pages}, 400
        req = params.parse_request(request.args, prefer=ui_language())
        last = url_for("views.search_page") + params.query_string(req, page=exc.pages)
        return _error_page(400, str(exc), link=last)

    @app.errorhandler(store.IndexMissing)
    def no_index(exc: store.IndexMissing):
        if request.path.startswith("/api/") or request.path == "/healthz":
            return {"error": str(exc)}, 503
        return _error_page(503, "The search index is being prepared. Please try again soon.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            return {"error": exc.description}, exc.code
        return _error_page(exc.code or 500, exc.description or "")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return {"error": "Something went wrong on our side."}, 500
        return _error_page(500, "Something went wrong on our side. Please try again.")


def _error_page(status: int, message: str, link: str | None = None):
    return render_template("error.html", status=status, message=message, link=link), status
