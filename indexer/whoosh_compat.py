"""Every use of Whoosh's private internals, in one module, each with a test
(``tests/test_whoosh_compat.py``) that fails if a new Whoosh release changes it.

Two jobs need what Whoosh does not make public:

* the parallel build (:mod:`indexer.build`) writes one segment per worker process and
  publishes them together: a segment writer that takes no lock of Whoosh's own (our
  flock already serialises writers), finishing a segment without committing it, and
  writing the table of contents that lists the finished segments;
* reading postings in bulk: the evaluator (:mod:`webapp.vector`) reads a term's
  postings a block at a time into numpy arrays, instead of one posting per Python
  call, skips blocks by their headers, and decodes the positions of many postings at
  once from their stored bytes (the ``Positions`` format's encoding); the indexer's
  numpy copy of long postings (:mod:`indexer.postings`) reads each long term once this
  way, when it is written. Both go segment by segment (:func:`leaf_readers`, which
  the search service also uses to open each segment's stored fields up front).

Everything else keeps to Whoosh's public API, its extension points included: the
evaluator's deadline wraps queries and matchers by subclassing ``WrappingQuery``,
``Phrase`` and ``WrappingMatcher``, and the build opens a finished segment with
``SegmentReader``.
"""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Iterable, Iterator
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


def term_postings(reader: IndexReader, field: str, text: str | bytes) -> Postings:
    """One segment's postings of a term (document numbers, frequencies), read block by
    block. Deleted documents are kept: the caller masks them."""
    blocks = list(term_blocks(reader, field, text))
    if not blocks:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks])


def term_positions(reader: IndexReader, field: str, text: str | bytes) -> tuple[np.ndarray, ...]:
    """One segment's postings of a term of its lexicon with their positions decoded:
    (document numbers, frequencies, position counts, every posting's positions end to
    end). A term of the lexicon has at least one block (Whoosh raises ``TermNotFound``
    for any other)."""
    ids: list[np.ndarray] = []
    tfs: list[np.ndarray] = []
    chunks: list[bytes] = []
    lengths: list[int] = []
    for block_ids, block_tfs, block_values in term_blocks(reader, field, text, values=True):
        ids.append(block_ids)
        tfs.append(block_tfs)
        chunks.append(b"".join(block_values or ()))
        lengths.extend(map(len, block_values or ()))
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    data = np.frombuffer(b"".join(chunks) + bytes(PAD), dtype=np.uint8)
    counts, positions = decode_positions(data, starts)
    return np.concatenate(ids), np.concatenate(tfs), counts, positions


def term_blocks(
    reader: IndexReader,
    field: str,
    text: str | bytes,
    values: bool = False,
    within: np.ndarray | None = None,
    offset: int = 0,
) -> Iterator[tuple[np.ndarray, np.ndarray, tuple | None]]:
    """(ids, frequencies, values) of each stored block of one segment's postings of a
    term, document numbers plus ``offset``. Read from the leaf matcher's block data
    (``_read_data``: the pickled (ids, weights, values) tuple; ``_byteids``; ``_maxid``;
    ``_next_block``): ids are deltas, summed by numpy rather than Whoosh's Python loop.
    With ``within`` (sorted global document numbers), a block whose id range holds none
    of them is skipped on its header alone, never decompressed. Values (the encoded
    positions) only when asked. Inlined postings are read one at a time."""
    m = reader.postings(field, text)
    while not hasattr(m, "_read_data") and hasattr(m, "child"):
        m = m.child  # the wrapper that hides deleted documents
    if not hasattr(m, "_read_data"):
        one_ids, one_tfs, one_values = [], [], []
        while m.is_active():
            one_ids.append(m.id())
            one_tfs.append(m.weight())
            if values:
                one_values.append(m.value())
            m.next()
        yield (
            np.asarray(one_ids, dtype=np.int32) + offset,
            np.asarray(one_tfs, dtype=np.float32),
            tuple(one_values) if values else None,
        )
        return
    low = offset  # the lowest document number the next block may hold
    while m.is_active():
        if within is not None:
            high = m._maxid + offset
            i = np.searchsorted(within, low)
            low = high + 1
            if i == len(within) or within[i] > high:
                m._next_block()
                continue
        if m._data is None:
            m._read_data()
        raw_ids, weights, _ = m._data
        ids = np.asarray(raw_ids, dtype=np.int64)
        if not m._byteids:
            ids = np.cumsum(ids)
        n = len(ids)
        if weights is None:
            tfs = np.ones(n, dtype=np.float32)
        elif isinstance(weights, float):
            tfs = np.full(n, weights, dtype=np.float32)
        else:
            tfs = np.asarray(weights, dtype=np.float32)
        if values and m._values is None:
            m._read_values()
        yield (ids + offset).astype(np.int32), tfs, (m._values if values else None)
        m._next_block()


