"""Each private Whoosh access of :mod:`indexer.whoosh_compat`, and the vectorised
ranker against Whoosh's own scorer: a Whoosh release that changes either fails here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, TEXT, Schema

from indexer import store, whoosh_compat
from webapp import vector
from webapp.search import SearchService


def small_index(tmp_path: Path):
    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(stored=True))
    return whoosh_index.create_in(str(tmp_path), schema)


def test_two_segment_writers_at_once_then_one_table_of_contents(tmp_path: Path) -> None:
    ix = small_index(tmp_path)
    first = whoosh_compat.segment_writer(ix, limitmb=16)
    second = whoosh_compat.segment_writer(ix, limitmb=16)  # no LockError: no Whoosh lock
    first.add_document(id="a", body="rice farmers in Takeo")
    second.add_document(id="b", body="pepper farmers in Kampot")
    second.add_document(id="c", body="salt farmers in Kampot")
    segments = [whoosh_compat.finish_segment(first, 1), whoosh_compat.finish_segment(second, 2)]
    assert all(s is not None for s in segments)
    before = whoosh_index.open_dir(str(tmp_path)).doc_count()
    assert before == 0  # finished, not yet published
    whoosh_compat.publish_segments(ix, segments)
    ix = whoosh_index.open_dir(str(tmp_path))
    assert ix.doc_count() == 3 and len(ix._segments()) == 2
    with ix.searcher() as s:
        assert {h["id"] for h in s.search(Q.Term("body", "farmers"))} == {"a", "b", "c"}


def test_an_empty_segment_leaves_nothing_behind(tmp_path: Path) -> None:
    ix = small_index(tmp_path)
    before = set(p.name for p in tmp_path.iterdir())
    writer = whoosh_compat.segment_writer(ix, limitmb=16)
    assert whoosh_compat.finish_segment(writer, 0) is None
    whoosh_compat.publish_segments(ix, [])
    after = {p.name for p in tmp_path.iterdir() if not p.name.endswith(".toc")}
    assert after <= before


@pytest.fixture(scope="module")
def service(content_index: Path) -> SearchService:
    return SearchService(content_index)


def test_block_postings_equal_whooshs_public_postings(service: SearchService) -> None:
    searcher = service.searcher()
    leaves = whoosh_compat.leaf_readers(searcher)
    assert sum(r.doc_count_all() for r, _ in leaves) == searcher.doc_count_all()
    offsets = [o for _, o in leaves]
    assert offsets == sorted(offsets) and offsets[0] == 0
    checked = 0
    for reader, _ in leaves:
        for term in list(reader.lexicon("content"))[:200]:
            text = term.decode() if isinstance(term, bytes) else term
            ids, tfs = whoosh_compat.term_postings(reader, "content", text)
            items = list(reader.postings("content", text).items_as("weight"))
            assert ids.tolist() == [i for i, _ in items]
            assert np.allclose(tfs, [w for _, w in items])
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("words", [["ministry"], ["digital", "ministry"], ["province"], ["school"]])
def test_vectorised_ranking_orders_results_as_whooshs_scorer(
    service: SearchService, words: list[str]
) -> None:
    """Terms over the text fields with their boosts, as the public box builds them:
    the same documents, and scores equal to Whoosh's BM25F to float precision."""
    snap = service.snapshot()
    searcher = snap.searcher
    fields = {"title": 2.0, "content": 1.0}
    words = [t.text for w in words for t in searcher.schema["content"].analyzer(w, mode="query")]
    query = (
        Q.And([Q.Or([Q.Term(f, w, boost=b) for f, b in fields.items()]) for w in words])
        if len(words) > 1
        else Q.Or([Q.Term(f, words[0], boost=b) for f, b in fields.items()])
    )
    mask, scores = vector.Evaluator(searcher, snap.lengths, snap.columns.alive, snap.postings).run(
        query
    )
    whoosh = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
    assert whoosh, "the query should match the bundled content"
    assert set(np.flatnonzero(mask).tolist()) == set(whoosh)
    for docnum, score in whoosh.items():
        assert scores[docnum] == pytest.approx(score, rel=1e-4), docnum
    ours = vector.top(scores, np.flatnonzero(mask), 10).tolist()
    theirs = [h.docnum for h in searcher.search(query, limit=10)]
    assert [round(float(scores[d]), 4) for d in ours] == [round(whoosh[d], 4) for d in theirs]


