"""Every use of Whoosh's private internals, in one module, each with a test
(``tests/test_whoosh_compat.py``) that fails if a new Whoosh release changes it.

Two jobs need what Whoosh does not make public:

* the parallel build (:mod:`indexer.build`) writes one segment per worker process and
  publishes them together: a segment writer that takes no lock of Whoosh's own (our
  flock already serialises writers), finishing a segment without committing it, and
  writing the table of contents that lists the finished segments;
* the vectorised matcher (:mod:`webapp.vector`) reads a term's postings a block at a
  time into numpy arrays, instead of one posting per Python call.

Nothing else in the project reaches past Whoosh's public API.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from whoosh.index import TOC, FileIndex, clean_files
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

Postings = tuple[np.ndarray, np.ndarray]  # document numbers (int32), frequencies (float32)


# --- the parallel build ------------------------------------------------------------------


def segment_writer(ix: FileIndex, limitmb: int) -> SegmentWriter:
    """A writer for one new segment that takes no Whoosh lock (``_lk``), so several
    processes can each write a segment of the same index at once."""
    return SegmentWriter(ix, _lk=False, limitmb=limitmb, compound=False)


def finish_segment(writer: SegmentWriter, documents: int):
    """Close a segment writer without committing; the finished segment, or None (and
    nothing left on disk) when it holds no document."""
    if documents:
        return writer._finalize_segment()
    writer._close_segment()
    return None


def publish_segments(ix: FileIndex, segments: Iterable) -> None:
    """Write the table of contents that makes ``segments`` the index, then remove the
    files no segment of it uses, and the writers' shared temporary folder."""
    segments = list(segments)
    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, segments)
    shutil.rmtree(Path(ix.storage.folder) / f"{ix.indexname}.tmp", ignore_errors=True)


# --- postings a block at a time ----------------------------------------------------------


def leaf_readers(searcher: Searcher) -> list[tuple[IndexReader, int]]:
    """Each segment's reader and the offset of its first document number."""
    subs = getattr(searcher, "subsearchers", None)
    if subs:
        return [(s.reader(), offset) for s, offset in subs]
    return [(searcher.reader(), 0)]


def term_postings(reader: IndexReader, field: str, text: str) -> Postings:
    """One segment's postings of a term, read block by block from the leaf matcher
    (``_read_ids``, ``_read_weights``, ``_next_block``). Deleted documents are kept:
    the caller masks them. A matcher of another shape is read one posting at a time."""
    m = reader.postings(field, text)
    while not hasattr(m, "_read_ids") and hasattr(m, "child"):
        m = m.child  # the wrapper that hides deleted documents
    ids: list[np.ndarray] = []
    tfs: list[np.ndarray] = []
    if not hasattr(m, "_read_ids"):
        one_ids, one_tfs = [], []
        while m.is_active():
            one_ids.append(m.id())
            one_tfs.append(m.weight())
            m.next()
        return np.asarray(one_ids, dtype=np.int32), np.asarray(one_tfs, dtype=np.float32)
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        if m._weights is None:
            m._read_weights()
        ids.append(np.asarray(m._ids, dtype=np.int32))
        tfs.append(np.asarray(m._weights, dtype=np.float32))
        m._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(tfs)
