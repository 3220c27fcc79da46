"""The indexer's numpy copy of long postings (:mod:`indexer.postings`): written by both
builds, equal to Whoosh's own postings, positions and lengths; kept in step with the
segments by incremental runs, never by writing into the live generation's files; read
segment by segment beside Whoosh's short lists; ignored when it is not its segment's,
and read from Whoosh when a file is broken; the same search results either way."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from bench import corpus as bench_corpus
from bench.corpus import generate
from indexer import postings, store, whoosh_compat
from indexer.build import PARALLEL_FROM, build
from indexer.schema import SEARCHED
from tests.indexcache import cache_root, kept_index
from webapp import vector
from webapp.search import SearchRequest, SearchService


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough announcements for common words to span several of Whoosh's blocks."""
    root = tmp_path_factory.mktemp("postings-corpus")
    generate(PARALLEL_FROM + 200, root, seed=3)
    return root


@pytest.fixture(scope="module")
def built(
    corpus: Path, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[int, Path], Path]:
    """``copy(procs, dest)``: at ``dest``, a copy of ``corpus`` built by ``procs``
    processes, kept between runs (tests/indexcache.py), for the tests that read a build
    rather than test one (the generator is seeded: its code and arguments are its files)."""
    root = cache_root(request.config, tmp_path_factory)

    def copy(procs: int, dest: Path) -> Path:
        made = f"generate({PARALLEL_FROM + 200}, seed=3), procs={procs}"
        inputs = [Path(bench_corpus.__file__).read_bytes(), made.encode()]
        return kept_index(
            root, f"postings-{procs}", inputs, lambda ix: build([corpus], ix, procs=procs), dest
        )

    return copy


def copies_on_disk(gen: Path) -> set[str]:
    return {p.name[len(postings.PREFIX) : -len(".json")] for p in gen.glob("numpy-*.json")}


def leaves(gen: Path):
    """A reader of the generation's index, and one per segment."""
    reader = whoosh_index.open_dir(str(gen)).reader()
    return reader, [reader] if reader.is_atomic() else [r for r, _ in reader.leaf_readers()]


def assert_copies_equal_whoosh(gen: Path) -> int:
    """Every segment has a copy; it holds exactly the long postings of the searched
    fields, each equal to Whoosh's public postings. Returns the terms compared."""
    reader, segs = leaves(gen)
    copies = postings.open_copies(gen, reader)
    ids = {postings.segment_id(leaf) for leaf in segs}
    assert set(copies) == ids == copies_on_disk(gen)
    compared = 0
    for leaf in segs:
        copy = copies[postings.segment_id(leaf)]
        for field in SEARCHED:
            for text, info in leaf.iter_field(field):
                found = copy.postings(field, text)
                if info.doc_frequency() < postings.MIN_POSTINGS:
                    assert found is None
                    continue
                assert found is not None, (field, text)
                items = list(leaf.postings(field, text).items_as("weight"))
                # ``postings`` hides deleted documents; the copy keeps them, as Whoosh's
                # blocks do, and the caller masks them
                live = np.array([leaf.is_deleted(int(i)) is False for i in found[0]])
                assert found[0][live].tolist() == [i for i, _ in items]
                assert found[1][live].tolist() == [w for _, w in items]
                assert found[1].dtype == np.float32
                if field in ("title", "content"):  # the fields with positions
                    copied = copy.positions(field, text)
                    assert copied is not None
                    _, _, counts, want = whoosh_compat.term_positions(leaf, field, text)
                    got_counts, got = copied.at(np.arange(len(found[0])))
                    assert got_counts.tolist() == counts.tolist()
                    assert got.tolist() == want.tolist()
                    # as Whoosh's own matcher reads them, for the live postings
                    m = leaf.postings(field, text)
                    split = np.split(got, np.cumsum(counts)[:-1])
                    mine = dict(zip(found[0].tolist(), split, strict=True))
                    while m.is_active():
                        assert mine[m.id()].tolist() == list(m.value_as("positions"))
                        m.next()
                else:
                    assert copy.positions(field, text) is None
                compared += 1
    reader.close()
    return compared


