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
from webapp import i18n, params
from webapp.search import PageOutOfRange, SearchResult, SearchService, values

bp = Blueprint("views", __name__)

FONT = next(Path(fontpkg_noto_sans_khmer.__file__).parent.glob("files/*.ttf"))
FACET_ORDER = ("minister", "province", "lang", "person", "place")


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
        "qs": params.query_string,
        "facet_order": FACET_ORDER,
        "ui_switch": ui_switch_url,
    }


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
    req = params.parse_request(request.args, search.facet_values)
    result = search.search(req)
    html = render_template(
        "search.html",
        req=req,
        result=result,
        bars=timeline_bars(result),
        active=active_filters(req),
        api_qs=params.query_string(req, page=req.page),
        keep_for_sort=[(k, v) for k, v in params.to_params(req, page=False) if k != "sort"],
        keep_for_dates=[
            (k, v) for k, v in params.to_params(req, page=False) if k not in ("from", "to")
        ],
    )
    return _remember_ui(Response(html))


@bp.get("/a/<lang>/<path:slug>")
def article(lang: str, slug: str):
    searcher = service().searcher()
    docnum = searcher.document_number(id=f"{lang}/{slug}")
    if docnum is None:
        abort(404)
    fields = searcher.stored_fields(docnum)
    other = "km" if lang == "en" else "en"
    twin = f"{other}/{slug}" if searcher.document_number(id=f"{other}/{slug}") is not None else None
    html = render_template(
        "article.html",
        doc=fields,
        body=render_markdown(fields.get("body_markdown") or ""),
        facets={
            "minister": values(fields.get("ministers")),
            "province": values(fields.get("provinces")),
            "person": values(fields.get("people")),
            "place": values(fields.get("places")),
        },
        organisations=values(fields.get("organisations")),
        twin=twin,
        date=fields["date"].date().isoformat(),
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
    """(facet, label value, link that removes it) for every filter in force."""
    out = []
    for facet in params.FACETS:
        for value in req.selected(facet):
            out.append((facet, value, params.toggle(req, facet, value)))
    for year in req.year:
        out.append(("year", str(year), params.toggle(req, "year", str(year))))
    if req.month is not None:
        out.append(("month", str(req.month), params.query_string(req, month=None)))
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
    by_month = len(result.request.year) == 1
    bars = []
    for i, (label, count, selected) in enumerate(points):
        h = 0 if count == 0 else max(2, round(count / peak * (height - 16)))
        link = (
            params.toggle(result.request, "month", label)
            if by_month
            else params.toggle(result.request, "year", label)
        )
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
        req = params.parse_request(request.args)
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