# --- positions, many postings at once ------------------------------------------------------

# Whoosh's ``Positions`` format stores each posting's value as a 4-byte big-endian count,
# then the position deltas as a pickled list (protocol 2: PROTO 2, EMPTY_LIST, BINPUT 0,
# then one APPEND or a MARK … APPENDS of small-int opcodes, then STOP).
_K, _M, _J = 0x4B, 0x4D, 0x4A  # BININT1, BININT2, BININT (1, 2 and 4-byte ints)
_HEADER = bytes([0x80, 2, 0x5D, 0x71, 0])
_FEW = 16  # postings left in the decoding loop below which pickle is cheaper
PAD = 8  # bytes a buffer of values must have after its last value


def decode_positions(data: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(counts, positions) of the postings whose values start at ``starts`` in ``data``
    (uint8, the values end to end, then :data:`PAD` bytes): every posting's positions,
    flattened in order. Numpy over all the postings at once, one step per position of
    the longest list; a value not in the common shape (a list pickled in batches, the
    long tail of the longest lists) goes through pickle, as Whoosh reads it."""
    m = len(starts)
    if m == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    b = data[starts[:, None] + np.arange(9)].astype(np.int64)
    counts = (b[:, 0] << 24) | (b[:, 1] << 16) | (b[:, 2] << 8) | b[:, 3]
    ok = np.all(b[:, 4:9] == np.frombuffer(_HEADER, dtype=np.uint8), axis=1)
    multi = counts > 1
    ok &= (counts >= 1) & (counts <= 1000) & (~multi | (data[starts + 9] == 0x28))  # MARK
    offsets = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    deltas = np.zeros(int(offsets[-1]), dtype=np.int64)
    order = np.argsort(-counts, kind="stable")
    ranked = counts[order]
    cursor = starts[order] + 9 + multi[order]
    bad = ~ok[order]
    k = 0
    while True:
        active = int(np.searchsorted(-ranked, -k, side="left"))  # postings with > k values
        if active == 0:
            break
        if active <= _FEW and k > 0:
            bad[:active] = True  # the long tail: pickle finishes these
            break
        c = cursor[:active]
        op = data[c]
        v = data[c + 1].astype(np.int64)
        is_m, is_j = op == _M, op == _J
        v = np.where(is_m | is_j, v | (data[c + 2].astype(np.int64) << 8), v)
        wide = (data[c + 3].astype(np.int64) << 16) | (data[c + 4].astype(np.int64) << 24)
        v = np.where(is_j, (v | wide).astype(np.int32).astype(np.int64), v)
        bad[:active] |= ~((op == _K) | is_m | is_j)
        deltas[offsets[order[:active]] + k] = v
        cursor[:active] = c + np.where(is_j, 5, np.where(is_m, 3, 2))
        k += 1
    closing = np.where(ranked > 1, 0x65, 0x61)  # APPENDS or APPEND, then STOP
    bad |= (data[cursor] != closing) | (data[cursor + 1] != 0x2E)
    for i in order[bad].tolist():
        start, n = int(starts[i]), int(counts[i])
        # a value is at most 6 bytes a position plus its framing; pickle stops at STOP
        listed = pickle.loads(data[start + 4 : start + 16 + 6 * n].tobytes())
        deltas[offsets[i] : offsets[i] + n] = listed[:n]
    # deltas → positions, restarting at each posting
    sums = np.cumsum(deltas)
    base = np.repeat(sums[offsets[:-1]] - deltas[offsets[:-1]], counts)
    return counts, sums - base
