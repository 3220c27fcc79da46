"""The public pages as a browser or a shared link meets them, against ``prakas serve``
(gunicorn): tracking parameters, ETags and 304s, compression, hashed assets and the
Khmer font subset; and, through the test client, what the pages offer (filters,
timeline, help, article)."""

from __future__ import annotations

import gzip
import http.client
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest
from fontTools.ttLib import TTFont

from tests.conftest import CONTENT, prakas, served
from webapp import create_app, syntax
from webapp.assets import SOURCE_FONT, cached_font_subset, khmer_code_points
from webapp.search import FACET_LIMIT


def get(base: str, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    """One GET without following redirects or decoding: what goes over the wire."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


@pytest.fixture(scope="module")
def content_copy(tmp_path_factory) -> Path:
    """A copy of the bundled content this module may change and reindex."""
    root = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(CONTENT, root)
    return root


@pytest.fixture(scope="module")
def live(content_copy: Path, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    index = tmp_path_factory.mktemp("pages-index")
    assert prakas("index", "--content", content_copy, "--index", index).returncode == 0
    with served(index) as base:
        yield base, index


# --- shared links -------------------------------------------------------------------------


def test_tracking_parameters_redirect_to_the_same_search(live) -> None:
    base, _ = live
    r = get(base, "/search?q=Takeo&fbclid=IwAR0abc&utm_source=facebook&utm_medium=social")
    assert r.status == 301 and r.getheader("Location").endswith("/search?q=Takeo")
    landed = get(base, "/search?q=Takeo")
    assert landed.status == 200 and b"<mark>Takeo</mark>" in landed.body
    r = get(base, "/?gclid=x&ui=km")
    assert r.status == 301 and r.getheader("Location").endswith("/?ui=km")
    # a real mistake is still an error on the page, and the API rejects anything unknown
    assert get(base, "/search?provnce=Takeo").status == 400
    api = get(base, "/api/search?q=Takeo&fbclid=abc")
    assert api.status == 400 and b"fbclid" in api.body


# --- caching ------------------------------------------------------------------------------


def test_pages_answer_304_until_a_new_generation(live, content_copy: Path) -> None:
    base, index = live
    first = get(base, "/search?q=Takeo")
    etag = first.getheader("ETag")
    assert first.status == 200 and etag.startswith('W/"')
    assert first.getheader("Cache-Control") == "no-cache"
    again = get(base, "/search?q=Takeo", {"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    # another URL, another interface language: another page
    assert get(base, "/search?q=Takeo&ui=km").getheader("ETag") != etag
    assert get(base, "/search?q=Kampot").getheader("ETag") != etag
    # the indexer publishes a new generation: the old ETag no longer matches
    page = next((content_copy / "en").glob("*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert prakas("index", "--content", content_copy, "--index", index).returncode == 0
    fresh = get(base, "/search?q=Takeo", {"If-None-Match": etag})
    assert fresh.status == 200 and fresh.getheader("ETag") != etag


def test_html_is_compressed(live) -> None:
    base, _ = live
    plain = get(base, "/search?q=Takeo")
    br = get(base, "/search?q=Takeo", {"Accept-Encoding": "br, gzip"})
    gz = get(base, "/search?q=Takeo", {"Accept-Encoding": "gzip"})
    assert br.getheader("Content-Encoding") == "br" and gz.getheader("Content-Encoding") == "gzip"
    assert brotli.decompress(br.body) == plain.body == gzip.decompress(gz.body)
    assert len(br.body) < len(plain.body) / 3
    assert "Accept-Encoding" in br.getheader("Vary")


def test_assets_have_hashed_names_cached_for_a_year(live) -> None:
    base, _ = live
    html = get(base, "/").body.decode()
    css_url = re.search(r'href="(/assets/style\.[0-9a-f]{12}\.css)"', html).group(1)
    js_url = re.search(r'src="(/assets/enhance\.[0-9a-f]{12}\.js)"', html).group(1)
    css = get(base, css_url, {"Accept-Encoding": "br"})
    assert css.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert css.getheader("Content-Encoding") == "br"
    text = brotli.decompress(css.body).decode()
    assert "{{" not in text and "font-display: swap" in text
    font_name = re.search(r'url\("(noto-sans-khmer\.[0-9a-f]{12}\.woff2)"\)', text).group(1)
    font = get(base, "/assets/" + font_name)
    assert font.getheader("Content-Type") == "font/woff2" and font.body[:4] == b"wOF2"
    assert font.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert get(base, js_url).getheader("Cache-Control").endswith("immutable")
    # a name that is not the current hash is not served
    assert get(base, "/assets/style.000000000000.css").status == 404
    # every page preloads the subset (each has Khmer text), none the 360 KB TTF
    for page in (html, get(base, "/?ui=km").body.decode()):
        assert f'<link rel="preload" href="/assets/{font_name}" as="font" type="font/woff2"' in page
        assert ".ttf" not in page


def test_font_subset_keeps_every_khmer_letter_and_is_small(tmp_path: Path) -> None:
    path = cached_font_subset(tmp_path)
    built = path.stat().st_mtime_ns
    assert cached_font_subset(tmp_path) == path and path.stat().st_mtime_ns == built  # cached
    assert path.parent == tmp_path and path.read_bytes()[:4] == b"wOF2"
    size = path.stat().st_size
    assert size < 80_000 < SOURCE_FONT.stat().st_size  # the TTF is 360 KB
    subset, source = TTFont(path), TTFont(SOURCE_FONT)
    wanted = khmer_code_points(source.getBestCmap())
    assert len(wanted) > 140 and set(wanted) <= set(subset.getBestCmap())
    assert "GSUB" in subset and "GPOS" in subset  # Khmer shaping: coeng, vowels, marks
    axes = {a.axisTag: (a.minValue, a.maxValue) for a in subset["fvar"].axes}
    assert axes == {"wght": (400, 700)}


# --- what the pages offer -----------------------------------------------------------------


@pytest.fixture(scope="module")
def client(corpus_index: Path):
    return create_app({"INDEX_DIR": corpus_index}).test_client()


def test_help_page_and_tip_come_from_one_description(client) -> None:
    help_html = client.get("/help?ui=en").text
    km_html = client.get("/help?ui=km").text
    tip_html = client.get("/search?ui=en").text
    tip = re.search(r'<p id="search-help".*?</p>', tip_html, re.S).group(0)
    for entry in syntax.SYNTAX:
        shown = entry.example.replace('"', "&#34;")
        assert shown in help_html and shown in km_html
        assert (shown in tip) == entry.tip
    assert 'href="/help/api"' in help_html and client.get("/help/api").status_code == 200
    assert 'href="/help"' in tip


def test_every_syntax_example_finds_announcements_as_written(client) -> None:
    for entry in syntax.SYNTAX:
        data = client.get("/api/search", query_string={"q": entry.example}).get_json()
        assert data["total"] > 0 and not data["notices"], (entry.example, data["notices"])


def test_person_facet_leaves_out_the_ministers_and_can_show_all(client) -> None:
    html = client.get("/search?ui=en").text
    persons = re.search(r'id="facet-person".*?</section>', html, re.S).group(0)
    ministers = client.get("/api/search?per_page=1").get_json()["facets"]["minister"]
    assert ministers and not [m for m in ministers if f">{m['value']}<" in persons]
    every = client.get("/api/search?per_page=1&more=person").get_json()["facets"]["person"]
    assert len(every) > FACET_LIMIT  # the corpus names more people than a facet shows
    link = re.search(r'<p class="more"><a href="([^"]+)"', persons).group(1)
    assert "more=person" in link
    expanded = client.get(link.replace("&amp;", "&")).text
    people = re.search(r'id="facet-person".*?</section>', expanded, re.S).group(0)
    names = {m["value"] for m in ministers}
    assert people.count("<li>") == len([v for v in every if v["value"] not in names])
    assert "Show fewer" in people


def test_empty_search_is_sorted_newest_first_and_says_so(client) -> None:
    html = client.get("/?ui=en").text
    options = re.findall(r'<option value="(\w+)"( selected)?', html)
    assert options == [("newest", " selected"), ("oldest", "")]
    assert '<option value="relevance" selected' in client.get("/search?q=Takeo").text


def test_timeline_labels_and_counts_for_years_a_year_and_a_range(client) -> None:
    years = client.get("/?ui=en").text
    rows = re.findall(
        r'<span class="label">(\w+)</span>.*?<span class="count">([\d,]+)</span>', years, re.S
    )
    assert [label for label, _ in rows][:1] == ["2023"] and all(c for _, c in rows)
    year = client.get("/?year=2025&ui=en").text
    assert re.search(r'<span class="label">March</span>', year)
    ranged = client.get("/?from=2025-03-01&to=2025-08-31&ui=en").text
    timeline = re.search(r'id="facet-when".*?</section>', ranged, re.S).group(0)
    months = re.findall(r'<span class="label">(\w+)</span>', timeline)
    assert months == ["March", "April", "May", "June", "July", "August"]
    march = re.search(r'href="([^"]+)"[^>]*>\s*<span class="label">March', timeline).group(1)
    assert "year=2025" in march and "month=3" in march and "from=2025-03-01" in march


def test_error_and_empty_pages_keep_the_search_and_offer_a_way_out(client) -> None:
    bad = client.get("/search?q=Takeo&year=twenty&ui=en")
    assert bad.status_code == 400 and 'name="q" type="search" value="Takeo"' in bad.text
    empty = client.get("/search?q=qqqzzzxx&province=Takeo&ui=en").text
    assert "No announcement matches." in empty
    assert 'href="/search?q=qqqzzzxx"' in empty  # the same words without the filters
    assert 'href="/search?province=Takeo"' in empty  # the filters without the words
    assert 'href="/help"' in empty


def test_article_page_keeps_the_search_and_says_when_images_are_missing(
    client, corpus_index: Path
) -> None:
    html = client.get("/a/en/13-post?q=Takeo&province=Takeo&page=2&ui=en").text
    assert 'href="/search?q=Takeo&amp;province=Takeo&amp;page=2">← Back to results' in html
    assert 'href="/a/km/13-post?q=Takeo&amp;province=Takeo&amp;page=2"' in html
    assert '<link rel="canonical" href="http://localhost/a/en/13-post">' in html
    # 13-post's summary is its first paragraph: shown once
    first = "On June 14, 2025, the Ministry of Posts and Telecommunications organized"
    assert html.count(first) == 1 and 'class="lead"' not in html
    assert html.count('class="img-missing"') == 5 and "<img" not in html
    plain = client.get("/a/en/13-post").text
    assert "← All announcements" in plain
    published = create_app(
        {"INDEX_DIR": corpus_index, "ASSET_BASE_URL": "https://media.example.org/site"}
    ).test_client()
    r = published.get("/a/en/13-post")
    img = 'src="https://media.example.org/site/news-and-events/article-13/photo-1.jpg"'
    assert (
        img in r.text
        and "img-src 'self' data: https://media.example.org;"
        in r.headers["Content-Security-Policy"]
    )


def test_results_link_to_articles_with_the_search(client) -> None:
    html = client.get("/search?q=Takeo&province=Takeo&ui=en").text
    link = r'data-source="announcement"><a href="/a/en/[\w-]+\?q=Takeo&amp;province=Takeo">'
    assert re.search(link, html)