def test_the_index_under_test_has_several_segments_or_one(content_index: Path) -> None:
    ix, _ = store.open_index(content_index)
    assert len(ix._segments()) >= 1


def _positions_by_whoosh(searcher, field: str, term: str) -> list[list[int]]:
    out = []
    for sub, _ in searcher.subsearchers or [(searcher, 0)]:
        reader = sub.reader()
        if (field, term) in reader:
            m = reader.postings(field, term)
            while m.is_active():
                out.append(list(m.value_as("positions")))
                m.next()
    return out


def _assert_decoded_like_whoosh(searcher, field: str, terms) -> int:
    checked = 0
    for term in terms:
        enc = vector.read_positions(searcher, field, term)
        counts, positions = whoosh_compat.decode_positions(enc.data, enc.starts)
        expected = _positions_by_whoosh(searcher, field, term)
        assert counts.tolist() == [len(p) for p in expected], term
        assert positions.tolist() == [p for ps in expected for p in ps], term
        checked += len(expected)
    return checked


def test_positions_decode_like_whoosh_in_every_encoding(tmp_path: Path) -> None:
    """Gaps of one, two and four bytes, a list pickled in batches (over 1,000
    positions), a long tail of frequent words: all as Whoosh itself reads them."""
    plain = SpaceSeparatedTokenizer()  # positions are what matter here, not analysis
    ix = whoosh_index.create_in(str(tmp_path), Schema(body=TEXT(analyzer=plain, phrase=True)))
    writer = ix.writer()
    filler = " ".join(f"w{i}" for i in range(300))
    docs = [
        "alpha beta " * 1200,  # 2,400 positions: pickled in batches of 1,000
        f"alpha {filler} beta {filler} {filler} alpha",  # gaps over 255
        "alpha " + "pad " * 66_000 + "alpha",  # a gap over 65,535
        "beta",
        *[("alpha beta gamma " * (i % 40 + 1)) for i in range(60)],  # tails of all lengths
    ]
    for text in docs:
        writer.add_document(body=text)
    writer.commit()
    with ix.searcher() as searcher:
        assert _assert_decoded_like_whoosh(
            searcher, "body", ["alpha", "beta", "gamma", "w7", "pad"]
        )


def test_positions_decode_like_whoosh_on_the_bundled_content(content_index: Path) -> None:
    service = SearchService(content_index, result_cache=0)
    searcher = service.searcher()
    terms = [t.decode() for t in searcher.reader().lexicon("content")]
    assert _assert_decoded_like_whoosh(searcher, "content", terms) > 1000


def test_blocks_outside_the_candidates_are_skipped_unread(service: SearchService) -> None:
    searcher = service.searcher()
    reader, offset = whoosh_compat.leaf_readers(searcher)[0]
    term = max(
        (t.decode() for t in reader.lexicon("content")),
        key=lambda t: reader.doc_frequency("content", t),
    )
    every = list(whoosh_compat.term_blocks(reader, "content", term, offset=offset))
    ids = np.concatenate([b[0] for b in every])
    assert ids.tolist() == [
        i + offset for i, _ in reader.postings("content", term).items_as("weight")
    ]
    wanted = ids[-1:]
    some = list(whoosh_compat.term_blocks(reader, "content", term, True, wanted, offset))
    assert len(some) == 1 and wanted[0] in some[0][0]
    assert len(some[0][2]) == len(some[0][0])  # the values of the block read
