"""Issue 26, the web half: what an unfriendly visitor could break, each finding first
reproduced, then shown fixed. Time is an injected clock (``SearchService.clock``), never
the wall clock; the corpus is ``search_index`` (the real one, or ``content/``) unless a
finding needs announcements of its own, written to a tmp dir."""

from __future__ import annotations

import csv
import http.client
import io
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlsplit

import feedparser
import pytest

from tests.conftest import served
from tests.test_worker_generations import big_article_index
from webapp import create_app
from webapp import search as search_module
from webapp.search import SearchService
from webapp.syntax import SYNTAX

BASE = "https://search.example.org"
EVIL = "evil.example"


class StepClock:
    """A clock that reads 0 for its first ``k`` reads and far in the future after."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return 0.0 if self.reads <= self.k else 1e9


class ManualClock:
    """A clock that moves only when the test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def app(search_index: Path):
    return create_app({"INDEX_DIR": search_index, "GENERATION_CHECK_S": 0})


@pytest.fixture()
def fresh(search_index: Path):
    """An app of its own (its caches and clock untouched by other tests)."""
    return create_app({"INDEX_DIR": search_index, "GENERATION_CHECK_S": 0})


def rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def total(client, qs: str) -> int:
    return client.get("/api/search" + qs).get_json()["total"]


# --- finding 1: one budget for a whole CSV export -----------------------------------------


def test_csv_export_has_one_deadline_for_every_row_and_says_when_cut(fresh) -> None:
    """issue 26 finding 1: the export stops when its one deadline passes (here after the
    clock's 6th read: one to start the deadline, one before each row) and says so in a
    last row; before, each page of 100 rows had a fresh second of its own."""
    client = fresh.test_client()
    everything = total(client, "")
    assert everything > 5
    clock = fresh.extensions["search"].clock = StepClock(6)
    got = rows(client.get("/api/search.csv"))
    assert got[0][0] == "id"
    body, last = got[1:-1], got[-1]
    assert len(body) == 5
    assert last == [f"# truncated: the 5 s time budget ran out after 5 of {everything} rows"]
    assert clock.reads == 7  # no read after the one that found the deadline passed


def test_csv_export_cut_while_matching_says_so_in_a_header(fresh) -> None:
    """issue 26 finding 1: a query Whoosh matches (a date range) reads the clock every
    32 postings; past the deadline at once, the export has the header and the last row,
    and far fewer rows than the search has."""
    client = fresh.test_client()
    qs = "?q=" + quote("date:[2000-01-01 to 2099-12-31]")
    everything = total(client, qs)
    fresh.extensions["search"].clock = StepClock(1)  # only the deadline's start is in time
    response = client.get("/api/search.csv" + qs)
    assert response.status_code == 200
    assert response.headers["X-Prakas-Truncated"] == "time"
    got = rows(response)
    assert got[-1][0].startswith("# truncated: the 5 s time budget ran out after 0 of ")
    assert int(got[-1][0].split(" of ")[1].split()[0]) < everything


def test_csv_export_row_limit_and_head_reads_no_rows(search_index: Path) -> None:
    """issue 26 finding 1: past ``CSV_MAX_ROWS`` the header and the last row say so; a
    HEAD answers the same headers without reading a single row (the clock is read once,
    to start the deadline)."""
    app = create_app({"INDEX_DIR": search_index, "CSV_MAX_ROWS": 3, "GENERATION_CHECK_S": 0})
    client = app.test_client()
    everything = total(client, "")
    response = client.get("/api/search.csv")
    assert response.headers["X-Prakas-Truncated"] == "rows"
    got = rows(response)
    assert len(got) == 1 + 3 + 1
    assert got[-1] == [f"# truncated: 3 of {everything} rows (the limit is 3)"]
    clock = app.extensions["search"].clock = StepClock(10**6)
    head = client.head("/api/search.csv")
    assert head.status_code == 200 and head.headers["X-Prakas-Truncated"] == "rows"
    assert head.get_data() == b""
    assert clock.reads == 1


def test_csv_export_counts_no_facets_and_writes_no_snippets(fresh, monkeypatch) -> None:
    """issue 26 finding 1: an export computes none of what it does not show (it reads the
    words as the page does, respelling included, so its rows are the page's results)."""

    def never(*args, **kwargs):
        raise AssertionError("an export must not compute this")

    monkeypatch.setattr(SearchService, "_facets", staticmethod(never))
    monkeypatch.setattr(SearchService, "_timeline", staticmethod(never))
    monkeypatch.setattr(search_module, "snippet", never)
    client = fresh.test_client()
    got = rows(client.get("/api/search.csv?q=training"))
    assert len(got) > 1 and not got[-1][0].startswith("#")


