"""Links that travel: the interface language in every link, a first visit in the
browser's language, tracking parameters dropped, and what search engines, link previews
and browsers read (meta, OpenGraph, hreflang, canonical, robots.txt, the sitemap,
OpenSearch). Through Flask's test client on ``corpus`` (the real corpus, or
``content/``); expected sets come from the content files, not from the app."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from indexer import store
from tests.conftest import Corpus
from webapp import create_app

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# entity pages by URL name and the index field holding their values, written out by hand
FIELDS = {
    "minister": "ministers",
    "province": "provinces",
    "person": "people",
    "place": "places",
    "org": "organisations",
}
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
# The list, written out by hand: each must be redirected away on every page.
TRACKING = (
    "ref", "share", "amp", "gclid", "fbclid", "utm_source", "utm_medium", "utm_campaign",
    "utm_content", "utm_term", "igshid", "mibextid", "si", "mc_cid", "mc_eid", "yclid",
    "msclkid", "_ga",
)  # fmt: skip


@pytest.fixture(scope="module")
def client(search_index: Path):
    return create_app({"INDEX_DIR": search_index}).test_client()


def fresh(search_index: Path, **config):
    """A client with no cookie: a first visit."""
    return create_app({"INDEX_DIR": search_index, **config}).test_client()


def slugs(corpus: Corpus, lang: str) -> set[str]:
    return {p.stem for p in corpus.files(lang)}


def an_article(corpus: Corpus) -> str:
    """A slug with both versions: the first one the content folders share."""
    return sorted(slugs(corpus, "en") & slugs(corpus, "km"))[0]


class Head(HTMLParser):
    """The links, forms and ``<head>`` tags of a page, as a browser would read them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.hrefs: list[str] = []
        self.switch = ""  # the link to this page in the other interface language
        self.forms: list[dict[str, str]] = []  # each form's hidden inputs
        self.lang = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "meta" and ("name" in a or "property" in a):
            self.meta[a.get("name") or a["property"]] = a.get("content", "")
        elif tag == "link":
            self.links.append(a)
        elif tag == "a" and "ui-switch" in a.get("class", ""):
            self.switch = a["href"]
        elif tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        elif tag == "form":
            self.forms.append({})
        elif tag == "input" and a.get("type") == "hidden" and self.forms:
            self.forms[-1][a["name"]] = a["value"]

    def link(self, rel: str) -> list[dict[str, str]]:
        return [x for x in self.links if rel in x.get("rel", "").split()]


def page_paths(corpus: Corpus) -> list[str]:
    slug = an_article(corpus)
    return [
        "/",
        "/search?q=Takeo",
        "/search?province=Takeo&sort=oldest",
        f"/a/en/{slug}",
        f"/a/km/{slug}?q=Takeo",
        "/help",
        "/help/api",
        "/no-such-page",
        "/search?year=twenty",
    ]


# --- the interface language travels ----------------------------------------------------------


@pytest.mark.parametrize("ui", ["en", "km"])
def test_every_link_and_form_a_page_emits_carries_its_language(client, corpus, ui) -> None:
    for path in page_paths(corpus):
        sep = "&" if "?" in path else "?"
        page = Head(client.get(f"{path}{sep}ui={ui}").text)
        assert page.lang == ui, path
        internal = [h for h in page.hrefs if h.startswith("/") and h != "/openapi.json"]
        assert internal, path
        for href in internal:
            assert dict(parse_qsl(urlsplit(href).query)).get("ui") == ui, (path, href)
        other = "en" if ui == "km" else "km"
        assert dict(parse_qsl(urlsplit(page.switch).query))["ui"] == other, path
        for form in page.forms:
            assert form.get("ui") == ui, (path, form)


def test_a_link_copied_from_a_khmer_page_opens_in_khmer(search_index, corpus) -> None:
    reader = fresh(search_index)
    page = Head(reader.get(f"/a/en/{an_article(corpus)}?ui=km").text)
    links = [h for h in page.hrefs if h.startswith("/search?") and "province=" in h]
    links += [h for h in page.hrefs if h.startswith("/a/")]
    assert links
    for href in links:
        friend = fresh(search_index)  # no cookie, an English browser
        opened = friend.get(href, headers={"Accept-Language": "en-GB,en;q=0.9"})
        assert opened.status_code == 200, href
        assert Head(opened.text).lang == "km", href


