"""Machine-readable views of the same search: JSON, CSV, Atom, and a health check.

Every URL takes the search page's parameters (:mod:`webapp.params`), so a search can
be moved between the page, a spreadsheet and a feed reader by changing the path.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from defusedcsv import csv
from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _

from indexer import store
from indexer.facets import ENTITY_FACETS
from webapp import atom, params
from webapp.i18n import ui_language
from webapp.search import Hit, SearchResult, SearchService

bp = Blueprint("api", __name__)

CSV_COLUMNS = (
    "id",
    "lang",
    "slug",
    "date",
    "title",
    *(f.field for f in ENTITY_FACETS),
    "versions",
    "url",
)

ArticleURL = Callable[[str, str], str]  # (lang, slug) → the announcement page's URL


def service() -> SearchService:
    return current_app.extensions["search"]


def _request():
    return params.parse_request(request.args, service().facet_values, prefer=ui_language())


def article_url(lang: str, slug: str) -> str:
    return url_for("views.article", lang=lang, slug=slug, _external=True)


def as_json(result: SearchResult, link: ArticleURL) -> dict:
    """The API's answer for a search; ``link`` makes the URL of a version's page (the
    web app's router, or a base URL for the CLI), so no request context is needed."""
    req = result.request
    return {
        "query": req.q,
        "filters": _filters(req),
        "unit": req.unit,
        "total": result.total,
        "page": req.page,
        "per_page": req.per_page,
        "pages": result.pages,
        "results": [
            {
                "id": h.id,
                "lang": h.lang,
                "slug": h.slug,
                "title": h.title,
                "date": h.date,
                "snippet": str(h.snippet),
                **{f.field: h.values[f.name] for f in ENTITY_FACETS},
                "url": link(h.lang, h.slug),
                "versions": {lang: link(lang, h.slug) for lang in h.versions},
                "other_language": link(h.others[0], h.slug) if h.others else None,
            }
            for h in result.hits
        ],
        "facets": {
            name: [
                {
                    "value": v.value,
                    "count": v.count,
                    "selected": v.selected,
                    "labels": result.labels.get(name, {}).get(v.value, {}),
                }
                for v in vals
            ]
            for name, vals in result.facets.items()
        },
        "notices": [str(n) for n in result.notices],
        "suggestion": result.suggestion,
        "generation": result.generation,
        "took_ms": round(result.took_ms, 2),
    }


def _filters(req) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in params.to_params(req, page=False, ui=False):
        if key != "q":
            out.setdefault(key, []).append(value)
    return out


@bp.get("/api/search")
def search_json():
    result = service().search(_request())
    response = current_app.json.response(as_json(result, article_url))
    page = url_for("views.search_page") + params.query_string(
        result.request, page=result.request.page
    )
    response.headers["Link"] = f'<{page}>; rel="alternate"; type="text/html"'
    return response


@bp.get("/api/search.csv")
def search_csv():
    """Every matching announcement (all pages, up to ``CSV_MAX_ROWS``) as CSV.

    A cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``… first) is
    written with a leading apostrophe (OWASP's advice, by ``defusedcsv``); leading
    white space, which would hide such a cell from that check, is dropped first."""
    req = _request().replace(page=1, per_page=100)
    limit = current_app.config["CSV_MAX_ROWS"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    written, page = 0, 1
    snap = service().snapshot()  # every page of the export from one generation
    while written < limit:
        result = service().search(req.replace(page=page), snap)
        for h in result.hits[: limit - written]:
            row = [
                h.id,
                h.lang,
                h.slug,
                h.date,
                h.title,
                *("; ".join(h.values[f.name]) for f in ENTITY_FACETS),
                " ".join(h.versions),  # the languages this row stands for
                article_url(h.lang, h.slug),
            ]
            writer.writerow([cell.strip() for cell in row])
            written += 1
        if page >= result.pages:
            break
        page += 1
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="announcements.csv"'
    return response


@bp.get("/feed.atom")
def feed():
    """An Atom feed of any search, newest first: follow "Takeo, by the Minister"."""
    req = _request().replace(sort="newest", page=1, per_page=current_app.config["FEED_ENTRIES"])
    result = service().search(req)
    page_url = url_for("views.search_page", _external=True) + params.query_string(req)
    title = _("Announcements: %(query)s", query=req.q) if req.q else _("Announcements")
    return atom_response(title, page_url, entries(result.hits, req.prefer))


def entries(hits: list[Hit], ui: str) -> list[atom.Entry]:
    """Feed entries for results: each version's summary and publisher, its link in the
    reader's interface language."""
    out = []
    for h in hits:
        doc = service().article(h.lang, h.slug)
        link = article_url(h.lang, h.slug)
        out.append(
            atom.Entry(
                id=link,
                link=url_for("views.article", lang=h.lang, slug=h.slug, ui=ui, _external=True),
                title=h.title,
                lang=h.lang,
                date=h.date,
                summary=(doc.description if doc else "") or h.snippet.striptags(),
                author=doc.author if doc else "",
            )
        )
    return out


def atom_response(title: str, page_url: str, items: list[atom.Entry]) -> Response:
    body = atom.feed(
        id=request.url,
        title=title,
        lang=ui_language(),
        self_url=request.url,
        page_url=page_url,
        author=_("Ministry announcements"),
        entries=items,
        updated=dt.date.today().isoformat(),
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/healthz")
def healthz():
    snap = service().snapshot()
    meta = store.read_meta(snap.generation)
    return {
        "status": "ok",
        "documents": snap.searcher.doc_count(),
        "generation": snap.generation.name,
        "indexed_at": meta.get("built_at"),
        "versions": meta.get("versions", {}),
    }
