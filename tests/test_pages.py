"""The public pages as a browser or a shared link meets them, against ``prakas serve``
(gunicorn): tracking parameters, ETags and 304s, compression, hashed assets and the
Khmer font subset; and, through the test client, what the pages offer (filters,
timeline, help, article)."""

from __future__ import annotations

import calendar
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

from indexer.facets import FACETS
from tests.conftest import CONTENT, prakas, served
from webapp import create_app, syntax
from webapp.assets import SOURCE_FONT, cached_font_subset, khmer_code_points
from webapp.search import FACET_LIMIT

LISTED = [f.name for f in FACETS if not f.timeline]  # the facets a page lists


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
def client(search_index: Path):
    """The real corpus when ../shared has it, else the bundled content/."""
    return create_app({"INDEX_DIR": search_index}).test_client()


def test_help_page_and_tip_come_from_one_description(client) -> None:
    help_html = client.get("/help?ui=en").text
    km_html = client.get("/help?ui=km").text
    tip_html = client.get("/search?ui=en").text
    tip = re.search(r'<p id="search-help".*?</p>', tip_html, re.S).group(0)
    for entry in syntax.SYNTAX:
        shown = entry.example.replace('"', "&#34;")
        assert shown in help_html and shown in km_html
        assert (shown in tip) == entry.tip
    assert 'href="/help/api?ui=en"' in help_html and client.get("/help/api").status_code == 200
    assert 'href="/help?ui=en"' in tip


def test_every_syntax_example_finds_announcements_as_written(client) -> None:
    for entry in syntax.SYNTAX:
        data = client.get("/api/search", query_string={"q": entry.example}).get_json()
        assert data["total"] > 0 and not data["notices"], (entry.example, data["notices"])


def test_person_facet_leaves_out_the_ministers_in_every_view(client) -> None:
    """The row's ``excludes``: a minister is listed under Minister only, and the page
    lists what the JSON has (one result, no view reshapes it)."""
    html = client.get("/search?ui=en").text
    persons = re.search(r'id="facet-person".*?</section>', html, re.S).group(0)
    data = client.get("/api/search?per_page=1&more=person&more=minister").get_json()["facets"]
    ministers = {m["value"] for m in data["minister"]}
    people = [v["value"] for v in data["person"]]
    assert ministers and people and not ministers & set(people)
    assert (
        re.findall(r'<span class="label" lang="\w+">([^<]+)</span>', persons)
        == people[:FACET_LIMIT]
    )


def test_a_long_facet_can_show_all(content_index: Path) -> None:
    client = create_app({"INDEX_DIR": content_index}).test_client()  # 18 places, 18 provinces
    every = client.get("/api/search?per_page=1&" + "&".join(f"more={n}" for n in LISTED))
    name, values = next(  # a facet with more values than a page lists
        (n, v) for n, v in every.get_json()["facets"].items() if len(v) > FACET_LIMIT
    )
    html = client.get("/search?ui=en").text
    listed = re.search(f'id="facet-{name}".*?</section>', html, re.S).group(0)
    assert listed.count("<li>") == FACET_LIMIT
    link = re.search(r'<p class="more"><a href="([^"]+)"', listed).group(1)
    assert f"more={name}" in link
    expanded = client.get(link.replace("&amp;", "&")).text
    listed = re.search(f'id="facet-{name}".*?</section>', expanded, re.S).group(0)
    assert listed.count("<li>") == len(values)
    assert "Show fewer" in listed


def test_empty_search_is_sorted_newest_first_and_says_so(client) -> None:
    html = client.get("/?ui=en").text
    options = re.findall(r'<option value="(\w+)"( selected)?', html)
    assert options == [("newest", " selected"), ("oldest", "")]
    assert '<option value="relevance" selected' in client.get("/search?q=Takeo").text


def test_timeline_labels_and_counts_for_years_a_year_and_a_range(client) -> None:
    facet = client.get("/api/search?per_page=1").get_json()["facets"]["year"]
    years = sorted(int(v["value"]) for v in facet)
    landing = client.get("/?ui=en").text
    rows = re.findall(
        r'<span class="label">(\w+)</span>.*?<span class="count">([\d,]+)</span>', landing, re.S
    )
    assert [int(label) for label, _ in rows] == list(range(years[0], years[-1] + 1))
    busiest = max(facet, key=lambda v: v["count"])["value"]
    months = list(calendar.month_name)[1:]
    one_year = client.get(f"/?year={busiest}&ui=en").text
    timeline = re.search(r'id="facet-when".*?</section>', one_year, re.S).group(0)
    assert re.findall(r'<span class="label">(\w+)</span>', timeline) == months
    ranged = client.get(f"/?from={busiest}-03-01&to={busiest}-08-31&ui=en").text
    timeline = re.search(r'id="facet-when".*?</section>', ranged, re.S).group(0)
    assert re.findall(r'<span class="label">(\w+)</span>', timeline) == months[2:8]
    links = re.findall(r'href="([^"]+)"', timeline)
    assert links and all(f"year={busiest}" in h and f"from={busiest}-03-01" in h for h in links)
    assert all(re.search(r"month=[3-8]\b", h) for h in links)
    # the JSON's timeline is the page's: one result object, no second search
    counts = re.findall(r'<span class="count">([\d,]+)</span>', timeline)
    data = client.get(f"/api/search?from={busiest}-03-01&to={busiest}-08-31").get_json()
    assert data["timeline"]["by"] == "month"
    points = data["timeline"]["points"]
    assert [p["label"] for p in points] == ["3", "4", "5", "6", "7", "8"]
    assert [str(p["count"]) for p in points] == [c.replace(",", "") for c in counts]


