"""Machine-readable views of the same search: JSON, CSV, Atom, and a health check.

Every URL takes the search page's parameters (:mod:`webapp.params`), so a search can
be moved between the page, a spreadsheet and a feed reader by changing the path.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

from defusedcsv import csv
from flask import Blueprint, Response, current_app, request, stream_with_context, url_for
from flask_babel import gettext as _

from indexer import store
from indexer.facets import ENTITY_FACETS
from webapp import feeds, params, suggest, urls, vector
from webapp.i18n import ui_language
from webapp.search import Hit, SearchResult, SearchService, Snapshot
from webapp.views import snapshot  # pinned per request: one generation, named in the log

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
    return urls.external("views.article", lang=lang, slug=slug)


def _kept(response: Response, result: SearchResult) -> Response:
    """A complete answer may be kept and revalidated; one the budget cut short, never."""
    response.headers["Cache-Control"] = "no-cache" if result.complete else "no-store"
    return response


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
                # this version's text is another language's, not a translation
                "untranslated": h.lang in h.untranslated,
                "untranslated_versions": list(h.untranslated),
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
        "timeline": {
            "by": result.timeline_by,
            "points": [{"label": k, "count": c, "selected": sel} for k, c, sel in result.timeline],
        },
        "notices": [str(n) for n in result.notices],
        "suggestion": result.suggestion,
        "respelled_from": result.respelled_from,
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
    result = service().search(_request(), snapshot())
    response = current_app.json.response(as_json(result, article_url))
    page = url_for("views.search_page") + params.query_string(
        result.request, page=result.request.page
    )
    response.headers["Link"] = f'<{page}>; rel="alternate"; type="text/html"'  # quoted parts
    return _kept(response, result)


@bp.get("/api/search.csv")
def search_csv():
    """Every matching announcement, best first, as CSV: at most ``CSV_MAX_ROWS`` rows and
    ``CSV_TIME_BUDGET_S`` seconds for the whole export (one deadline, from the moment
    the generation is open: matching, ranking and every row). Rows are streamed as they
    are read. An export cut short says so: ``X-Prakas-Truncated`` (``rows`` or
    ``time``) when that is known before the first row, and always a last row starting
    with ``#`` (docs/api.md).

    A cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``… first) is
    written with a leading apostrophe (OWASP's advice, by ``defusedcsv``); leading
    white space, which would hide such a cell from that check, is dropped first."""
    req = _request().replace(page=1)
    limit = current_app.config["CSV_MAX_ROWS"]
    search = service()
    snap = snapshot()  # the whole export from one generation, named in the log
    budget = current_app.config["CSV_TIME_BUDGET_S"]
    deadline = vector.Deadline(budget, search.clock)
    total, hits = search.export(req, limit, deadline, snap)
    response = Response(
        stream_with_context(_csv_rows(hits, total, limit, deadline, budget)), mimetype="text/csv"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="announcements.csv"'
    response.headers["Cache-Control"] = "no-store"  # a download, not a page to revalidate
    if deadline.ran_out:
        response.headers["X-Prakas-Truncated"] = "time"
    elif total > limit:
        response.headers["X-Prakas-Truncated"] = "rows"
    return response


def _csv_rows(
    hits: Iterator, total: int, limit: int, deadline: vector.Deadline, budget: float
) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)

    def flushed() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + flushed()
    written = 0
    for h in hits:
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
        if written % 100 == 0:
            yield flushed()
    if deadline.ran_out:
        writer.writerow(
            [f"# truncated: the {budget:g} s time budget ran out after {written} of {total} rows"]
        )
    elif total > written:
        writer.writerow([f"# truncated: {written} of {total} rows (the limit is {limit})"])
    yield flushed()


@bp.get("/feed.atom")
def feed():
    """An Atom feed of any search, newest first: follow "Takeo, by the Minister".
    Written by :mod:`webapp.feeds` (an XML serialiser), its links under the public
    address (:mod:`webapp.urls`)."""
    asked = _request()
    req = asked.replace(sort="newest", page=1, per_page=current_app.config["FEED_ENTRIES"])
    snap = snapshot()
    result = service().search(req, snap)
    own = params.to_params(asked, page=False)  # its interface language included
    self_url = urls.base() + urls.here(own).removeprefix(request.script_root)
    page_url = urls.external("views.search_page") + params.query_string(req)
    shown = result.suggestion if result.respelled_from is not None else req.q  # what it lists
    title = _("Announcements: %(query)s", query=shown) if shown else _("Announcements")
    body = atom(title, self_url, page_url, entries(result.hits, req.prefer, snap))
    return _kept(Response(body, mimetype="application/atom+xml"), result)


def entries(hits: list[Hit], ui: str, snap: Snapshot) -> list[feeds.Entry]:
    """Feed entries for results: each version's summary and publisher, its link in the
    reader's interface language, read from the request's generation."""
    out = []
    for h in hits:
        doc = service().article(h.lang, h.slug, snap)
        out.append(
            feeds.Entry(
                id=article_url(h.lang, h.slug),
                link=urls.external("views.article", lang=h.lang, slug=h.slug, ui=ui),
                title=h.title,
                lang=h.lang,
                date=h.date,
                summary=(doc.description if doc else "") or h.snippet.striptags(),
                author=doc.author if doc else "",
            )
        )
    return out


def atom(title: str, self_url: str, page_url: str, items: list[feeds.Entry]) -> bytes:
    """A feed of ``items`` in the interface language (:func:`webapp.feeds.feed`)."""
    return feeds.feed(
        id=self_url,
        title=title,
        lang=ui_language(),
        self_url=self_url,
        page_url=page_url,
        author=_("Ministry announcements"),
        entries=items,
        updated=dt.date.today().isoformat(),
    )


@bp.get("/api/suggest")
def suggest_json():
    """Completions of what is typed in the box (:mod:`webapp.suggest`), for the
    autocomplete; any text gets a list, never an error."""
    typed = request.args.get("q", "")
    found = suggest.completions(snapshot(), typed, _completion_url)
    response = current_app.json.response(found)
    response.headers["Cache-Control"] = "no-cache"  # as a search's: one generation's answer
    return response


def _completion_url(target: suggest.Target) -> str:
    if target.kind == "title":
        return url_for("views.article", lang=target.lang, slug=target.slug)
    values: dict[str, Any] = {target.kind: target.value}  # ?province=Takeo
    return url_for("views.search_page", **values)


@bp.get("/healthz")
def healthz():
    snap = snapshot()
    meta = store.read_meta(snap.generation)
    units = snap.columns.units["announcement"]
    alive = snap.columns.alive
    damaged = service().damaged  # the live generation failed its checks: an older one serves
    return {
        "status": "degraded" if damaged else "ok",
        **({"problem": damaged} if damaged else {}),
        # an announcement is every language version of one slug; a file is one version
        "announcements": int(units.any(alive).sum()),
        "files": int(alive.sum()),
        "documents": snap.searcher.doc_count(),
        "generation": snap.generation.name,
        "indexed_at": meta.get("built_at"),
        "versions": meta.get("versions", {}),
    }
