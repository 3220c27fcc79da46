"""HTML pages: the search page, an announcement, the help page, assets; friendly errors.

Server-rendered and complete without JavaScript; ``static/enhance.js`` only adds
conveniences. Every value shown is escaped by Jinja; no route writes anything.

Pages carry a weak ETag made of the index generation, the interface language, the URL,
the public address (:mod:`webapp.urls`) and the build of the app, and are revalidated
on every visit (``no-cache``): a repeat visit costs a 304 and no search until the
indexer publishes a new generation. A page whose search the time budget cut short has
no ETag and is ``no-store``. Links shared with tracking parameters (``fbclid``,
``utm_*``) are redirected to the same page without them (a ``Location`` made by
:mod:`webapp.urls` of quoted parts, never of raw input).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from rapidfuzz import fuzz
from werkzeug.exceptions import HTTPException, SecurityError

from indexer import store
from indexer.config import project_dir
from indexer.facets import BY_NAME, ENTITY_FACETS, FACETS
from webapp import i18n, params, related, sanitise, seo, syntax, urls
from webapp import query as queries
from webapp.assets import IMMUTABLE, Assets
from webapp.search import FACET_LIMIT, PageOutOfRange, SearchRequest, SearchResult

bp = Blueprint("views", __name__)

NAME_FACETS = {f.name for f in ENTITY_FACETS}  # values are proper names
TAG_FACETS = tuple(f.name for f in FACETS if f.tag)  # tagged on each result
API_DOCS = project_dir() / "docs" / "api.md"
ui_language = i18n.ui_language  # the API's answers follow the same choice


def service():
    return current_app.extensions["search"]


def snapshot():
    """The generation this request reads, pinned at its first use: one page is made from
    one generation, and a page of a hundred facet values checks ``CURRENT`` once."""
    if "snapshot" not in g:
        g.snapshot = service().snapshot()
    return g.snapshot


def assets() -> Assets:
    return current_app.extensions["assets"]


# --- what every template may call --------------------------------------------------------


def facet_label(name: str, ui: str) -> str:
    """A facet's name in the interface language: from the facet table (indexer/facets.py);
    the two ends of a date range, which are not facets, from the catalogue."""
    return BY_NAME[name].label[ui] if name in BY_NAME else str(i18n.RANGE_LABELS[name])


def value_label(facet: str, value: str, ui: str) -> str:
    """A facet value as the interface shows it, as its row says (month and language
    names, digits, a name in the interface's spelling); the ends of a date range."""
    if facet in ("from", "to"):
        return i18n.date(value, ui)
    shown_as = BY_NAME[facet].shown_as
    if shown_as == "language":
        return str(i18n.LANGUAGE_NAMES.get(value, value))
    if shown_as == "month_name":
        return i18n.month_name(value, ui)
    if shown_as == "number":
        return i18n.digits(value, ui)
    return snapshot().label(facet, value, ui)  # a name as the interface's language spells it


def value_lang(facet: str, value: str, ui: str) -> str:
    """The language a shown value is written in: a name the index knows no spelling of
    in the interface's language stays as canonically written (in English)."""
    if facet not in NAME_FACETS:
        return ui
    return ui if snapshot().label(facet, value, ui) != value or ui == "en" else "en"


@bp.app_context_processor
def helpers() -> dict:
    ui = i18n.ui_language()
    return {
        "ui": ui,
        "other_ui": "en" if ui == "km" else "km",
        "digits": lambda v: i18n.digits(v, ui),
        "number": lambda n: i18n.number(n, ui),
        "fmt_date": lambda d: i18n.date(d, ui),
        "month_name": lambda m: i18n.month_name(m, ui),
        "facet_label": lambda name: facet_label(name, ui),
        "facet_heading": lambda name: BY_NAME[name].heading[ui],
        "tag_facets": TAG_FACETS,
        "entity_names": tuple(f.name for f in ENTITY_FACETS),  # in the table's order
        "value_label": lambda facet, value: value_label(facet, value, ui),
        "value_lang": lambda facet, value: value_lang(facet, value, ui),
        "language_name": lambda code: str(i18n.LANGUAGE_NAMES[code]),
        "external": urls.external,
        "asset": lambda logical: url_for("views.asset", name=assets().name(logical)),
        "toggle": params.toggle,
        "qs": params.query_string,
        "ui_switch": ui_switch_url,
        "tip": syntax.tip(),
    }


def ui_switch_url(other: str) -> str:
    """This page in the other interface language, every other parameter kept."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "ui"]
    return urls.here([*kept, ("ui", other)])


# --- caching and shared links --------------------------------------------------------------


@bp.before_app_request
def drop_tracking_parameters():
    """``?q=Takeo&fbclid=…`` → ``?q=Takeo``: a shared link lands on its page (every page;
    the API and the feed reject them as unknown instead)."""
    if _machine(request.path):
        return None
    kept = params.without_tracking(request.args)
    if kept is not None:
        return redirect(urls.here(kept), 301)  # quoted: no typed byte reaches the header
    return None


def _etag(extra: str = "") -> str:
    generation = snapshot().generation.name
    key = "\n".join(
        (
            generation,
            queries.version(),
            i18n.ui_language(),
            request.full_path,
            urls.base(),  # the canonical link's origin (Host, when no BASE_URL is set)
            current_app.extensions["build"],
            str(current_app.config.get("ASSET_BASE_URL")),
            extra,
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _page(render: Callable[[], str], extra: str = "") -> Response:
    """The page, or a 304 when the browser already has this version of it (``extra``:
    anything else the page is made from)."""
    etag = _etag(extra)
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        pages, generation = current_app.extensions["pages"], snapshot().generation.name
        body = pages.get(generation, etag)
        g.page_cache = "miss" if body is None else "hit"  # counted and logged (metrics)
        if body is None:
            body = render()
            if not g.get("partial") and not g.get("unanswered"):
                pages.put(generation, etag, body)
        response = Response(body)
    if g.get("partial"):  # a search cut short is not the generation's page: no worker,
        response.headers["Cache-Control"] = "no-store"  # proxy or browser keeps it
    else:
        response.set_etag(etag, weak=True)
        response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")  # the interface language may come from the cookie …
    response.vary.add("Accept-Language")  # … or, on a first visit, from the browser
    return _remember_ui(response)


def _remember_ui(response: Response) -> Response:
    chosen = request.args.get("ui")
    if chosen in i18n.UI_LANGS:
        response.set_cookie("ui", chosen, max_age=365 * 24 * 3600, samesite="Lax")
    return response


# --- pages ------------------------------------------------------------------------------


@bp.get("/")
@bp.get("/search")
def search_page():
    return _page(_render_search)


def _render_search() -> str:
    search = service()
    ui = i18n.ui_language()
    snap = snapshot()
    req = params.parse_request(request.args, snap.columns.values, prefer=ui)
    result = search.search(req, snap)
    g.partial = not result.complete
    # a page of what people could not find is searched again on every view (a cached
    # result), so the query log counts each
    g.unanswered = result.total == 0 or result.respelled_from is not None
    # the timeline stands for the facets drawn as it; the others are listed as counted
    facets = {name: vals for name, vals in result.facets.items() if not BY_NAME[name].timeline}
    sorts = ("relevance", "newest", "oldest") if req.q else ("newest", "oldest")
    keep = params.to_params(req, page=False)
    title = _("Ministry announcements")
    return render_template(
        "search.html",
        meta=seo.search_meta(req, f"{req.q} – {title}" if req.q else title),
        req=req,
        result=result,
        facets=facets,
        cut={name: len(vals) >= FACET_LIMIT for name, vals in result.facets.items()},
        bars=timeline(result, ui),
        active=active_filters(req, ui),
        cleared=params.query_string(req.cleared()),
        sorts=sorts,
        sort=req.sort if req.sort in sorts else "newest",
        here=params.query_string(req, page=req.page),
        api_qs=params.query_string(req, page=req.page),
        keep_for_sort=[(k, v) for k, v in keep if k != "sort"],
        # a new search from the box is respelt again: ``exact`` is the typed link's
        keep_for_search=[
            (k, v) for k, v in keep if k not in ("q", "sort", "more", "per_page", "exact")
        ],
        keep_for_dates=[(k, v) for k, v in keep if k not in ("from", "to")],
        show_all={
            name: params.query_string(req, more=(*req.more, name), page=req.page) for name in facets
        },
        show_fewer={
            name: params.query_string(
                req, more=tuple(m for m in req.more if m != name), page=req.page
            )
            for name in req.more
        },
    )


@bp.get("/a/<lang>/<path:slug>")
def article(lang: str, slug: str):
    return _page(lambda: _render_article(lang, slug))


def _render_article(lang: str, slug: str) -> str:
    doc = service().article(lang, slug, snapshot())
    if doc is None:
        abort(404)
    # The search this announcement was opened from travels in its URL, so "Back to
    # results" returns to it; an article URL without it is the canonical one.
    try:
        came_from = params.to_params(params.parse_request(request.args), ui=False)
    except params.BadParameter:
        came_from = []
    search_qs = "?" + urlencode([*came_from, ("ui", i18n.ui_language())])
    lead = doc.description
    return render_template(
        "article.html",
        meta=seo.article_meta(lang, slug, doc.title, doc.description, doc.date, [*doc.versions]),
        from_search=bool(came_from),
        related=related.related(service(), snapshot(), lang, slug),
        doc=doc,
        body=render_markdown(doc.body_markdown, raw_html=True),
        lead=None if repeats_first_paragraph(doc.description, doc.body_markdown) else lead,
        search_qs=search_qs,
        date=doc.date,
    )


@bp.get("/help")
def help_page():
    return _page(
        lambda: render_template(
            "help.html",
            meta=seo.default_meta(
                _("How to search"),
                _("What the search box understands: words, phrases, filters and dates."),
            ),
            syntax=syntax.SYNTAX,
            api_docs=API_DOCS.is_file(),
        )
    )


@bp.get("/help/api")
def api_docs():
    """docs/api.md as a page: the full reference, not a second copy of it."""
    if not API_DOCS.is_file():
        abort(404)
    text = API_DOCS.read_text(encoding="utf-8")
    changed = str(API_DOCS.stat().st_mtime_ns)
    return _page(lambda: render_template("doc.html", body=render_markdown(text)), changed)


@bp.get("/assets/<name>")
def asset(name: str):
    """A static asset under its content-hashed name: cached for a year, never revalidated."""
    found = assets().by_name.get(name)
    if found is None:
        abort(404)
    body, encoding = found.body, None
    for candidate in ("br", "gzip"):
        if candidate in found.encoded and candidate in request.accept_encodings:
            body, encoding = found.encoded[candidate], candidate
            break
    response = Response(body, mimetype=found.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if found.encoded:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = IMMUTABLE
    return response


# --- page pieces -------------------------------------------------------------------------


def _render_image(renderer, tokens, idx, options, env) -> str:
    """An announcement's image from ``ASSET_BASE_URL``, or a visible "not available"."""
    token = tokens[idx]
    src = str(token.attrs.get("src") or "")
    alt = "".join(child.content for child in token.children or []) or token.content
    base = env.get("base")
    relative = src.removeprefix("@/assets/").lstrip("/")
    if base and "://" not in src:
        url = base.rstrip("/") + "/" + relative
        return sanitise.keep(env, f'<img src="{escape(url)}" alt="{escape(alt)}" loading="lazy">')
    label, ui = env["missing"], env["ui"]
    return sanitise.keep(
        env,
        f'<span class="img-missing" role="img" aria-label="{escape(alt)}: {escape(label)}">'
        f'{escape(alt)} · <span lang="{ui}">{escape(label)}</span></span>',
    )


_MD = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
_MD.add_render_rule("image", _render_image)
_MD_RAW = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
_MD_RAW.add_render_rule("image", _render_image)


def render_markdown(text: str, *, raw_html: bool = False) -> Markup:
    """Markdown → HTML. Raw HTML in the source is shown as text, or, with ``raw_html``
    (an announcement's body), rendered through the allow-list of :mod:`webapp.sanitise`."""
    env = {
        "base": current_app.config.get("ASSET_BASE_URL"),
        "missing": _("image not available"),
        "ui": i18n.ui_language(),
    }
    if raw_html:
        return Markup(sanitise.render(_MD_RAW, text, env))
    return Markup(_MD.render(text, env))


def repeats_first_paragraph(description: str, body: str) -> bool:
    """Whether the summary is the body's first paragraph again (as most are)."""
    first = " ".join(body.split("\n\n", 1)[0].split())
    summary = " ".join(description.split()).rstrip("…. ")
    return bool(summary) and fuzz.ratio(summary, first[: len(summary)]) >= 90


def active_filters(req: SearchRequest, ui: str) -> list[tuple[str, str, str]]:
    """(facet, value, link that removes it) for every filter in force."""
    out = [
        (name, value, params.toggle(req, name, value))
        for name, chosen in req.filters
        for value in chosen
    ]
    if req.date_from:
        out.append(("from", req.date_from.isoformat(), params.query_string(req, date_from=None)))
    if req.date_to:
        out.append(("to", req.date_to.isoformat(), params.query_string(req, date_to=None)))
    return out


def timeline(result: SearchResult, ui: str) -> list[dict]:
    """Rows of the timeline: label, count, bar length (% of the busiest), link.

    The bars are the values of the facet the search drew the timeline by
    (``result.timeline_by``), each a link that toggles it: months when one year is
    chosen, or when a date range lies within one year (that year's months are asked
    for with the range applied); years otherwise.
    """
    req = result.request
    points, base, by = result.timeline, req, BY_NAME[result.timeline_by]
    if by.within and not req.selected(by.within):  # a date range within one year
        value = next(v.value for v in result.facets[by.within] if v.count)
        base = req.with_selected(by.within, (value,)).replace(page=req.page)
    if not points:
        return []
    peak = max(c for _, c, _ in points) or 1
    return [
        {
            "label": value_label(by.name, label, ui),
            "count": count,
            "pct": round(count / peak * 100, 1),
            "selected": selected,
            "href": params.toggle(base, by.name, label),
        }
        for label, count, selected in points
    ]


# --- errors: a friendly page, never a traceback ----------------------------------------------


def _machine(path: str) -> bool:
    return path.startswith("/api/") or path.startswith("/feed")


def register_errors(app: Flask) -> None:

    @app.errorhandler(params.BadParameter)
    def bad_parameter(exc: params.BadParameter):
        if _machine(request.path):
            return {"error": str(exc)}, 400
        return _error_page(400, str(exc))

    @app.errorhandler(PageOutOfRange)
    def past_the_end(exc: PageOutOfRange):
        if _machine(request.path):
            return {"error": str(exc), "pages": exc.pages}, 400
        req = params.parse_request(request.args, prefer=i18n.ui_language())
        last = url_for("views.search_page") + params.query_string(req, page=exc.pages)
        ui = i18n.ui_language()
        message = _(
            "Page %(page)s is past the last page (%(pages)s).",
            page=i18n.number(req.page, ui),
            pages=i18n.number(exc.pages, ui),
        )
        return _error_page(400, message, link=last)

    @app.errorhandler(store.IndexMissing)
    def no_index(exc: store.IndexMissing):
        if request.path.startswith("/api/") or request.path == "/healthz":
            return {"error": str(exc)}, 503
        return _error_page(503, _("The search index is being prepared. Please try again soon."))

    @app.errorhandler(SecurityError)
    def untrusted_host(exc: SecurityError):
        """A ``Host`` not in ``TRUSTED_HOSTS``: no link can be made for it, so no page
        either; a plain answer that repeats nothing of the request."""
        response = Response("This server does not answer for that host name.\n", 400)
        response.mimetype = "text/plain"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            return {"error": exc.description}, exc.code
        if exc.code == 404:
            message = _("There is no page at this address. The link may be mistyped or old.")
        elif exc.code == 405:
            message = _("This address only answers requests to read a page.")
        else:
            message = _("That request could not be answered.")
        return _error_page(exc.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return {"error": "Something went wrong on our side."}, 500
        return _error_page(500, _("Something went wrong on our side. Please try again."))


def _error_page(status: int, message: str, link: str | None = None):
    titles = {
        400: _("That search could not be run"),
        404: _("Page not found"),
        503: _("Search is not ready yet"),
    }
    html = render_template(
        "error.html",
        status=status,
        title=titles.get(status) or _("Something went wrong"),
        message=message,
        link=link,
        q=request.args.get("q", ""),
    )
    response = Response(html, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response
