"""The numpy paths of matching agree with Whoosh's own: phrases, date order, and the
per-generation caches of the search service. (Position decoding, a private format of
Whoosh's, is tested with the other private accesses in ``test_whoosh_compat.py``.)"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from whoosh import query as Q

from indexer.analysis import analyse
from tests.conftest import CONTENT, prakas
from webapp import vector
from webapp.search import SearchRequest, SearchService, selections


def _phrases_from(texts: list[str], limit: int) -> list[list[str]]:
    phrases = []
    for text in texts:
        words = re.findall(r"\w+", text)
        for i in range(0, max(0, len(words) - 3), 7):
            terms = analyse(" ".join(words[i : i + 2 + i % 2]))
            if len(terms) > 1:
                phrases.append(terms)
    return phrases[:limit]


def _check_phrases(index_dir: Path, texts: list[str], limit: int) -> int:
    snap = SearchService(index_dir, result_cache=0).snapshot()
    searcher = snap.searcher
    evaluator = vector.Evaluator(searcher, snap.lengths, snap.columns.alive, snap.postings)
    found = 0
    for terms in _phrases_from(texts, limit):
        for field in ("content", "title"):
            phrase = Q.Phrase(field, terms)
            mask, scores = evaluator.run(phrase)
            expected = sorted(searcher.docs_for_query(phrase))
            assert np.flatnonzero(mask).tolist() == expected, (field, terms)
            assert (scores[mask] > 0).all()
            found += len(expected)
    return found


def test_phrases_match_as_whoosh_matches_them(content_index: Path) -> None:
    texts = [p.read_text("utf-8") for p in sorted(CONTENT.rglob("*.md"))]
    assert _check_phrases(content_index, texts, 400) > 100


@pytest.mark.corpus
def test_phrases_match_as_whoosh_on_the_real_corpus(blog: Path, corpus_index: Path) -> None:
    texts = [p.read_text("utf-8") for p in sorted(blog.rglob("*.md"))[:80]]
    assert _check_phrases(corpus_index, texts, 600) > 200


def test_pages_by_date_are_the_matches_in_date_order(content_index: Path) -> None:
    snap = SearchService(content_index, result_cache=0).snapshot()
    rng = np.random.default_rng(3)
    for unit, units in snap.columns.units.items():
        dates = units.date
        for _ in range(20):
            final = rng.random(len(dates)) < 0.5
            idx = np.flatnonzero(final)
            newest = idx[np.lexsort((-idx, -dates[idx]))].tolist()
            oldest = idx[np.lexsort((idx, dates[idx]))].tolist()
            assert snap.dates[unit].page(final, False, 0, 100) == newest
            assert snap.dates[unit].page(final, True, 2, 3) == oldest[2:5]


def test_result_cache_serves_repeats_and_forgets_an_old_generation(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    index_dir = tmp_path / "index"
    assert prakas("index", "--content", content, "--index", index_dir).returncode == 0
    service = SearchService(index_dir, result_cache=2)
    request = SearchRequest(q="broadband")
    first = service.search(request)
    again = service.search(request)
    assert service.results.hits == 1 and again is not first
    assert [h.id for h in again.hits] == [h.id for h in first.hits] and again.total == first.total
    again.notices.append("a caller's own notice")  # a copy: the next caller never sees it
    assert "a caller's own notice" not in service.search(request).notices
    # least recently used out first
    service.search(SearchRequest(q="training"))
    service.search(SearchRequest(q="school"))
    service.search(request)
    assert service.results.hits == 2 and len(service.results) == 2
    # a new generation: the cache is dropped, the new document is found
    (content / "en" / "2026-broadband-pursat.md").write_text(
        "---\ntitle: Broadband reaches Pursat\ndate: 2026-01-05\n---\n\nBroadband in Pursat.\n",
        "utf-8",
    )
    assert prakas("index", "--content", content, "--index", index_dir).returncode == 0
    after = service.search(request)
    assert after.total == first.total + 1 and after.generation != first.generation


def test_landing_counts_are_computed_once_and_never_carry_a_selection(
    content_index: Path,
) -> None:
    service = SearchService(content_index, result_cache=0)
    landing = service.search(SearchRequest())
    year = landing.facets["year"][0].value
    filtered = service.search(SearchRequest(filters=selections({"year": (year,)})))
    assert any(v.selected for v in filtered.facets["year"])
    again = service.search(SearchRequest())
    assert again.facets is landing.facets  # the generation's memo
    assert not any(v.selected for values in again.facets.values() for v in values)
    fresh = SearchService(content_index, result_cache=0)
    fresh.snapshot().memo.get = lambda key, compute: compute()  # type: ignore[method-assign]
    counted = fresh.search(SearchRequest()).facets
    assert counted is not landing.facets
    assert {k: [(v.value, v.count) for v in vs] for k, vs in counted.items()} == {
        k: [(v.value, v.count) for v in vs] for k, vs in landing.facets.items()
    }


def test_facet_counts_of_few_matches_equal_the_full_count(content_index: Path) -> None:
    """A rare word's counts are read from its matches' own pairs: the same numbers as
    the pass over every pair, for files and for announcements."""
    cols = SearchService(content_index, result_cache=0).snapshot().columns
    rng = np.random.default_rng(7)
    columns = [(p, cols.n) for p in cols.pairs.values()]
    columns += [(p, u.n) for u in cols.units.values() for p in u.pairs.values()]
    for pairs, n in columns:
        for share in (0.0, 0.02, 0.05, 0.3, 1.0):
            mask = rng.random(n) < share
            full = np.bincount(pairs.value[mask[pairs.owner]], minlength=len(pairs.values))
            assert pairs.count(mask).tolist() == full.tolist()


def test_the_recency_factor_by_hand() -> None:
    """``1 + 0.2 × 0.5^(age / 180)``, the age counted from the newest live file."""
    newest = 739_000
    dates = np.array([newest, newest - 180, newest - 360, newest - 18_000, newest + 5])
    alive = np.array([True, True, True, True, False])  # a deleted file is not the newest
    assert vector.recency(dates, alive).tolist() == pytest.approx(
        [1.2, 1.1, 1.05, 1.0, 1.2], abs=1e-6
    )


def test_recency_orders_near_equal_scores_newest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two announcements of one word: the older says it twice and wins on text alone;
    with a strong recency weight the newer comes first. (The weight in force, 0.2,
    moves scores by at most 20%: docs/api.md, "Ranking".)"""
    content = tmp_path / "content"
    (content / "en").mkdir(parents=True)
    (content / "en" / "old.md").write_text(
        "---\ntitle: Notice\ndate: 2015-01-01\n---\n\nKiosk kiosk opened in the town.\n", "utf-8"
    )
    (content / "en" / "new.md").write_text(
        "---\ntitle: Notice\ndate: 2025-01-01\n---\n\nKiosk opened in the town hall.\n", "utf-8"
    )
    index_dir = tmp_path / "index"
    assert prakas("index", "--content", content, "--index", index_dir).returncode == 0
    monkeypatch.setattr(vector, "RECENCY_WEIGHT", 0.0)
    flat = SearchService(index_dir, result_cache=0).search(SearchRequest(q="kiosk"))
    assert [h.slug for h in flat.hits] == ["old", "new"]
    monkeypatch.setattr(vector, "RECENCY_WEIGHT", 1.0)
    recent = SearchService(index_dir, result_cache=0).search(SearchRequest(q="kiosk"))
    assert [h.slug for h in recent.hits] == ["new", "old"]