def assert_only_short_parts_kept(snap) -> None:
    """What the postings cache keeps decoded: only a segment's part of a term that the
    segment holds short (so not in its copy), never a copied one."""
    leaves = dict((o, r) for r, o in snap.searcher.reader().leaf_readers())
    assert snap.postings._items, "some segment holds some term short"
    for key in snap.postings._items:
        field, text, offset = key[:3]
        df = leaves[offset].doc_frequency(field, text)
        assert 0 < df < postings.MIN_POSTINGS, key


@pytest.mark.parametrize("procs", [1, 2])
def test_both_builds_write_a_copy_equal_to_whooshs_postings(
    corpus: Path, tmp_path: Path, procs: int
) -> None:
    build([corpus], tmp_path, procs=procs)
    gen = store.current_generation(tmp_path)
    assert gen is not None
    assert assert_copies_equal_whoosh(gen) > 50  # common words of three fields


def test_an_incremental_run_copies_new_segments_and_drops_merged_ones(
    corpus: Path, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(corpus, content)
    index = tmp_path / "index"
    build([content], index, procs=2)
    first = store.current_generation(index)
    assert first is not None
    before = copies_on_disk(first)
    # a changed file (a deletion in an old segment, a document in a new one) and a
    # deleted one
    changed = content / "en" / "1-post.md"
    changed.write_text(changed.read_text("utf-8") + "\nWater pumps for every commune.\n")
    (content / "en" / "2-post.md").unlink()
    build([content], index)
    gen = store.current_generation(index)
    assert gen is not None and gen != first
    after = copies_on_disk(gen)
    assert after - before, "the new segment has a copy"
    assert_copies_equal_whoosh(gen)
    # nothing of a segment outside the index is left
    reader, segs = leaves(gen)
    live = {postings.segment_id(s) for s in segs}
    reader.close()
    assert {p.name.split("-")[1].split(".")[0] for p in gen.glob("numpy-*")} == live
    # a nightly run's small segment holds common words short: only its own part of
    # them is decoded from Whoosh, the big segment's comes from its copy
    service = SearchService(index, result_cache=0)
    snap = service.snapshot()
    bare = vector.PostingsCache()
    segments = [r for r, _ in snap.searcher.reader().leaf_readers()]
    assert len(segments) > 1, "the run added a segment"
    # words long in one segment (so in its copy) and present, short, in another
    mixed = [
        t.decode()
        for t, i in snap.searcher.reader().iter_field("content")
        if i.doc_frequency() >= postings.MIN_POSTINGS
        and any(0 < r.doc_frequency("content", t) < postings.MIN_POSTINGS for r in segments)
        and any(r.doc_frequency("content", t) >= postings.MIN_POSTINGS for r in segments)
    ]
    assert mixed
    for text in mixed:
        got = snap.postings.get(snap.searcher, "content", text)
        want = bare.get(snap.searcher, "content", text)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1]), text
    assert_only_short_parts_kept(snap)
    # the deleted document is not found through the copy
    result = service.search(SearchRequest(q="water", unit="file", per_page=2000))
    ids = {h.id for h in result.hits}
    assert "en/2-post" not in ids and "en/1-post" in ids


def test_a_copy_without_its_marker_or_of_another_size_is_ignored(
    corpus: Path, tmp_path: Path
) -> None:
    build([corpus], tmp_path, procs=1)
    gen = store.current_generation(tmp_path)
    assert gen is not None
    reader, segs = leaves(gen)
    segid = postings.segment_id(segs[0])
    assert segid is not None
    marker = gen / f"{postings.PREFIX}{segid}.json"
    text = marker.read_text("utf-8")
    marker.write_text(text.replace('"documents": ', '"documents": 1'), "utf-8")
    assert segid not in postings.open_copies(gen, reader)
    marker.unlink()
    assert segid not in postings.open_copies(gen, reader)
    reader.close()
    # the next run writes that copy again, in its own generation: the files it starts
    # from are hard links to the live one's, which must not change under its readers
    live_files = {p.name: p.read_bytes() for p in gen.glob("numpy-*")}
    changed = corpus / "en" / "3-post.md"
    before = changed.read_text("utf-8")
    try:
        changed.write_text(before + "\nA new paragraph.\n", "utf-8")
        build([corpus], tmp_path, procs=1)
    finally:
        changed.write_text(before, "utf-8")
    new = store.current_generation(tmp_path)
    assert new is not None and new != gen and gen.is_dir()  # the old one is kept
    assert {p.name: p.read_bytes() for p in gen.glob("numpy-*")} == live_files
    assert_copies_equal_whoosh(new)
    rewritten = sorted(new.glob(f"numpy-{segid}*"))
    assert rewritten, "the segment is still in the index, with its copy written again"
    for path in rewritten:  # new files, not the live generation's written over
        if (gen / path.name).exists():  # (the marker is new: the live one had none)
            assert path.stat().st_ino != (gen / path.name).stat().st_ino, path.name


