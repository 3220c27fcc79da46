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