@pytest.mark.parametrize("unit", [None, "file", "announcement"])
def test_a_leaf_read_once_is_not_changed_by_the_logic_over_it(
    content_index: Path, unit: str | None
) -> None:
    """An evaluator keeps each leaf it reads (a respelling or the relaxed words run the
    same leaves again): an ``And`` over a leaf must not narrow the kept leaf."""
    snap = SearchService(content_index, result_cache=0).snapshot()
    units = snap.columns.units[unit] if unit else None
    takeo, training = Q.Term("content", "takeo"), Q.Term("content", "train")
    fresh = vector.Evaluator(snap.searcher, snap.lengths, snap.columns.alive, snap.postings)
    alone, _ = fresh.run(takeo, units)
    evaluator = vector.Evaluator(snap.searcher, snap.lengths, snap.columns.alive, snap.postings)
    both, _ = evaluator.run(Q.And([takeo, training]), units)
    again, _ = evaluator.run(takeo, units)
    assert 0 < both.sum() < alone.sum()  # the And narrows: the test can see a change
    assert again.tolist() == alone.tolist()


def test_phrase_docs_of_no_terms_or_an_absent_one_is_empty() -> None:
    """(mutant ``phrase_docs`` 8.) No words, or a word with no postings: no document,
    as the int64 array the callers index with; a word alone is its own documents."""
    from types import SimpleNamespace

    none = vector.phrase_docs([])
    assert (none.dtype.name, none.tolist()) == ("int64", [])
    absent = SimpleNamespace(ids=np.zeros(0, dtype=np.int32))
    present = SimpleNamespace(ids=np.array([3, 7], dtype=np.int32))
    got = vector.phrase_docs([present, absent])  # type: ignore[list-item]
    assert (got.dtype.name, got.tolist()) == ("int64", [])
    alone = vector.phrase_docs([present])  # type: ignore[list-item]
    assert (alone.dtype.name, alone.tolist()) == ("int64", [3, 7])