def test_error_and_empty_pages_keep_the_search_and_offer_a_way_out(client) -> None:
    bad = client.get("/search?q=Takeo&year=twenty&ui=en")
    assert bad.status_code == 400 and 'name="q" type="search" value="Takeo"' in bad.text
    empty = client.get("/search?q=qqqzzzxx&province=Takeo&ui=en").text
    assert "No announcement matches." in empty
    assert 'href="/search?q=qqqzzzxx&amp;ui=en"' in empty  # the words without the filters
    assert 'href="/search?province=Takeo&amp;ui=en"' in empty  # the filters without the words
    assert 'href="/help?ui=en"' in empty


ARTICLE = """---
title: {title}
description: {description}
date: 2025-05-06
author: Ministry of Posts and Telecommunications
---

{first}

A second paragraph says more about the day, so that the page has a body.

![photo 1](@/assets/news/article-9/photo-1.jpg)
![photo 2](@/assets/news/article-9/photo-2.jpg)
"""


@pytest.fixture(scope="module")
def article_index(tmp_path_factory) -> Path:
    """Two versions of one announcement we write: the English summary repeats the
    first paragraph (as most real ones do), the Khmer one does not."""
    root = tmp_path_factory.mktemp("articles") / "content"
    same = "The ministry opened a community technology centre in Takeo province."
    for lang, title, description, first in (
        ("en", "A centre opens in Takeo", same, same + " Teachers were trained."),
        ("km", "មជ្ឈមណ្ឌលថ្មីនៅខេត្តតាកែវ", "សេចក្តីសង្ខេបខ្លីមួយ។", "កថាខណ្ឌទីមួយនិយាយអំពីថ្ងៃនោះ។"),
    ):
        (root / lang).mkdir(parents=True)
        (root / lang / "centre.md").write_text(
            ARTICLE.format(title=title, description=description, first=first), encoding="utf-8"
        )
    index = tmp_path_factory.mktemp("articles-index")
    assert prakas("index", "--content", root, "--index", index).returncode == 0
    return index


def test_article_page_keeps_the_search_and_says_when_images_are_missing(article_index) -> None:
    client = create_app({"INDEX_DIR": article_index}).test_client()
    html = client.get("/a/en/centre?q=Takeo&lang=en&page=1&ui=en").text
    assert 'href="/search?q=Takeo&amp;lang=en&amp;ui=en">← Back to results' in html
    assert 'href="/a/km/centre?q=Takeo&amp;lang=en&amp;ui=en"' in html
    assert '<link rel="canonical" href="http://localhost/a/en/centre?ui=en">' in html
    # the English summary is its first paragraph: shown once; the Khmer one is its own
    shown = html.split("<body>", 1)[1]  # (the <head> has it for link previews)
    assert shown.count("opened a community technology centre") == 1 and 'class="lead"' not in html
    km = client.get("/a/km/centre?ui=km").text
    assert '<p class="lead">សេចក្តីសង្ខេបខ្លីមួយ។</p>' in km
    assert "← សេចក្តីប្រកាសទាំងអស់" in km  # no search to go back to
    # images whose assets are not published say so
    assert html.count('class="img-missing"') == 2 and "<img" not in html
    assert 'photo 1 · <span lang="en">image not available</span>' in html
    published = create_app(
        {"INDEX_DIR": article_index, "ASSET_BASE_URL": "https://media.example.org/site"}
    ).test_client()
    r = published.get("/a/en/centre")
    assert 'src="https://media.example.org/site/news/article-9/photo-1.jpg"' in r.text
    csp = r.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://media.example.org;" in csp


def test_results_link_to_articles_with_the_search(client) -> None:
    html = client.get("/search?q=Takeo&province=Takeo&ui=en").text
    link = r'announcement"><a href="/a/en/[\w-]+\?q=Takeo&amp;province=Takeo&amp;ui=en">'
    assert re.search(link, html)
