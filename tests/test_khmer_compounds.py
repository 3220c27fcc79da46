"""Khmer words joined or split otherwise than the text (issue 23): Khmer is written
without spaces and cut into words by a dictionary whose cut depends on the words
around, so a query may join a noun prefix (ការ, សេចក្តី, ពិធី, កិច្ច) to the next word
where the text's cut separated them, or the reverse. The recall net (pairs of clusters,
``content_kc``) finds those texts; the text that writes the words as typed ranks first.

Our own material: sites that put a space between Khmer words, and sites that do not."""

from __future__ import annotations

import pytest

from tests.conftest import cli
from webapp.search import SearchRequest, SearchService

TEXTS = {
    "spaced-build": "ក្រសួង បាន ចាប់ផ្តើម ការ សាងសង់ មជ្ឈមណ្ឌល ថ្មី នៅ ខេត្ត តាកែវ ។",
    "joined-build": "ក្រសួងបានចាប់ផ្តើមការសាងសង់មជ្ឈមណ្ឌលថ្មីនៅខេត្តតាកែវ។",
    "spaced-meeting": "ឯកឧត្តម បាន ដឹកនាំ កិច្ច ប្រជុំ ពិនិត្យ លើ របាយការណ៍ ។",
    "joined-meeting": "ឯកឧត្តមបានដឹកនាំកិច្ចប្រជុំពិនិត្យលើរបាយការណ៍។",
    "spaced-ceremony": "ពិធី សម្ពោធ អគារ ថ្មី បាន ប្រព្រឹត្ត ទៅ ។",
    "apart": "ការងារ នេះ ត្រូវ បាន សាងសង់ ឡើង វិញ ។",  # both words, not together
}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    root = tmp_path_factory.mktemp("compounds")
    for i, (slug, text) in enumerate(TEXTS.items()):
        path = root / "content" / "km" / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: ព័ត៌មាន\ndate: 2025-01-0{i + 1}\n---\n\n{text}\n", "utf-8")
    assert cli("index", "--content", root / "content", "--index", root / "index").returncode == 0
    return SearchService(root / "index", result_cache=0)


def _slugs(service: SearchService, q: str) -> list[str]:
    return [h.slug for h in service.search(SearchRequest(q=q, exact=True)).hits]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("ការសាងសង់", {"spaced-build", "joined-build"}),  # joined: finds the spaced text
        ("កិច្ចប្រជុំ", {"spaced-meeting", "joined-meeting"}),
        ("ពិធីសម្ពោធ", {"spaced-ceremony"}),
        ("កិច្ច ប្រជុំ", {"spaced-meeting", "joined-meeting"}),  # split: finds the joined
    ],
)
def test_a_word_typed_joined_or_split_finds_the_text_cut_otherwise(
    service: SearchService, typed: str, found: set[str]
) -> None:
    assert set(_slugs(service, typed)) == found


def test_the_text_written_as_typed_ranks_first(service: SearchService) -> None:
    assert _slugs(service, "ការសាងសង់")[0] == "joined-build"
    split = _slugs(service, "ការ សាងសង់")
    assert split[0] == "spaced-build" and "joined-build" in split
