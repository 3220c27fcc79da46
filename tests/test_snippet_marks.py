"""Highlights from the same analysis the index used: a mark covers whole words (Khmer
words as the segmenter cuts them), a name of several words as one unit, and never a
piece of another word."""

from __future__ import annotations

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