def test_a_first_visit_follows_accept_language(search_index) -> None:
    def lang(headers: dict[str, str], path: str = "/", cookie: str | None = None) -> str:
        c = fresh(search_index)
        if cookie:
            c.set_cookie("ui", cookie)
        return Head(c.get(path, headers=headers).text).lang

    assert lang({"Accept-Language": "km"}) == "km"
    assert lang({"Accept-Language": "km-KH,km;q=0.9,en-US;q=0.8"}) == "km"
    assert lang({"Accept-Language": "fr-FR,km;q=0.5,en;q=0.4"}) == "km"
    assert lang({"Accept-Language": "en-US,en;q=0.9,km;q=0.8"}) == "en"
    assert lang({"Accept-Language": "fr-FR"}) == "en"
    assert lang({}) == "en"
    # a choice made (the cookie) or a link's language wins over the browser's
    assert lang({"Accept-Language": "km"}, cookie="en") == "en"
    assert lang({"Accept-Language": "km"}, path="/?ui=en") == "en"
    r = fresh(search_index).get("/help", headers={"Accept-Language": "km"})
    assert "Accept-Language" in r.headers["Vary"]


# --- tracking and sharing parameters ---------------------------------------------------------


@pytest.mark.parametrize("name", TRACKING)
def test_each_tracking_parameter_is_redirected_away(client, corpus, name) -> None:
    slug = an_article(corpus)
    for path, kept in (
        ("/search?q=Takeo&{t}=x1&ui=km", "/search?q=Takeo&ui=km"),
        ("/?{t}=IwAR0&ui=en", "/?ui=en"),
        (f"/a/en/{slug}?{{t}}=1", f"/a/en/{slug}"),
        ("/help?ui=km&{t}=abc", "/help?ui=km"),
        ("/sitemap.xml?{t}=1", "/sitemap.xml"),
    ):
        r = client.get(path.format(t=name))
        assert r.status_code == 301, (name, path)
        assert r.headers["Location"] == kept, (name, path)
    # the API is strict: an unknown parameter is an error that names it
    api = client.get(f"/api/search?q=Takeo&{name}=x")
    assert api.status_code == 400 and name in api.get_json()["error"]


# --- what search engines and previews read ---------------------------------------------------


@pytest.mark.parametrize("ui", ["en", "km"])
def test_every_page_has_a_description_opengraph_and_a_canonical_link(client, corpus, ui) -> None:
    for path in page_paths(corpus):
        sep = "&" if "?" in path else "?"
        page = Head(client.get(f"{path}{sep}ui={ui}").text)
        for key in (
            "description",
            "og:title",
            "og:description",
            "og:url",
            "og:type",
            "og:locale",
            "og:site_name",
            "twitter:card",
            "twitter:title",
            "twitter:description",
        ):
            assert page.meta.get(key, "").strip(), (path, key)
        (canonical,) = page.link("canonical")
        assert canonical["href"].startswith("http://localhost/"), path
        assert dict(parse_qsl(urlsplit(canonical["href"]).query))["ui"] == ui
        assert page.meta["og:url"] == canonical["href"]
        hreflangs = {x["hreflang"]: x["href"] for x in page.link("alternate") if "hreflang" in x}
        assert {"en", "km"} <= set(hreflangs), path
        (search,) = page.link("search")
        assert search["type"] == "application/opensearchdescription+xml"


def test_search_pages_are_canonical_and_alternate_by_interface_language(client) -> None:
    page = Head(client.get("/search?sort=oldest&q=Takeo&province=Takeo&ui=km").text)
    (canonical,) = page.link("canonical")
    base = "http://localhost/search?q=Takeo&province=Takeo&sort=oldest"
    assert canonical["href"] == base + "&ui=km"
    hreflangs = {x["hreflang"]: x["href"] for x in page.link("alternate") if "hreflang" in x}
    assert hreflangs == {"en": base + "&ui=en", "km": base + "&ui=km", "x-default": base}
    assert page.meta["og:locale"] == "km_KH" and page.meta["og:type"] == "website"