def test_search_through_the_copy_equals_search_without_it(
    corpus: Path, built: Callable[[int, Path], Path], tmp_path: Path
) -> None:
    ix = built(2, tmp_path / "ix")
    service = SearchService(ix, result_cache=0)
    snap = service.snapshot()
    assert snap.postings.copies, "the service reads the copy"
    bare = vector.PostingsCache()  # Whoosh's blocks only
    searcher = snap.searcher
    # every document's field lengths, as BM25 reads them, from the copy and from Whoosh
    slow = vector.Lengths.load(searcher, SEARCHED, snap.columns.n)
    for field in SEARCHED:
        assert all(c.lengths(field) is not None for c in snap.postings.copies.values())
        assert np.array_equal(snap.lengths.by_field[field], slow.by_field[field], equal_nan=True)
        assert np.nansum(snap.lengths.by_field[field]) > 0, field
    hit = 0
    for field in SEARCHED:
        for text, info in searcher.reader().iter_field(field):
            if info.doc_frequency() < postings.MIN_POSTINGS:
                continue
            text = text.decode("utf-8")
            a_ids, a_tfs = snap.postings.get(searcher, field, text)
            b_ids, b_tfs = bare.get(searcher, field, text)
            assert np.array_equal(a_ids, b_ids) and np.array_equal(a_tfs, b_tfs)
            hit += 1
    assert hit > 50
    assert_only_short_parts_kept(snap)
    without = SearchService(ix, result_cache=0)
    without.snapshot().postings.copies.clear()
    # phrases of the corpus's own text: adjacent words of one of its bodies
    body = (corpus / "en" / "1-post.md").read_text("utf-8").split("---", 2)[2]
    words = body.lower().split()
    pairs = [
        (a, b)
        for a, b in itertools.pairwise(words)
        if re.fullmatch(r"[a-z]{5,} [a-z]{5,}", f"{a} {b}")
    ]
    phrases = [f'"{a} {b}"' for a, b in pairs[:3]]
    assert len(phrases) == 3
    for q in ("water", "farmers training", "ក្រសួង", "minister -water", *phrases):
        got = service.search(SearchRequest(q=q))
        want = without.search(SearchRequest(q=q))
        assert got.total == want.total > 0, q
        assert [h.id for h in got.hits] == [h.id for h in want.hits], q


def test_a_broken_copy_is_reported_and_read_from_whoosh_instead(
    built: Callable[[int, Path], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A copy's file gone or cut short (a disk error, a hand that tidied up) costs
    speed, never an answer: the field is read from Whoosh, and the log names the file."""
    ix = built(1, tmp_path / "ix")
    gen = store.current_generation(ix)
    assert gen is not None
    whole = SearchService(ix, result_cache=0)
    queries = ["water", "farmers training", "ក្រសួង", '"the ministry"']
    want = {q: whole.search(SearchRequest(q=q)) for q in queries}
    (ids,) = gen.glob("numpy-*-content-ids.npy")
    ids.unlink()
    (positions,) = gen.glob("numpy-*-title-positions.npy")
    positions.write_bytes(positions.read_bytes()[:200])
    (lengths,) = gen.glob("numpy-*-content_kc-lengths.npy")
    lengths.write_bytes(lengths.read_bytes()[:-8])
    broken = SearchService(ix, result_cache=0)
    with caplog.at_level("WARNING", logger="indexer.postings"):
        for q in queries:
            got = broken.search(SearchRequest(q=q))
            assert got.total == want[q].total, q
            assert [h.id for h in got.hits] == [h.id for h in want[q].hits], q
    logged = caplog.text
    assert ids.name in logged and positions.name in logged and lengths.name in logged
