"""What search engines, link previews and browsers read about the pages.

Every page's ``<head>`` carries a :class:`Meta`: a description, OpenGraph and Twitter
tags, the canonical link and ``hreflang`` alternates (the page in each interface
language; an announcement's page in each of its versions). Pages that make their own
pass one to their template; the rest get :func:`default_meta` (this URL, its
parameters kept, in each interface language).

The blueprint serves ``/robots.txt``, ``/sitemap.xml`` (every version of every
announcement and every entity page in each interface language, per index generation;
a sitemap index of ``/sitemap-<n>.xml`` files when there are more than
``SITEMAP_URLS``) and ``/opensearch.xml`` (so a browser can add the search box). XML
is made with ElementTree, never by pasting strings, so every value is escaped by
construction.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from indexer.documents import LANGUAGES
from indexer.facets import ENTITY_FACETS
from webapp import i18n, params, urls
from webapp.search import SearchRequest, Snapshot

bp = Blueprint("seo", __name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
SITEMAP_URLS = 50_000  # the protocol's limit for one file
DESCRIPTION = _l(
    "Search the ministry's announcements in English and Khmer by words, minister, "
    "province, person, place and date."
)


@dataclass(frozen=True)
class Meta:
    """What a page says about itself in its ``<head>``."""

    title: str
    description: str
    canonical: str  # absolute
    alternates: tuple[tuple[str, str], ...]  # (hreflang, absolute URL)
    locale: str  # the OpenGraph locale of the page's main text: ``km_KH``
    type: str = "website"  # OpenGraph: website | article | profile
    published: str | None = None  # ISO date of an article


def with_ui(url: str, pairs: list[tuple[str, str]], ui: str | None) -> str:
    """``url`` with ``pairs`` and then ``ui`` (when given) as its query string."""
    query = [*pairs, ("ui", ui)] if ui else pairs
    return url + ("?" + urlencode(query) if query else "")


def ui_alternates(url: str, pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The same page in each interface language, and without one (``x-default``: the
    reader's browser decides)."""
    return (
        *((lang, with_ui(url, pairs, lang)) for lang in i18n.UI_LANGS),
        ("x-default", with_ui(url, pairs, None)),
    )


def default_meta(title: str | None = None, description: str | None = None) -> Meta:
    """The meta of a page that makes none of its own: this URL in its interface language."""
    ui = i18n.ui_language()
    if request.endpoint and request.url_rule is not None:
        url = urls.external(request.endpoint, **(request.view_args or {}))
    else:  # an error page for an address no route has (its path quoted, under the base)
        url = urls.base() + urls.here([]).removeprefix(request.script_root)
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "ui"]
    return Meta(
        title=title or _("Ministry announcements"),
        description=description or str(DESCRIPTION),
        canonical=with_ui(url, pairs, ui),
        alternates=ui_alternates(url, pairs),
        locale=i18n.og_locale(ui),
    )


def search_meta(req: SearchRequest, title: str) -> Meta:
    """A search page's meta: its canonical parameters (:func:`webapp.params.to_params`)."""
    url = urls.external("views.search_page")
    pairs = params.to_params(req, ui=False)
    return Meta(
        title=title,
        description=str(DESCRIPTION),
        canonical=with_ui(url, pairs, req.prefer),
        alternates=ui_alternates(url, pairs),
        locale=i18n.og_locale(req.prefer),
    )


def article_meta(
    lang: str, slug: str, title: str, summary: str, date: str, versions: list[str]
) -> Meta:
    """An announcement's meta: canonical in this interface language; one alternate per
    language, the version in that language read in that interface when it exists."""
    ui = i18n.ui_language()

    def url(version: str, in_ui: str) -> str:
        return urls.external("views.article", lang=version, slug=slug, ui=in_ui)

    return Meta(
        title=title,
        description=summary or title,
        canonical=url(lang, ui),
        alternates=tuple(
            (other, url(other if other in versions else lang, other)) for other in i18n.UI_LANGS
        ),
        locale=i18n.og_locale(lang),
        type="article",
        published=date,
    )


@bp.app_context_processor
def helpers() -> dict:
    return {"default_meta": default_meta}


# --- robots, sitemap, OpenSearch -----------------------------------------------------------


def _xml(root: ET.Element, mimetype: str) -> Response:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/robots.txt")
def robots() -> Response:
    """Pages are for everyone; the machine views of the same searches are not to crawl."""
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /feed.atom",
        "",
        "Sitemap: " + urls.external("seo.sitemap"),
        "",
    ]
    response = Response("\n".join(lines), mimetype="text/plain")
    response.headers["Cache-Control"] = "no-cache"
    return response


