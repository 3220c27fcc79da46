"""Highlights from the same analysis the index used: a mark covers whole words (Khmer
words as the segmenter cuts them), a name of several words as one unit, and never a
piece of another word."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from webapp import query as queries
from webapp.search import SearchRequest, SearchService
from webapp.snippets import snippet, wanted

# Our sentence: the minister's name once, and its pieces inside other words
# (ជា in កម្ពុជា and អន្តរជាតិ, ដេ in វីដេអូ).
TEXT = (
    "ក្រសួងប្រៃសណីយ៍និងទូរគមនាគមន៍នៃព្រះរាជាណាចក្រកម្ពុជា បានរៀបចំសន្និសីទអន្តរជាតិ "
    "ដោយមានការចូលរួមពី ឯកឧត្តម ជា វ៉ាន់ដេត រដ្ឋមន្ត្រី និងបានចាក់វីដេអូខ្លីមួយ។"
)


@pytest.fixture(scope="module")
def service(content_index: Path) -> SearchService:
    return SearchService(content_index, result_cache=0)


def marks(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_a_khmer_name_is_marked_whole_and_nothing_inside_other_words(service) -> None:
    parsed = queries.parse("ជា វ៉ាន់ដេត", service.searcher().schema)
    found = marks(str(snippet(TEXT, wanted(parsed.query))))
    assert "".join(found).replace(" ", "") == "ជាវ៉ាន់ដេត", found
    html = str(snippet(TEXT, wanted(parsed.query)))
    for word in ("កម្ពុជា", "អន្តរជាតិ", "វីដេអូ"):
        assert word in html.replace("<mark>", "").replace("</mark>", "")
        assert word in html, f"{word} was cut by a mark: {html}"


def test_a_word_alone_is_not_marked_inside_another(service) -> None:
    parsed = queries.parse("ជា", service.searcher().schema)
    html = str(snippet(TEXT, wanted(parsed.query)))
    for word in ("កម្ពុជា", "អន្តរជាតិ"):
        assert word in html, f"{word} was cut by a mark: {html}"
    assert marks(html) == ["ជា"]


def test_the_top_results_snippet_shows_the_name(service) -> None:
    """On the bundled content (which names the minister in Khmer), the snippet window
    of each result that has the name contains it, marked."""
    result = service.search(SearchRequest(q="ជា វ៉ាន់ដេត", filters=(("lang", ("km",)),)))
    assert result.hits
    for hit in result.hits[:5]:
        found = marks(str(hit.snippet))
        assert found and all(m in ("ជា", "វ៉ាន់ដេត", "ជា វ៉ាន់ដេត") for m in found), found


def _boundaries(text: str) -> set[int]:
    """Where words start and end: spaces and punctuation, and inside each Khmer run
    the cuts of the segmenter the index uses (the definition of a Khmer word here)."""
    from indexer import khmer

    edges = {0, len(text)}
    for i, ch in enumerate(text):
        if not ch.isalnum() and not khmer.has_khmer(ch):
            edges.update((i, i + 1))
    for start, end in khmer.runs(text):
        edges.update((start, end))
        for word in khmer.words(text, start, end):
            edges.update((word.start, word.end))
    return edges


@pytest.mark.parametrize("q", ["សហគមន៍", "បច្ចេកវិទ្យា", "ឌីជីថល", "ខេត្តតាកែវ", "digital"])
def test_snippets_start_and_end_on_word_boundaries(search_index: Path, q: str) -> None:
    """Issue 23: a Khmer snippet began mid-word ("…បភាព")."""
    service = SearchService(search_index, result_cache=0)
    result = service.search(SearchRequest(q=q, per_page=20))
    for hit in result.hits:
        shown = re.sub(r"</?mark>", "", str(hit.snippet))
        stored = service.searcher().document(id=hit.id)
        text = " ".join(stored["body"].split("\n"))
        inner = htmllib.unescape(shown).strip("…")
        at = text.find(inner)
        if at < 0:
            continue  # the summary's snippet, or a text whose newlines differ
        assert at in _boundaries(text), (hit.id, inner[:20])
        assert at + len(inner) in _boundaries(text), (hit.id, inner[-20:])
    assert result.hits


# --- a name marked in whichever script the text writes it --------------------------------


def _page_marks(client, qs: str) -> list[tuple[str, list[str]]]:
    """(the snippet's text, its marks) of each result of a page."""
    html = client.get("/search?" + qs).get_data(as_text=True)
    snippets = re.findall(r'<p class="snippet"[^>]*>(.*?)</p>', html, re.S)
    return [(htmllib.unescape(re.sub(r"</?mark>", "", s)), marks(s)) for s in snippets]


def _only_the_name(found: list[tuple[str, list[str]]], names: set[str]) -> None:
    """Every snippet that shows the name marks it, and marks nothing else."""
    assert found
    shown = 0
    for text, marked in found:
        assert set(marked) <= names, (marked, text[:80])
        if any(name in text for name in names):
            assert marked, text[:120]
            shown += 1
    assert shown >= 2


@pytest.fixture(scope="module")
def client(content_index: Path):
    from webapp import create_app

    return create_app({"INDEX_DIR": content_index}).test_client()


def test_a_latin_name_read_in_the_khmer_interface_marks_its_khmer_spelling(client) -> None:
    """Issue 23: ``Chea Vandeth`` in the Khmer interface showed Khmer results unmarked."""
    _only_the_name(_page_marks(client, "q=Chea+Vandeth&ui=km"), {"ជា វ៉ាន់ដេត"})


def test_a_khmer_name_marks_its_latin_spelling_in_english_versions(client) -> None:
    _only_the_name(_page_marks(client, "q=ជា+វ៉ាន់ដេត&lang=en&ui=en"), {"Chea Vandeth"})


def test_a_name_one_vowel_off_marks_the_name_whole_and_nothing_of_it(client) -> None:
    """ជា វ៉ាន់ដែត (ែ for េ) marked the lone letter ត and the common word ជា."""
    _only_the_name(_page_marks(client, "q=ជា+វ៉ាន់ដែត&lang=km&ui=km"), {"ជា វ៉ាន់ដេត"})


def test_a_province_marks_its_khmer_name(client) -> None:
    _only_the_name(_page_marks(client, "q=Takeo&lang=km&ui=km"), {"តាកែវ"})
