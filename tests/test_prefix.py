"""Search as you type (issue 23): an unfinished last word of a public query finds what the
finished word finds.

The expected announcements on the bundled ``content/`` were written by hand from
``grep -il`` over ``content/*/*.md`` (an announcement is its file name, in any language);
on the real corpus the prefix must find everything the whole word finds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp import prefix
from webapp import query as queries
from webapp.search import SearchRequest, SearchService


def found(service: SearchService, q: str) -> set[str]:
    result = service.search(SearchRequest(q=q, per_page=100))
    assert result.total == len({h.slug for h in result.hits})
    return {h.slug for h in result.hits}


@pytest.fixture(scope="module")
def content(content_index: Path) -> SearchService:
    return SearchService(content_index)


@pytest.fixture(scope="module")
def real(corpus_index: Path) -> SearchService:
    return SearchService(corpus_index)


def completion(service: SearchService, *words: str) -> prefix.Completion | None:
    reader = service.snapshot().searcher.reader()
    return prefix.complete(list(words), reader.schema, reader, queries.MAX_EXPANSION)


INAUG = {"2023-postal-service-siem-reap", "sample-2024-ctc-bati-inauguration"}
# grep -il telecom content/*/*.md, less sample-2025-sisters-of-code-bati: it names the
# ministry only in its ``author`` front matter, which is not searched
TELECOM = {
    "2022-digital-literacy-kampong-cham",
    "2023-broadband-kampot",
    "2023-postal-service-siem-reap",
    "2024-cybersecurity-week",
    "2024-health-telemedicine-kratie",
    "2025-ctc-kandal",
    "2025-flood-warning-sms",
    "2026-postal-code-reform",
    "2026-unknown-rice-farmers-battambang",
    "sample-2023-upu-digital-addressing",
    "sample-2024-ctc-bati-inauguration",
    "sample-2024-itu-zavazava",
    "sample-2025-ctc-russey-keo",
    "sample-2025-cybersecurity-women-phnom-penh",
    "sample-2025-zoom-dialogue-takeo",
    "sample-2026-training-rooms-sodany",
}
# grep -l បច្ចេកវិទ្យ content/*/*.md
TECHNOLOGY_KM = {
    "2025-ai-skills-phnom-penh",
    "2025-ctc-kandal",
    "sample-2024-ctc-bati-inauguration",
    "sample-2024-itu-zavazava",
    "sample-2025-ctc-russey-keo",
    "sample-2025-cybersecurity-women-phnom-penh",
    "sample-2025-sisters-of-code-bati",
    "sample-2025-zoom-dialogue-takeo",
    "sample-2026-training-rooms-sodany",
}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("inaug", INAUG),
        ("Inaug", INAUG),
        # longer than the stem "inaugur": completed through the words of titles/summaries
        ("inaugurat", INAUG),
        ("telecom", TELECOM),
        ("បច្ចេកវិទ្យ", TECHNOLOGY_KM),
        # the words before the prefix are whole words, all required
        ("siem inaug", {"2023-postal-service-siem-reap"}),
        ("Bati inaug", {"sample-2024-ctc-bati-inauguration"}),
    ],
)
def test_an_unfinished_last_word_finds_what_grep_finds(
    content: SearchService, q: str, expected: set[str]
) -> None:
    assert found(content, q) == expected


def test_the_prefix_finds_what_the_whole_word_finds_on_content(content: SearchService) -> None:
    assert found(content, "inauguration") == INAUG
    assert found(content, "telecommunications") == TELECOM
    assert found(content, "បច្ចេកវិទ្យា") == TECHNOLOGY_KM


def test_what_the_prefix_completes_to(content: SearchService) -> None:
    done = completion(content, "siem", "inaug")
    assert done is not None
    assert (done.head, done.prefix, done.terms) == (["siem"], "inaug", ["inaugur"])
    done = completion(content, "បច្ចេកវិទ្យ")
    assert done is not None
    assert (done.head, done.prefix, done.terms) == ([], "បច្ចេកវិទ្យ", ["បច្ចេកវិទ្យា"])


def test_what_is_not_read_as_a_prefix(content: SearchService) -> None:
    # a whole word of the index (the stem of "post" is a term): no "postal", "poster"…
    assert completion(content, "post") is None
    # too short, a stop word, a number, staff syntax
    assert completion(content, "in") is None
    assert completion(content, "there") is None
    assert completion(content, "202") is None
    assert found(content, "title:inaug") == set()
    # a Khmer prefix never splits a consonant stack: បច is not the start of បច្ចេក…
    assert completion(content, "បច") is None
    # …and a coeng still waiting for its consonant is not part of the prefix
    assert completion(content, "បច្ចេកវិទ្") is None


def test_a_run_typed_without_spaces_completes_from_its_last_words(
    content: SearchService,
) -> None:
    done = completion(content, "ក្រសួងបច្ចេកវិទ្យ")
    assert done is not None
    assert (done.head, done.prefix) == (["ក្រសួង"], "បច្ចេកវិទ្យ")


def test_the_completions_are_bounded(content: SearchService) -> None:
    reader = content.snapshot().searcher.reader()
    done = prefix.complete(["com"], reader.schema, reader, 2)
    assert done is not None and len(done.terms) == 2
    # the two most frequent of the terms that start with "com", by hand from the index
    everything = prefix.complete(["com"], reader.schema, reader, 1000)
    assert everything is not None and len(everything.terms) > 2
    frequency = {t: reader.doc_frequency("content", t) for t in everything.terms}
    assert [frequency[t] for t in done.terms] == sorted(frequency.values(), reverse=True)[:2]


@pytest.mark.parametrize(
    ("partial", "whole"),
    [("inaug", "inauguration"), ("telecom", "telecommunications"), ("បច្ចេកវិទ្យ", "បច្ចេកវិទ្យា")],
)
def test_real_corpus_unfinished_words(real: SearchService, partial: str, whole: str) -> None:
    expected = found(real, whole)
    assert expected  # the finding: these found 0 before
    assert found(real, partial) >= expected


def test_the_completed_words_rank_below_the_words_as_typed(content: SearchService) -> None:
    reader = content.snapshot().searcher.reader()
    query = queries.parse("siem inaug", reader.schema, reader).query
    # the words as typed, or (at PREFIX_BOOST) siem and a completion of inaug
    typed, completed = query.subqueries
    assert completed.boost == queries.PREFIX_BOOST < 1 == typed.boost
    assert ("content", "inaugur") in set(completed.iter_all_terms())
    assert ("content", "inaugur") not in set(typed.iter_all_terms())
    # staff syntax is never completed
    staff = queries.parse("siem AND inaug", reader.schema, reader).query
    assert ("content", "inaugur") not in set(staff.iter_all_terms())