def test_an_announcement_tells_previews_its_title_summary_language_and_date(client, corpus) -> None:
    slug = an_article(corpus)
    text = (corpus.root / "km" / f"{slug}.md").read_text(encoding="utf-8")
    date = re.search(r"^date:\s*['\"]?(\d{4}-\d{2}-\d{2})", text, re.M)
    assert date
    page = Head(client.get(f"/a/km/{slug}?q=Takeo&ui=en").text)
    assert page.meta["og:type"] == "article"
    assert page.meta["og:locale"] == "km_KH"  # the announcement's language, not the UI's
    assert page.meta["article:published_time"] == date.group(1)
    title = client.get("/api/search?q=&lang=km&per_page=100&ui=km").get_json()
    (hit,) = [h for h in title["results"] if h["slug"] == slug]
    assert page.meta["og:title"] == hit["title"]
    assert page.meta["description"] and page.meta["description"] != hit["title"]
    (canonical,) = page.link("canonical")
    assert canonical["href"] == f"http://localhost/a/km/{slug}?ui=en"  # no search in it
    hreflangs = {x["hreflang"]: x["href"] for x in page.link("alternate") if "hreflang" in x}
    assert hreflangs == {
        "en": f"http://localhost/a/en/{slug}?ui=en",
        "km": f"http://localhost/a/km/{slug}?ui=km",
    }


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_off_the_api(client) -> None:
    r = client.get("/robots.txt")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    lines = r.text.splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /api/" in lines and "Disallow: /feed.atom" in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert not any(line in ("Disallow: /", "Disallow: /search", "Disallow: /a/") for line in lines)


def check_sitemap_structure(root: ET.Element, kind: str) -> None:
    """The sitemap protocol 0.9 (sitemaps.org/protocol.html), checked by hand: the root
    element in the protocol's namespace, only ``url``/``sitemap`` children each with one
    absolute ``loc`` of at most 2,048 characters and an optional W3C date ``lastmod``,
    at most 50,000 of them."""
    assert root.tag == SITEMAP + kind
    child = "url" if kind == "urlset" else "sitemap"
    assert 0 < len(root) <= 50_000
    for entry in root:
        assert entry.tag == SITEMAP + child
        tags = [e.tag for e in entry]
        assert tags in ([SITEMAP + "loc"], [SITEMAP + "loc", SITEMAP + "lastmod"]), tags
        loc = entry.find(SITEMAP + "loc")
        assert loc is not None and loc.text and len(loc.text) <= 2048
        assert loc.text.startswith("http://localhost/") and loc.text.strip() == loc.text
        lastmod = entry.find(SITEMAP + "lastmod")
        if lastmod is not None:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod.text or "")


def sitemap_urls(client) -> list[str]:
    r = client.get("/sitemap.xml")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    root = ET.fromstring(r.data)
    if root.tag == SITEMAP + "urlset":
        check_sitemap_structure(root, "urlset")
        return [e.findtext(SITEMAP + "loc") or "" for e in root]
    check_sitemap_structure(root, "sitemapindex")
    out = []
    for part in root:
        loc = part.findtext(SITEMAP + "loc") or ""
        r = client.get(urlsplit(loc).path)
        assert r.status_code == 200, loc
        urlset = ET.fromstring(r.data)
        check_sitemap_structure(urlset, "urlset")
        out += [e.findtext(SITEMAP + "loc") or "" for e in urlset]
    return out


def expected_sitemap(corpus: Corpus, index: Path) -> set[str]:
    """The landing page, every file of the corpus and every name the index stores (read
    from its stored fields with Whoosh, not through the app), in both languages; URLs
    compared percent-decoded."""
    ix, _ = store.open_index(index)
    with ix.searcher() as s:
        stored = list(s.all_stored_fields())
    names = {
        (facet, value)
        for f in stored
        for facet, field in FIELDS.items()
        for value in (f.get(field) or "").split("\n")
        if value
    }
    pages = ["/search"] + [
        f"/a/{lang}/{slug}" for lang in ("en", "km") for slug in slugs(corpus, lang)
    ]
    pages += [f"/{facet}/{value}" for facet, value in names]
    return {f"http://localhost{page}?ui={ui}" for page in pages for ui in ("en", "km")}