def announcements(snap: Snapshot) -> list[tuple[str, str, str]]:
    """(slug, lang, ISO date) of every live file of a generation, by slug then language:
    read once per generation (the snapshot's memo) from the index's columns."""
    return snap.memo.get("sitemap", lambda: _announcements(snap))


def _announcements(snap: Snapshot) -> list[tuple[str, str, str]]:
    cols = snap.columns
    slugs = list(snap.searcher.reader().column_reader("slug"))
    out = []
    for docnum, slug in enumerate(slugs):
        if cols.alive[docnum] and cols.lang[docnum] >= 0:
            day = dt.date.fromordinal(int(cols.date[docnum])).isoformat()
            out.append((str(slug), LANGUAGES[int(cols.lang[docnum])], day))
    out.sort()
    return out


def _pages(snap: Snapshot) -> int:
    pages = (
        1 + len(announcements(snap)) + sum(len(snap.columns.values(f.name)) for f in ENTITY_FACETS)
    )
    urls = pages * len(i18n.UI_LANGS)
    size = current_app.config.get("SITEMAP_URLS", SITEMAP_URLS)
    return max(1, -(-urls // size))


def _urls(snap: Snapshot) -> list[tuple[str, str | None]]:
    """(absolute URL, lastmod) of every page the sitemap lists: the landing page, each
    announcement's version and each entity facet value's page, in each interface
    language."""
    landing = urls.external("views.search_page")
    out: list[tuple[str, str | None]] = [(with_ui(landing, [], ui), None) for ui in i18n.UI_LANGS]
    for slug, lang, day in announcements(snap):
        page = urls.external("views.article", lang=lang, slug=slug)
        out += [(with_ui(page, [], ui), day) for ui in i18n.UI_LANGS]
    for facet in ENTITY_FACETS:  # every official's, place's, organisation's page
        for value in snap.columns.values(facet.name):
            page = urls.external("entities.entity_page", facet=facet.name, value=value)
            out += [(with_ui(page, [], ui), None) for ui in i18n.UI_LANGS]
    return out


def _urlset(urls: list[tuple[str, str | None]]) -> ET.Element:
    root = ET.Element("urlset", xmlns=SITEMAP_NS)
    for loc, lastmod in urls:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = loc
        if lastmod:
            ET.SubElement(url, "lastmod").text = lastmod
    return root


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """The sitemap of the live generation, or an index of its parts when it is large."""
    snap = current_app.extensions["search"].snapshot()
    pages = _pages(snap)
    if pages == 1:
        return _xml(_urlset(_urls(snap)), "application/xml")
    root = ET.Element("sitemapindex", xmlns=SITEMAP_NS)
    for n in range(1, pages + 1):
        part = ET.SubElement(root, "sitemap")
        ET.SubElement(part, "loc").text = urls.external("seo.sitemap_part", n=n)
    return _xml(root, "application/xml")


@bp.get("/sitemap-<int:n>.xml")
def sitemap_part(n: int) -> Response:
    snap = current_app.extensions["search"].snapshot()
    pages = _pages(snap)
    if pages == 1 or not 1 <= n <= pages:
        abort(404)
    size = current_app.config.get("SITEMAP_URLS", SITEMAP_URLS)
    return _xml(_urlset(_urls(snap)[(n - 1) * size : n * size]), "application/xml")


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """An OpenSearch description: a browser offers the box as one of its search engines,
    searching in the interface language the description was found in."""
    ui = i18n.ui_language()
    search = urls.external("views.search_page")
    feed = urls.external("api.feed")
    root = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH_NS)
    ET.SubElement(root, "ShortName").text = _("Announcements")[:16]
    ET.SubElement(root, "Description").text = str(DESCRIPTION)
    ET.SubElement(root, "InputEncoding").text = "UTF-8"
    ET.SubElement(root, "Language").text = ui
    # {searchTerms} is the protocol's placeholder: written as is, never percent-encoded
    ET.SubElement(
        root, "Url", type="text/html", method="get", template=f"{search}?q={{searchTerms}}&ui={ui}"
    )
    ET.SubElement(
        root, "Url", type="application/atom+xml", template=f"{feed}?q={{searchTerms}}&ui={ui}"
    )
    ET.SubElement(
        root,
        "Url",
        type="application/opensearchdescription+xml",
        rel="self",
        template=urls.external("seo.opensearch", ui=ui),
    )
    response = _xml(root, "application/opensearchdescription+xml")
    response.vary.update(("Cookie", "Accept-Language"))  # the language may come from either
    return response