# --- finding 8: respellings inside the budget ----------------------------------------------
# The respelling (webapp/respell.py) runs inside the search's deadline, by an injected
# clock: tests/test_respell.py, test_past_the_deadline_no_respelling and
# test_a_respelling_past_the_budget_leaves_the_words_results_whole.


# --- finding 9: no header from unescaped input -----------------------------------------------

HOSTILE = ["%0A", "%0D%0ASet-Cookie:%20x=1", "%00", "%09x", "%E2%80%AE", "%FF", "a%20b", "%22%3E"]


def _hostile_paths(app) -> list[str]:
    """Every HTML route (those that drop tracking parameters by a redirect), each
    variable part replaced by each hostile segment, and paths starting with two slashes."""
    out = ["//" + EVIL, "/%2F" + EVIL, "///" + EVIL + "/%0A"]
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("views."):
            continue
        for segment in HOSTILE:
            path = re.sub(r"<[^>]+>", segment, rule.rule)
            out.append(path)
            out.append(path.replace("/", "//", 1))
    return out


def raw_get(client, path: str, query: str):
    """A GET of ``path`` as a WSGI server passes it (percent-decoded bytes as latin-1 in
    ``PATH_INFO``), so that ``//evil.example`` is a path, not another host."""
    raw = unquote_to_bytes(path).decode("latin-1")
    return client.get("/", environ_overrides={"PATH_INFO": raw, "QUERY_STRING": query})


def test_tracking_redirect_of_hostile_paths_never_500s(app) -> None:
    """issue 26 finding 9: ``/a/en/%0A?utm_source=x`` put a newline in ``Location`` (a
    500); every such path now redirects to itself, quoted, on this site (or, for a path
    no route has, is a 404)."""
    client = app.test_client()
    paths = _hostile_paths(app)
    assert "/a/<lang>/<path:slug>" in {r.rule for r in app.url_map.iter_rules()}
    redirected = []
    for path in paths:
        response = raw_get(client, path, "utm_source=x&q=%0Ab")
        assert response.status_code in (301, 308, 404), (path, response.status_code)
        if response.status_code == 404:
            continue
        redirected.append(path)
        location = response.headers["Location"]
        assert not re.search(r"[\x00-\x20\x7f-\uffff]", location), (path, location)
        assert location.startswith("/") and not location.startswith("//"), (path, location)
        followed = client.get(location)
        assert followed.status_code in (200, 301, 400, 404), (path, location)
        if response.status_code == 301:  # ours: the tracking parameter is dropped
            assert parse_qsl(urlsplit(location).query) == [("q", "\nb")], location
    # every route's path with every hostile segment reached the redirect
    views = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("views.")]
    assert len(redirected) >= len(views) * len(HOSTILE)
    assert raw_get(client, "/a/en/\n", "utm_source=x").headers["Location"] == "/a/en/%0A"


# --- finding 10: the public address is configured, the Host header never trusted -------------


def _absolute_links(client) -> str:
    """Every answer that carries absolute links, one after the other."""
    parts = []
    for path in ("/a/en/" + _some_slug(client), "/api/search?q=training", "/feed.atom?q=training"):
        parts.append(client.get(path).get_data(as_text=True))
    parts.append(client.get("/api/search.csv?q=training").get_data(as_text=True))
    return "\n".join(parts)


def _some_slug(client) -> str:
    return client.get("/api/search?q=training").get_json()["results"][0]["slug"]


