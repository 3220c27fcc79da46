"""Language by what is written: a km/ file whose text is English is marked untranslated
(a stored field); pages and the API say so instead of offering it as a translation."""

from __future__ import annotations

import pytest

from indexer.documents import parse_announcement, written_in
from tests.conftest import cli
from webapp import create_app


def _file(title: str, date: str, body: str) -> str:
    return f"---\ntitle: {title}\ndate: {date}\n---\n{body}\n"


AWARDED = "The regulator awarded three licences in the 700 MHz band."
EN = _file("Spectrum auction results", "2025-03-04", AWARDED)
KM_COPY = _file("លទ្ធផលដេញថ្លៃរលកអាកាស", "2025-03-04", AWARDED)  # the English text again
EN2 = _file("Numbering plan", "2025-03-05", "A new numbering plan takes effect in June.")
KM2 = _file("ផែនការលេខ", "2025-03-05", "ផែនការលេខថ្មីចូលជាធរមាននៅខែមិថុនា។")


def test_the_language_written() -> None:
    names = "ឯកឧត្តម Chea Vandeth បានអញ្ជើញជាអធិបតី ITU WSIS Forum 2025 Geneva"
    assert written_in(names, "km") == "km"  # Latin names and acronyms in Khmer text
    copy = "Minister Chea Vandeth (ជា វ៉ាន់ដេត) opened the new postal sorting centre on Monday."
    assert written_in(copy, "km") == "en"
    assert written_in("A notice", "en") == "en" and written_in("", "km") == "km"


def test_the_stored_flag_is_the_language_written() -> None:
    copy = parse_announcement(KM_COPY.encode(), path="km/a.md", slug="a", lang="km")
    assert copy.lang == "km" and copy.untranslated == "en"
    real = parse_announcement(KM2.encode(), path="km/b.md", slug="b", lang="km")
    assert real.untranslated == ""
    english = parse_announcement(EN.encode(), path="en/a.md", slug="a", lang="en")
    assert english.untranslated == ""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("untranslated")
    for lang, name, text in [
        ("en", "auction", EN),
        ("km", "auction", KM_COPY),
        ("en", "numbering", EN2),
        ("km", "numbering", KM2),
    ]:
        (base / "site" / lang).mkdir(parents=True, exist_ok=True)
        (base / "site" / lang / f"{name}.md").write_text(text, "utf-8")
    result = cli("index", "--content", base / "site", "--index", base / "ix")
    assert result.returncode == 0, result.stderr
    return create_app({"INDEX_DIR": base / "ix"}).test_client()


def test_the_api_says_so(client) -> None:
    hits = {
        h["id"]: h for h in client.get("/api/search?unit=file&per_page=10").get_json()["results"]
    }
    assert hits["km/auction"]["untranslated"] is True
    assert hits["en/auction"]["untranslated"] is False
    hits = {h["id"]: h for h in client.get("/api/search?lang=en").get_json()["results"]}
    assert hits["en/auction"]["untranslated_versions"] == ["km"]
    assert hits["en/auction"]["other_language"] is None  # no Khmer translation to offer
    assert hits["en/numbering"]["other_language"] == "http://localhost/a/km/numbering"
    assert hits["en/numbering"]["untranslated_versions"] == []


def test_the_article_page_does_not_offer_it(client) -> None:
    page = client.get("/a/en/auction?ui=en").get_data(as_text=True)
    english = page[page.index("<main") :]
    assert "Read in Khmer" not in english and 'hreflang="km"' not in english
    other = client.get("/a/en/numbering?ui=en").get_data(as_text=True)
    assert "Read in Khmer" in other  # a real translation is still offered
    copy = client.get("/a/km/auction?ui=en").get_data(as_text=True)
    assert "This Khmer version has not been translated: its text is in English." in copy
    assert '<div class="body" lang="en">' in copy
    assert "Read in English" in copy


def test_the_notice_in_the_khmer_interface(client) -> None:
    copy = client.get("/a/km/auction?ui=km").get_data(as_text=True)
    assert "កំណែភាសាខ្មែរនេះមិនទាន់បានបកប្រែទេ៖ អត្ថបទរបស់វាជាភាសាអង់គ្លេស។" in copy
    page = client.get("/search?q=regulator&lang=en&ui=km").get_data(as_text=True)
    assert 'href="/a/en/auction' in page and 'href="/a/km/auction' not in page
