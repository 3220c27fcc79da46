"""The benchmark harnesses run end to end at a tiny size, so they never rot.

These check that every figure is reported, not what the figures are: timings are
for ``bench/``, not for tests.
"""

from __future__ import annotations

import math
from pathlib import Path

from bench import corpus, reindex
from bench import run as bench_run
from indexer.sources import discover, read

KEYS = (
    "size",
    "build.docs_per_s",
    "build.peak_rss_mb",
    "build.index_mb",
    "search.median_ms",
    "search.p95_ms",
    "search.p99_ms",
    "landing_ms",
    "load.rps",
    "load.p95_ms",
    "load.errors",
    "worker_rss_mb",
    "fts5.search.median_ms",
    "fts5.search.p95_ms",
    "fts5.landing_ms",
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
    result = bench_run.run(size=120, workdir=tmp_path, load_seconds=1.5, n_queries=24)
    figures = bench_run.flat(result)
    for key in KEYS:
        assert key in figures, key
        assert isinstance(figures[key], int | float) and not math.isnan(figures[key]), key
    assert figures["size"] == 120 and figures["load.errors"] == 0
    table = bench_run.table(result)
    assert "ours/FTS5" in table and "landing page" in table


def test_bench_reindex_reports_both_runs(tmp_path: Path) -> None:
    result = reindex.run(size=60, workdir=tmp_path)
    assert result["no_change_mode"] == "unchanged" and result["after_mode"] == "unchanged"
    changes = result["one_percent_report"]
    # a changed file re-indexes the other version of its announcement too
    touched = changes["added"] + changes["updated"] + changes["deleted"]
    assert result["one_percent_files"] <= touched <= 2 * result["one_percent_files"]
    assert result["no_change_s"] > 0 and result["one_percent_s"] > 0
