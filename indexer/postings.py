"""A numpy copy of each segment's long postings, written by the indexer beside Whoosh's
files and memory-mapped by the web app.

Whoosh stores a term's postings as zlib-compressed, pickled blocks of 128. Reading a
common word at 100,000 announcements means decoding hundreds of blocks, tens of
milliseconds the first time a generation is asked for it (``docs/performance.md``).
Here the terms of more than one block (:data:`MIN_POSTINGS`) of the fields a search
matches (:data:`indexer.schema.SEARCHED`) are stored once more, decoded: a term is then
two slices of memory-mapped arrays, shared by every worker through the page cache.
Short postings stay in Whoosh alone; they decode in one step.

The format, per segment and field (``numpy-<segment>-<field>-<part>.npy``):

* ``terms``: the long terms, sorted, as fixed-width bytes;
* ``starts``: where each term's postings begin in ``ids`` and ``tfs`` (one more entry
  than terms);
* ``ids``: segment-local document numbers (int32), ascending within each term, deleted
  ones included (Whoosh keeps them in postings too; readers mask them);
* ``tfs``: each posting's weight (float32), as Whoosh's ``weight()``;
* for a field with positions, ``positions`` (uint32): each posting's positions end to
  end, a posting's count being its weight, and ``pos_starts``, where each term's begin;
* ``lengths``: every document's length in the field (float32), which BM25 reads for
  every document when a generation is opened.

A segment's ``numpy-<segment>.json`` is written last and says which fields it holds: a
copy without it, or of another number of documents, is ignored. Segments never change
once written (a deletion is kept in the table of contents), so a copy stays true for as
long as its segment is in the index; :func:`write` removes the copies of segments a
merge has dropped. The columns are written a term at a time, so a build holds one
term's postings in memory, not a field's.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.lib import format as fmt
from whoosh.index import FileIndex
from whoosh.reading import IndexReader

from indexer import whoosh_compat
from indexer.schema import SEARCHED

log = logging.getLogger(__name__)

MIN_POSTINGS = 129  # more than one of Whoosh's blocks (``blocklimit`` 128)
PREFIX = "numpy-"


def _name(segment: str, fieldname: str, part: str) -> str:
    return f"{PREFIX}{segment}-{fieldname}-{part}.npy"


def _marker(segment: str) -> str:
    return f"{PREFIX}{segment}.json"


# --- the writer's side ---------------------------------------------------------------------


def _create(path: Path) -> BinaryIO:
    """A new file at ``path``. An incremental build starts from hard links to the live
    generation's files: writing into one of those would change the live index, so an
    old name is unlinked first and the file created anew."""
    path.unlink(missing_ok=True)
    return path.open("xb")


def _save(path: Path, array: np.ndarray) -> None:
    with _create(path) as f:
        np.save(f, array, allow_pickle=False)


class _Column:
    """One ``.npy`` file written a term at a time (its length known from the term
    records up front), through plain writes: a build's memory holds one term, not the
    field."""

    def __init__(self, path: Path, dtype: type, length: int) -> None:
        self.path, self.dtype, self.length, self.written = path, np.dtype(dtype), length, 0
        self._file = _create(path)
        header = {"descr": fmt.dtype_to_descr(self.dtype), "fortran_order": False}
        fmt.write_array_header_1_0(self._file, {**header, "shape": (length,)})

    def add(self, values: np.ndarray) -> None:
        self._file.write(np.ascontiguousarray(values, dtype=self.dtype).tobytes())
        self.written += len(values)

    def close(self) -> bool:
        """Whether the file holds what its header says; removed when it does not."""
        self._file.close()
        if self.written != self.length:
            self.path.unlink()
        return self.written == self.length


def write_segment(folder: Path, reader: IndexReader) -> None:
    """The copy of one segment's long postings; ``reader`` reads that segment alone."""
    segment = reader.segment()
    assert segment is not None, "a copy is per segment: pass a segment's reader"
    segid = segment.segment_id()
    written: dict[str, dict[str, int | bool]] = {}
    for fieldname in SEARCHED:
        if fieldname in reader.schema:
            done = _write_field(folder, segid, reader, fieldname)
            if done is not None:
                written[fieldname] = done | _write_lengths(folder, segid, reader, fieldname)
    marker = {"segment": segid, "documents": segment.doc_count_all(), "fields": written}
    with _create(folder / _marker(segid)) as f:
        f.write(json.dumps(marker).encode("utf-8"))


