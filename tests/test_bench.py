"""The benchmark harnesses run end to end at a tiny size, so they never rot.

These check that every figure is reported, not what the figures are: timings are
for ``bench/``, not for tests.
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from pathlib import Path

import pytest

from bench import corpus, reindex
from bench import run as bench_run
from indexer.sources import discover, read
from tests.conftest import CONTENT, prakas
from webapp.search import SearchRequest, SearchService

KEYS = (
    "size",
    "build.docs_per_s",
    "build.peak_rss_mb",
    "build.docs_per_s_2_cores",
    "build.index_mb",
    "search.median_ms",
    "search.p95_ms",
    "search.p99_ms",
    "landing_ms",
    "suggest.p95_ms",
    "suggest.build_s",
    "load.rps",
    "load.p95_ms",
    "load.errors",
    "worker_rss_mb",
    "fts5.search.median_ms",
    "fts5.search.p95_ms",
    "fts5.landing_ms",
    "load_zipf.rps",
    "load_zipf.errors",
    "search_steady.median_ms",
)
TANTIVY_KEYS = (
    "tantivy.search.median_ms",
    "tantivy.search.p95_ms",
    "tantivy.search.p99_ms",
    "tantivy.landing_ms",
    "tantivy.build_docs_per_s",
    "ratio_tantivy.search.median",
)


def test_corpus_generator_is_seeded_and_realistic(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert corpus.generate(40, a, seed=1) == 40
    corpus.generate(40, b, seed=1)
    for path in a.rglob("*.md"):
        assert path.read_bytes() == (b / path.relative_to(a)).read_bytes()
    docs = [read(s) for s in discover([a])]
    assert {d.lang for d in docs} == {"en", "km"}
    assert len({d.slug for d in docs}) == 20  # English and Khmer pairs
    khmer = next(d for d in docs if d.lang == "km")
    assert any("\u1780" <= c <= "\u17ff" for c in khmer.body_text)
    assert all(2005 <= d.date.year <= 2026 for d in docs)


def test_bench_run_reports_every_figure(tmp_path: Path) -> None:
    try:
        result = bench_run.run(size=120, workdir=tmp_path, load_seconds=1.5, n_queries=24)
    finally:
        gc.unfreeze()  # the bench settles its service as a worker does; pytest is not one
    figures = bench_run.flat(result)
    keys = KEYS + (TANTIVY_KEYS if bench_run.tantivy_available() else ())
    for key in keys:
        assert key in figures, key
        assert isinstance(figures[key], int | float) and not math.isnan(figures[key]), key
    assert figures["size"] == 120 and figures["load.errors"] == 0
    assert figures["load_zipf.errors"] == 0
    table = bench_run.table(result)
    assert "/FTS5" in table and "landing page" in table and "/api/suggest" in table
    if bench_run.tantivy_available():
        assert "/tantivy" in table
        # every query class has a tantivy figure, from the same workload
        for kind in result["search"]["by_kind"]:
            assert f"tantivy.search.{kind}.median_ms" in figures, kind


def test_tantivy_reference_answers_like_ours(tmp_path: Path) -> None:
    """The peer must do the same work: find what we find, count the same facets."""
    pytest.importorskip("tantivy")
    index_dir = tmp_path / "index"
    assert prakas("index", "--content", CONTENT, "--index", index_dir).returncode == 0
    service = SearchService(index_dir, result_cache=0)
    engine = bench_run.Tantivy(tmp_path / "tantivy", service.searcher())
    for word in ("broadband", "training", "ប្រៃសណីយ៍"):
        ours = service.search(SearchRequest(q=word))
        query = bench_run.Query("term", word)
        text = engine._text_query(word)
        hits = engine.searcher.search(text, 10).hits
        assert ours.total > 0 and len(hits) > 0, word
        ours_ids = {h.id for h in ours.hits}
        theirs = {engine.searcher.doc(a)["id"][0] for _, a in hits}
        assert theirs & ours_ids, word
        counts = engine._facets(text, text, engine._filters(query))
        lang = {b["key"]: b["doc_count"] for b in counts["lang"]["buckets"]}
        files = service.search(SearchRequest(q=word, unit="file"))  # tantivy counts files
        assert lang == {v.value: v.count for v in files.facets["lang"]}, word
    landing = engine._facets(engine.t.Query.all_query(), None, {})
    years = {b["key"]: b["doc_count"] for b in landing["year"]["buckets"]}
    ours = service.search(SearchRequest(unit="file"))  # tantivy counts files
    assert years == {int(v.value): v.count for v in ours.facets["year"]}


def test_zipf_mix_has_the_landing_page_and_a_few_words_dominate() -> None:
    queries = [bench_run.Query("frequent term", w) for w in ("digital", "school", "training")]
    queries += [bench_run.Query("rare term", f"word{i}") for i in range(200)]
    uniform = bench_run.load_paths(queries, "uniform")
    assert len(uniform) == len(queries) + 1 and uniform.count("/") == 1
    drawn = Counter(bench_run.load_paths(queries, "zipf"))
    ranked = [path for path, _ in drawn.most_common()]
    assert ranked[0] == "/"
    assert {"/search?q=digital", "/search?q=school", "/search?q=training"} <= set(ranked[:6])
    total = sum(drawn.values())
    assert sum(n for _, n in drawn.most_common(4)) > 0.35 * total  # the head dominates
    assert len(drawn) > 100  # and the tail is long


def test_bench_reindex_reports_both_runs(tmp_path: Path) -> None:
    result = reindex.run(size=60, workdir=tmp_path)
    assert result["no_change_mode"] == "unchanged" and result["after_mode"] == "unchanged"
    changes = result["one_percent_report"]
    # a changed file re-indexes the other version of its announcement too
    touched = changes["added"] + changes["updated"] + changes["deleted"]
    assert result["one_percent_files"] <= touched <= 2 * result["one_percent_files"]
    assert result["no_change_s"] > 0 and result["one_percent_s"] > 0


@pytest.mark.corpus
def test_typed_judgements_are_what_their_evidence_finds(blog: Path) -> None:
    """``bench/typed.json``: each query's relevant announcements are exactly those of
    its language whose text matches its evidence (so a judgement can be re-read), and
    the set holds at least 40 queries, 20 of each language."""
    import json
    import re
    import unicodedata

    from indexer import khmer

    items = json.loads((Path(bench_run.__file__).parent / "typed.json").read_text("utf-8"))
    queries = items["queries"]
    assert len(queries) >= 40
    assert Counter(q["lang"] for q in queries)["en"] >= 20
    assert Counter(q["lang"] for q in queries)["km"] >= 20
    for item in queries:
        rx = re.compile(khmer.normalise(item["evidence"]), re.IGNORECASE)
        found = {
            p.stem
            for p in (blog / item["lang"]).glob("*.md")
            if rx.search(khmer.normalise(unicodedata.normalize("NFC", p.read_text("utf-8"))))
        }
        assert found == set(item["relevant"]), item["q"]
