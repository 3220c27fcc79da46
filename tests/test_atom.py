"""The Atom feeds: each entry carries the announcement's summary (not its title again)
and its publisher, as the content files state them (read here with PyYAML, not through
the app)."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.conftest import Corpus
from webapp import create_app

A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8-sig")
    return yaml.safe_load(text.split("---", 2)[1])


def plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


@pytest.fixture(scope="module")
def client(search_index: Path):
    return create_app({"INDEX_DIR": search_index}).test_client()


@pytest.mark.parametrize("ui", ["en", "km"])
def test_entries_carry_the_summary_and_the_publisher(client, corpus: Corpus, ui: str) -> None:
    r = client.get(f"/feed.atom?province=Takeo&ui={ui}")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    root = ET.fromstring(r.data)
    assert root.get(XML_LANG) == ui
    entries = root.findall(f"{A}entry")
    assert entries
    for entry in entries:
        link = entry.find(f"{A}link")
        assert link is not None
        href = link.get("href") or ""
        lang, slug = href.split("/a/", 1)[1].split("?")[0].split("/", 1)
        assert href.endswith(f"?ui={ui}")  # opens in the feed's interface language
        assert entry.findtext(f"{A}id") == f"http://localhost/a/{lang}/{slug}"
        assert entry.get(XML_LANG) == lang and link.get("hreflang") == lang
        meta = front_matter(corpus.root / lang / f"{slug}.md")
        summary = entry.find(f"{A}summary")
        assert summary is not None and summary.get("type") == "text"
        assert plain(summary.text or "") == plain(meta["description"])
        assert plain(summary.text or "") != plain(entry.findtext(f"{A}title") or "")
        assert entry.find(f"{A}content") is None  # not the title a second time
        assert plain(entry.findtext(f"{A}author/{A}name") or "") == plain(meta["author"])
        assert (entry.findtext(f"{A}published") or "").startswith(str(meta["date"]))


def test_a_feed_of_hostile_text_is_well_formed(client) -> None:
    """Every value goes through the serialiser: a query with markup stays text."""
    q = '</title><script>alert(1)</script>&"'
    r = client.get("/feed.atom", query_string={"q": q})
    root = ET.fromstring(r.data)  # parses: nothing was pasted in raw
    assert root.findtext(f"{A}title") == f"Announcements: {q}"


def test_the_feed_links_itself_and_the_page_of_the_same_search(content_index: Path) -> None:
    """(mutant ``feeds.feed`` 62: the page link's type dropped.) A feed reader offers
    the ``alternate`` link as "open in the browser": an HTML page, of the same search."""
    bundled = create_app({"INDEX_DIR": content_index}).test_client()
    root = ET.fromstring(bundled.get("/feed.atom?q=broadband&province=Kampot").data)
    assert [link.attrib for link in root.findall(f"{A}link")] == [
        {
            "rel": "self",
            "type": "application/atom+xml",
            "href": "http://localhost/feed.atom?q=broadband&province=Kampot&ui=en",
        },
        {
            "rel": "alternate",
            "type": "text/html",
            "href": "http://localhost/search?q=broadband&province=Kampot&sort=newest"
            "&per_page=50&ui=en",
        },
    ]


def test_feed_entries_are_read_from_the_request_s_generation(tmp_path: Path) -> None:
    """(mutant ``api.entries`` 8: the summary read from the live generation.) A feed
    whose search pinned one generation takes its entries' summaries from it, even when
    the nightly run has published another meanwhile."""
    from indexer.build import build
    from webapp import api
    from webapp.search import SearchRequest

    root, index = tmp_path / "content", tmp_path / "index"
    (root / "en").mkdir(parents=True)
    page = root / "en" / "harbour.md"
    text = "---\ntitle: Harbour works\ndate: 2025-03-01\ndescription: {}\n---\nThe harbour.\n"
    page.write_text(text.format("Old summary"), "utf-8")
    build([root], index, procs=1)
    app = create_app({"INDEX_DIR": index, "GENERATION_CHECK_S": 0})
    service = app.extensions["search"]
    pinned = service.snapshot()
    hits = service.search(SearchRequest(q="harbour"), pinned).hits
    page.write_text(text.format("New summary"), "utf-8")
    build([root], index, procs=1)
    assert service.snapshot() is not pinned  # the live generation has moved
    with app.test_request_context("/feed.atom?q=harbour"):
        (entry,) = api.entries(hits, "en", pinned)
        (now,) = api.entries(hits, "en", service.snapshot())
    assert (entry.summary, now.summary) == ("Old summary", "New summary")