def test_the_sitemap_lists_every_announcement_in_both_languages(
    client, corpus, search_index
) -> None:
    urls = sitemap_urls(client)
    assert len(urls) == len(set(urls))
    assert {unquote(u) for u in urls} == expected_sitemap(corpus, search_index)
    assert "http://localhost/person/Chea%20Vandeth?ui=km" in urls
    for url in urls[:6]:  # each listed page is there
        assert client.get(urlsplit(url).path + "?" + urlsplit(url).query).status_code == 200


def test_a_large_sitemap_is_an_index_of_parts(search_index, corpus) -> None:
    small = fresh(search_index, SITEMAP_URLS=10)
    root = ET.fromstring(small.get("/sitemap.xml").data)
    assert root.tag == SITEMAP + "sitemapindex"
    expected = expected_sitemap(corpus, search_index)
    assert len(root) == -(-len(expected) // 10)
    urls = sitemap_urls(small)
    assert {unquote(u) for u in urls} == expected and len(urls) == len(expected)
    assert small.get(f"/sitemap-{len(root) + 1}.xml").status_code == 404
    assert small.get("/sitemap-0.xml").status_code == 404


@pytest.mark.parametrize("ui", ["en", "km"])
def test_opensearch_description_lets_a_browser_add_the_box(client, ui) -> None:
    r = client.get(f"/opensearch.xml?ui={ui}")
    assert r.status_code == 200 and r.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(r.data)
    assert root.tag == OPENSEARCH + "OpenSearchDescription"
    short = root.findtext(OPENSEARCH + "ShortName") or ""
    assert 0 < len(short) <= 16
    assert root.findtext(OPENSEARCH + "Language") == ui
    urls = {u.get("type"): u.get("template") for u in root.iter(OPENSEARCH + "Url")}
    assert urls["text/html"] == f"http://localhost/search?q={{searchTerms}}&ui={ui}"
    html = client.get(urls["text/html"].replace("{searchTerms}", "Takeo"))
    assert html.status_code == 200 and Head(html.text).lang == ui
    feed = client.get(urls["application/atom+xml"].replace("{searchTerms}", "Takeo"))
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"


SCHEMAS = Path(__file__).parent / "data" / "sitemaps"


def _valid(xml: bytes, schema: str) -> None:
    """``xml`` against the sitemap protocol's schema (``tests/data/sitemaps``)."""
    from lxml import etree

    checker = etree.XMLSchema(etree.parse(str(SCHEMAS / schema)))
    document = etree.fromstring(xml)
    assert checker.validate(document), checker.error_log.last_error


def test_the_sitemap_validates_against_the_sitemap_schema(search_index) -> None:
    """The whole sitemap, and a large one's index and each of its parts."""
    client = fresh(search_index)
    _valid(client.get("/sitemap.xml").data, "sitemap.xsd")
    small = fresh(search_index, SITEMAP_URLS=10)
    index = small.get("/sitemap.xml").data
    _valid(index, "siteindex.xsd")
    for n in range(1, len(ET.fromstring(index)) + 1):
        _valid(small.get(f"/sitemap-{n}.xml").data, "sitemap.xsd")


def test_the_schema_check_refuses_a_sitemap_off_the_protocol() -> None:
    """The check itself: an entry without ``loc``, and a date that is no date, fail."""
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    no_loc = f'<urlset xmlns="{ns}"><url><lastmod>2025-01-01</lastmod></url></urlset>'
    bad_date = f'<urlset xmlns="{ns}"><url><loc>http://localhost/a/en/x</loc><lastmod>2025-13-01</lastmod></url></urlset>'
    for wrong in (no_loc, bad_date):
        with pytest.raises(AssertionError):
            _valid(wrong.encode(), "sitemap.xsd")