def _write_field(folder: Path, segid: str, reader: IndexReader, fieldname: str):
    """One field's columns; what the marker says of it, or None when its term records
    and postings disagree (the field is then read from Whoosh alone)."""
    fmt_ = reader.schema[fieldname].format
    long = [
        (text, info.doc_frequency(), int(info.weight()))
        for text, info in reader.iter_field(fieldname)
        if info.doc_frequency() >= MIN_POSTINGS
    ]
    with_positions = fmt_ is not None and fmt_.supports("positions")
    name = functools.partial(_name, segid, fieldname)
    terms = np.array([t for t, _, _ in long], dtype=bytes) if long else np.zeros(0, "S1")
    starts = np.zeros(len(long) + 1, dtype=np.int64)
    np.cumsum([df for _, df, _ in long], out=starts[1:])
    pos_starts = np.zeros(len(long) + 1, dtype=np.int64)
    np.cumsum([w for _, _, w in long], out=pos_starts[1:])
    ids = _Column(folder / name("ids"), np.int32, int(starts[-1]))
    tfs = _Column(folder / name("tfs"), np.float32, int(starts[-1]))
    positions = None
    if with_positions:
        positions = _Column(folder / name("positions"), np.uint32, int(pos_starts[-1]))
    for text, _, _ in long:
        if positions is not None:
            term_ids, term_tfs, counts, where = whoosh_compat.term_positions(
                reader, fieldname, text
            )
            # a posting's positions are found by its weight: they must be its count
            if np.array_equal(counts, term_tfs):
                positions.add(where)
            else:
                positions.close()  # short of its header: removed
                positions = None
        else:
            term_ids, term_tfs = whoosh_compat.term_postings(reader, fieldname, text)
        ids.add(term_ids)
        tfs.add(term_tfs)
    _save(folder / name("terms"), terms)
    _save(folder / name("starts"), starts)
    has_positions = positions is not None and positions.close()
    if has_positions:
        _save(folder / name("pos_starts"), pos_starts)
    if not (ids.close() & tfs.close()):
        return None
    return {"terms": len(long), "positions": has_positions}


def _write_lengths(folder: Path, segid: str, reader: IndexReader, fieldname: str) -> dict:
    """Each document's length in a scored field, as Whoosh's ``doc_field_length`` gives
    it (BM25 reads it for every document: one Python call each, seconds at 100,000)."""
    if not reader.schema[fieldname].scorable:
        return {"lengths": False}
    n = reader.doc_count_all()
    lengths = np.fromiter(
        (reader.doc_field_length(d, fieldname, 0) for d in range(n)), dtype=np.float32, count=n
    )
    _save(folder / _name(segid, fieldname, "lengths"), lengths)
    return {"lengths": True}


def write(ix: FileIndex, folder: Path) -> list[str]:
    """Copies for the index's segments that have none, and none for segments no longer
    in it; the segments whose copy was written now."""
    made: list[str] = []
    live: set[str] = set()
    with ix.reader() as reader:
        for leaf in _leaves(reader):
            segid = segment_id(leaf)
            if segid is None:
                continue
            live.add(segid)
            if not (folder / _marker(segid)).exists():
                write_segment(folder, leaf)
                made.append(segid)
    prune(folder, live)
    return made


def prune(folder: Path, live: set[str]) -> None:
    """Remove the copies of segments not in ``live``."""
    for path in folder.glob(f"{PREFIX}*"):
        segid = path.name[len(PREFIX) :].split("-", 1)[0].split(".", 1)[0]
        if segid not in live:
            path.unlink(missing_ok=True)