def test_host_header_never_reaches_a_later_answer_with_a_base_url(search_index: Path) -> None:
    """issue 26 finding 10: one request with ``Host: evil.example`` made the next
    visitor's cached page carry ``<link rel="canonical" href="http://evil.example/…">``.
    With ``BASE_URL`` every absolute link starts with it, whatever Host says."""
    app = create_app({"INDEX_DIR": search_index, "BASE_URL": BASE, "GENERATION_CHECK_S": 0})
    client = app.test_client()
    slug = _some_slug(client)
    hostile = {"Host": EVIL}
    for path in (f"/a/en/{slug}", "/api/search?q=training", "/feed.atom", "/", "/help"):
        response = client.get(path, headers=hostile)
        assert response.status_code == 200
        assert EVIL not in response.get_data(as_text=True)
    moved = client.get(f"/a/en/{slug}?fbclid=1", headers=hostile)
    assert moved.status_code == 301 and EVIL not in moved.headers["Location"]
    for path in (f"/a/en//{slug}", f"/a//en/{slug}", "//help", "/help//api"):
        odd = client.get("/", environ_overrides={"PATH_INFO": path}, headers=hostile)
        assert odd.status_code in (200, 404), (path, odd.status_code)
        assert EVIL not in str(odd.headers) + odd.get_data(as_text=True), path
    later = _absolute_links(client)
    assert EVIL not in later
    assert f'<link rel="canonical" href="{BASE}/a/en/{slug}?ui=en">' in later
    assert f'"url":"{BASE}/a/en/' in later.replace(" ", "")
    self_link = f'<link rel="self" type="application/atom+xml" href="{BASE}/feed.atom?q=training'
    assert self_link in later
    assert f",{BASE}/a/" in later  # the CSV's url column


def test_untrusted_host_is_refused_and_each_trusted_host_gets_its_own_page(
    search_index: Path,
) -> None:
    """issue 26 finding 10: without ``BASE_URL``, a Host outside ``TRUSTED_HOSTS`` gets a
    plain 400, and the page cache is keyed on the host a page's links were made for."""
    app = create_app({"INDEX_DIR": search_index, "GENERATION_CHECK_S": 0})
    client = app.test_client()
    slug = _some_slug(client)
    refused = client.get(f"/a/en/{slug}", headers={"Host": EVIL})
    assert refused.status_code == 400 and EVIL not in refused.get_data(as_text=True)
    assert EVIL not in _absolute_links(client)
    one = client.get(f"/a/en/{slug}", headers={"Host": "127.0.0.1:5000"}).get_data(as_text=True)
    other = client.get(f"/a/en/{slug}", headers={"Host": "localhost"}).get_data(as_text=True)
    assert f'href="http://127.0.0.1:5000/a/en/{slug}?ui=en"' in one
    assert f'href="http://localhost/a/en/{slug}?ui=en"' in other


def test_a_bad_base_url_stops_the_app(search_index: Path) -> None:
    """issue 26 finding 10: a mistyped setting is said at start-up, not in every link."""
    for bad in ("search.example.org", "javascript:alert(1)", "https://x.org/?a=1", "https://x y"):
        with pytest.raises(ValueError, match="PRAKAS_BASE_URL"):
            create_app({"INDEX_DIR": search_index, "BASE_URL": bad, "GENERATION_CHECK_S": 0})


# --- finding 11 (web): the page cache is bounded in bytes ------------------------------------


def test_page_cache_counts_bytes_and_keeps_no_huge_page(tmp_path: Path) -> None:
    """issue 26 finding 11: each distinct URL of a long announcement's page was kept (the
    cache counted entries): 40 URLs of a ~300 KB page held 12 MB. Now what is kept stays
    under ``PAGE_CACHE_BYTES``, and a page over an eighth of it is not kept at all."""
    index = big_article_index(tmp_path, 900)
    bound = 4 << 20
    app = create_app({"INDEX_DIR": index, "PAGE_CACHE_BYTES": bound, "GENERATION_CHECK_S": 0})
    client = app.test_client()
    size = len(client.get("/a/en/big").get_data())
    assert 250_000 < size < bound // 8  # kept, but a dozen of them would not fit
    for i in range(40):
        assert client.get(f"/a/en/big?q=w{i}").status_code == 200
    pages = app.extensions["pages"]
    held = sum(sys.getsizeof(v) for v in pages._items.values())
    assert 0 < held <= bound
    assert pages.used == held

    tight = create_app({"INDEX_DIR": index, "PAGE_CACHE_BYTES": 1 << 20, "GENERATION_CHECK_S": 0})
    client = tight.test_client()
    client.get("/a/en/big")
    assert len(tight.extensions["pages"]) == 0  # larger than 1 MiB / 8: not kept
    client.get("/a/en/small")
    assert len(tight.extensions["pages"]) == 1


# --- finding 12: Vary and Cache-Control on every answer that varies --------------------------