def test_a_phrase_across_two_segments(tmp_path: Path) -> None:
    """(mutant ``SegmentedPositions.at`` 1: "no tests".) An incremental run writes a
    second segment; a phrase whose words stand in both reads each segment's positions
    and finds its files in both, and not a file where the words are apart."""
    from indexer import whoosh_compat
    from indexer.build import build

    root, index = tmp_path / "content", tmp_path / "index"
    (root / "en").mkdir(parents=True)

    def write(slug: str, body: str, day: int) -> None:
        (root / "en" / f"{slug}.md").write_text(
            f"---\ntitle: {slug}\ndate: 2025-02-{day:02}\n---\n\n{body}\n", "utf-8"
        )

    write("first", "A course in digital literacy for teachers.", 1)
    write("apart", "Digital tools and the literacy of reading.", 2)
    build([root], index, procs=1)
    write("second", "More digital literacy for girls.", 3)
    build([root], index, procs=1)
    service = SearchService(index)
    assert len(list(whoosh_compat.leaf_readers(service.searcher()))) == 2
    result = service.search(SearchRequest(q='"digital literacy"', per_page=10))
    assert sorted(h.slug for h in result.hits) == ["first", "second"]


def test_a_term_read_in_part_twice_is_read_whole_and_kept(content_index: Path) -> None:
    """(mutant ``PostingsCache.positions`` 49: the count of partial reads kept under
    another key, so a term asked for in part is never kept.) The first two reads for a
    few candidates read only their blocks; the third reads the term whole and keeps it."""
    searcher = SearchService(content_index).searcher()
    cache = vector.PostingsCache()
    field, term = "content", "digit"  # "digital", as the English analyser stems it
    df = cache.df(searcher, field, term)
    assert df >= 8  # a few candidates are fewer than a quarter of its documents
    within = np.array([0], dtype=np.int64)
    for _ in range(2):
        cache.positions(searcher, field, term, within)
        assert (field, term, "positions") not in cache._items
    whole = cache.positions(searcher, field, term, within)
    assert (field, term, "positions") in cache._items
    assert len(whole.ids) == df


def test_an_evaluator_reads_a_leaf_once(content_index: Path, monkeypatch) -> None:
    """(mutants ``Evaluator._leaf`` 1 and 41: the kept leaf not looked up, or not kept.)
    A respelling or the relaxed words run the same leaves again on one evaluator: each
    is read from the postings once."""
    snap = SearchService(content_index, result_cache=0).snapshot()
    evaluator = vector.Evaluator(snap.searcher, snap.lengths, snap.columns.alive, snap.postings)
    reads: list[str] = []
    term = evaluator._term
    monkeypatch.setattr(evaluator, "_term", lambda f, t, b: reads.append(t) or term(f, t, b))
    takeo, training = Q.Term("content", "takeo"), Q.Term("content", "train")
    first, _ = evaluator.run(Q.And([takeo, training]))
    second, _ = evaluator.run(Q.Or([takeo, training]))
    assert reads == ["takeo", "train"]
    assert 0 < first.sum() < second.sum()