# --- the reader's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class CopiedPositions:
    """A term's postings with their positions, from a copy: what a phrase check reads."""

    ids: np.ndarray  # document numbers, ascending
    counts: np.ndarray  # each posting's number of positions (int64)
    offsets: np.ndarray  # where each posting's positions begin in ``positions``
    positions: np.ndarray  # uint32, memory-mapped

    def at(self, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(counts, positions end to end) of the postings at indexes ``where``."""
        counts = self.counts[where]
        total = int(counts.sum())
        first = np.cumsum(counts) - counts  # each posting's place in the result
        index = np.repeat(self.offsets[where] - first, counts) + np.arange(total)
        return counts, self.positions[index].astype(np.int64)


@dataclass
class _Field:
    index: dict[bytes, int]
    columns: dict[str, np.ndarray]

    def slice(self, i: int) -> tuple[int, int]:
        starts = self.columns["starts"]
        return int(starts[i]), int(starts[i + 1])


@dataclass
class SegmentCopy:
    """One segment's copy, its fields opened (memory-mapped) when first asked for."""

    folder: Path
    segment: str
    documents: int
    fields: dict[str, dict]  # field → what the marker says of it (a broken one dropped)
    _open: dict[str, _Field] = field(default_factory=dict)

    @classmethod
    def open(cls, folder: Path, segment: str, documents: int) -> SegmentCopy | None:
        """The copy of ``segment``, or None when it has none (or one of another size)."""
        try:
            marker = json.loads((folder / _marker(segment)).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if marker.get("documents") != documents or not isinstance(marker.get("fields"), dict):
            return None
        return cls(folder, segment, documents, dict(marker["fields"]))

    def postings(self, fieldname: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment-local document numbers, weights) of a term, or None when the copy
        does not hold it (a short list, or a field it lacks)."""
        found = self._find(fieldname, text)
        if found is None:
            return None
        f, i = found
        start, end = f.slice(i)
        return f.columns["ids"][start:end], f.columns["tfs"][start:end]

    def positions(self, fieldname: str, text: str | bytes) -> CopiedPositions | None:
        """A term's postings and positions, or None when the copy has not its positions."""
        if not self.fields.get(fieldname, {}).get("positions"):
            return None
        found = self._find(fieldname, text)
        if found is None:
            return None
        f, i = found
        start, end = f.slice(i)
        counts = f.columns["tfs"][start:end].astype(np.int64)
        offsets = np.zeros(len(counts), dtype=np.int64)
        np.cumsum(counts[:-1], out=offsets[1:])
        offsets += int(f.columns["pos_starts"][i])
        return CopiedPositions(f.columns["ids"][start:end], counts, offsets, f.columns["positions"])

    def lengths(self, fieldname: str) -> np.ndarray | None:
        """Every document's length in ``fieldname`` (float32), or None without them."""
        if not self.fields.get(fieldname, {}).get("lengths"):
            return None
        path = self.folder / _name(self.segment, fieldname, "lengths")
        try:
            lengths = np.load(path, mmap_mode="r")
            _check(lengths.shape == (self.documents,), "not one length per document")
        except (OSError, ValueError) as exc:
            self._broken(fieldname, path, exc)
            return None
        return lengths

    def _find(self, fieldname: str, text: str | bytes) -> tuple[_Field, int] | None:
        if fieldname not in self.fields:
            return None
        f = self._open.get(fieldname)
        if f is None:
            loaded = self._load(fieldname)
            if loaded is None:
                return None
            f = self._open[fieldname] = loaded
        i = f.index.get(text.encode("utf-8") if isinstance(text, str) else text)
        return None if i is None else (f, i)

    def _load(self, fieldname: str) -> _Field | None:
        """The field's columns, checked against each other; None (and the field read
        from Whoosh from now on) when a file is missing, cut short or inconsistent."""
        parts = ["terms", "starts", "ids", "tfs"]
        if self.fields[fieldname].get("positions"):
            parts += ["pos_starts", "positions"]
        path = self.folder / _name(self.segment, fieldname, parts[0])
        try:
            columns = {}
            for part in parts:
                path = self.folder / _name(self.segment, fieldname, part)
                columns[part] = np.load(path, mmap_mode="r")
            terms = np.asarray(columns["terms"]).tolist()
            starts = columns["starts"]
            _check(len(starts) == len(terms) + 1, "terms and starts differ in number")
            postings = int(starts[-1]) if len(starts) else 0
            _check(len(columns["ids"]) == len(columns["tfs"]) == postings, "postings cut short")
            if "positions" in columns:
                expected = int(columns["pos_starts"][-1])
                _check(len(columns["positions"]) == expected, "positions cut short")
        except (OSError, ValueError) as exc:
            self._broken(fieldname, path, exc)
            return None
        return _Field({t: i for i, t in enumerate(terms)}, columns)

    def _broken(self, fieldname: str, path: Path, exc: Exception) -> None:
        log.warning("numpy copy unreadable, using Whoosh's postings: %s (%s)", path, exc)
        self.fields.pop(fieldname, None)


def _check(ok: bool, reason: str) -> None:
    if not ok:
        raise ValueError(reason)


def segment_id(reader: IndexReader) -> str | None:
    """The segment a leaf reader reads (None for a reader of several)."""
    segment = reader.segment()
    return None if segment is None else segment.segment_id()


def open_copies(folder: Path, reader: IndexReader) -> dict[str, SegmentCopy]:
    """The copies of the segments ``reader`` reads, by segment id (those that have one)."""
    copies: dict[str, SegmentCopy] = {}
    for leaf in _leaves(reader):
        segment = leaf.segment()
        if segment is None:
            continue
        copy = SegmentCopy.open(folder, segment.segment_id(), segment.doc_count_all())
        if copy is not None:
            copies[segment.segment_id()] = copy
    return copies


def _leaves(reader: IndexReader) -> list[IndexReader]:
    return [reader] if reader.is_atomic() else [r for r, _ in reader.leaf_readers()]