def test_every_route_varies_with_the_cookie_and_says_how_long_to_keep(app) -> None:
    """issue 26 finding 12: ``/api/search`` and ``/feed.atom`` change with the ``ui``
    cookie but sent only ``Vary: Accept-Encoding`` and no Cache-Control."""
    client = app.test_client()
    slug = _some_slug(client)
    paths = [
        "/",
        "/search?q=training",
        f"/a/en/{slug}",
        "/help",
        "/help/api",
        "/api/search?q=training",
        "/api/search.csv?q=training",
        "/feed.atom?q=training",
        "/healthz",
        "/a/en/no-such-page",
        "/api/search?page=-1",
        "/search?from=2023-02-30",
    ]
    for path in paths:
        for cookie in ("en", "km"):
            client.set_cookie("ui", cookie)
            response = client.get(path)
            response.get_data()  # a streamed export is read to its end
            assert "cookie" in {v.lower() for v in response.vary.as_set()}, path
            assert response.headers.get("Cache-Control") in ("no-cache", "no-store"), path
    client.set_cookie("ui", "en")
    english = client.get("/feed.atom").get_data()
    client.set_cookie("ui", "km")
    khmer = client.get("/feed.atom").get_data()
    assert english != khmer  # it does vary with the cookie
    etag = client.get("/help").headers["ETag"]
    again = client.get("/help", headers={"If-None-Match": etag})
    assert again.status_code == 304 and "Cookie" in again.headers["Vary"]


# --- finding 14: feeds through a serialiser --------------------------------------------------

HOSTILE_QUERIES = [
    'minister:"Chea Vandeth"',
    '"><script>alert(1)</script>',
    "a\x01b\x0bc\x1f",
    "]]><x>",
    "&amp; &lt; & < >",
    "' onmouseover='x",
    "\ufffd lone",  # what a lone surrogate (%ED%A0%80) is decoded to
    "\ufffe\uffff",
    "ខេត្ត \u200b តាកែវ",
    'title:"x" href="//evil.example"',
]


@pytest.mark.parametrize("q", [s.example for s in SYNTAX] + HOSTILE_QUERIES)
def test_atom_feed_is_well_formed_for_every_syntax_example_and_hostile_query(app, q: str) -> None:
    """issue 26 finding 14: the ``rel="self"`` href carried the query raw (a phrase
    ended the attribute); every feed now parses strictly and in feedparser, and its
    self link reproduces the query."""
    response = app.test_client().get("/feed.atom", query_string={"q": q})
    assert response.status_code == 200
    body = response.get_data()
    root = ET.fromstring(body)  # strict: one malformed byte raises
    ns = {"a": "http://www.w3.org/2005/Atom"}
    self_link = root.find("a:link[@rel='self']", ns)
    assert self_link is not None
    href = self_link.attrib["href"]
    assert not re.search(r"[\x00-\x20<>\"]", href), href
    if q in {s.example for s in SYNTAX}:
        assert dict(parse_qsl(urlsplit(href).query))["q"] == q
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.links[0]["href"] == self_link.attrib["href"]
    for entry in root.findall("a:entry", ns):
        assert entry.find("a:id", ns).text.startswith("http://localhost/a/")


def test_atom_feed_self_link_round_trips_a_phrase(app) -> None:
    """issue 26 finding 14: the exact case of the report."""
    q = 'minister:"Chea Vandeth"'
    root = ET.fromstring(app.test_client().get("/feed.atom", query_string={"q": q}).get_data())
    href = root.find("{http://www.w3.org/2005/Atom}link[@rel='self']").attrib["href"]
    assert href == "http://localhost/feed.atom?q=minister%3A%22Chea+Vandeth%22&ui=en"


def test_through_a_real_gunicorn(search_index: Path) -> None:
    """issue 26 findings 9 and 10 as reported, through ``prakas serve`` (gunicorn): the
    newline path redirects quoted, a forged Host is refused, and the feed parses."""
    with served(search_index) as base:
        origin = urlsplit(base)
        connection = http.client.HTTPConnection(origin.hostname, origin.port, timeout=30)
        try:
            connection.request("GET", "/a/en/%0A?utm_source=x")
            response = connection.getresponse()
            response.read()
            assert response.status == 301
            assert response.getheader("Location") == "/a/en/%0A"
            connection.request("GET", "/", headers={"Host": EVIL})
            response = connection.getresponse()
            assert response.status == 400 and EVIL.encode() not in response.read()
            connection.request("GET", "/feed.atom?q=" + quote('minister:"Chea Vandeth"'))
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200 and "Cookie" in response.getheader("Vary")
            assert feedparser.parse(body).bozo == 0
        finally:
            connection.close()
