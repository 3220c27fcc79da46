"""The one evaluator of a query: matching and ranking with numpy.

Whoosh evaluates a query one document at a time through a tree of Python matchers;
at 100,000 announcements a common word is tens of thousands of calls per search.
Here each leaf (a term's postings, a phrase's positions) is read into numpy arrays
over the whole generation, the boolean logic is applied to whole-index masks, per
announcement (:class:`Evaluator`), and the ranking is BM25F, as Whoosh's default
scorer computes it, over those vectors. Leaves the evaluator cannot read itself
(date and number ranges, a phrase with slop) are matched by Whoosh and not ranked;
docs/architecture.md ("One evaluator") lists them.

Every search has a :class:`Deadline` (``webapp.query.TIME_BUDGET_S``). The evaluator
checks it before each leaf; Whoosh's path checks it inside the match loop itself:
each leaf it matches is wrapped (:func:`timed`) so that opening or stepping its
postings raises :class:`OutOfTime` once the deadline has passed. The search then
answers with the documents found so far, and says so. No thread or signal is involved.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from whoosh import query as Q
from whoosh.matching import Matcher, NullMatcher, WrappingMatcher
from whoosh.searching import Searcher

from indexer import caches, whoosh_compat
from indexer.postings import CopiedPositions, SegmentCopy, segment_id

if TYPE_CHECKING:
    from webapp.facets import Units

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults
PHRASE_SCORE = 4.0  # a matched phrase is worth about one well-placed word, times its boost


@dataclass(frozen=True)
class Lengths:
    """Per-document field lengths and their averages, for BM25's length normalisation."""

    by_field: dict[str, np.ndarray]
    average: dict[str, float]

    @classmethod
    def load(
        cls,
        searcher: Searcher,
        fields: tuple[str, ...],
        n: int,
        copies: dict[str, SegmentCopy] | None = None,
    ) -> Lengths:
        """From the segments' copies (:mod:`indexer.postings`) where they hold them, else
        one Whoosh call per document (seconds at 100,000)."""
        by_field: dict[str, np.ndarray] = {}
        average: dict[str, float] = {}
        reader = searcher.reader()
        for field in fields:
            if field not in searcher.schema or not searcher.schema[field].scorable:
                continue
            lengths = np.zeros(n, dtype=np.float32)
            for leaf, offset in whoosh_compat.leaf_readers(searcher):
                segid = segment_id(leaf)
                copy = (copies or {}).get(segid) if segid is not None else None
                copied = copy.lengths(field) if copy is not None else None
                if copied is not None:
                    lengths[offset : offset + len(copied)] = copied
                    continue
                for docnum in leaf.all_doc_ids():
                    lengths[offset + docnum] = leaf.doc_field_length(docnum, field, 0)
            by_field[field] = lengths
            # as Whoosh's ``avg_field_length``: over every document number
            average[field] = float(reader.field_length(field)) / max(reader.doc_count_all(), 1)
        return cls(by_field, average)


@dataclass(frozen=True)
class DateOrder:
    """Every document number of a generation, newest first and oldest first (ties:
    newest first puts the higher document number first), sorted once: a page by date
    is then the first matches along the order, not a sort of the match set."""

    newest: np.ndarray
    oldest: np.ndarray

    @classmethod
    def load(cls, dates: np.ndarray) -> DateOrder:
        idx = np.arange(len(dates))
        return cls(np.lexsort((-idx, -dates)), np.lexsort((idx, dates)))

    def page(self, final: np.ndarray, oldest: bool, start: int, size: int) -> list[int]:
        order = self.oldest if oldest else self.newest
        return order[final[order]][start : start + size].tolist()


class OutOfTime(Exception):
    """Raised inside Whoosh's match loop when the search's deadline has passed."""


class Deadline:
    """When a search must stop matching; ``ran_out`` remembers that it had to. ``clock``
    is injectable, so a test can make time pass without waiting for it."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock  # injected by tests: no test waits for a real second
        self.at = clock() + seconds
        self.ran_out = False
        self._steps = 0

    def passed(self) -> bool:
        if not self.ran_out and self.clock() >= self.at:
            self.ran_out = True
        return self.ran_out

    def over(self) -> bool:
        """Past the deadline, without marking the search cut short: for optional work
        (a respelling) that is skipped, not truncated."""
        return self.clock() >= self.at

    def step(self) -> None:
        """One step of a match loop: every 32nd reads the clock (a clock read costs
        about as much as a step), and past the deadline the loop ends."""
        self._steps += 1
        if not self._steps & 31 and self.passed():
            raise OutOfTime


class _TimedMatcher(WrappingMatcher):
    """A leaf's postings that end the search once the deadline has passed."""

    def __init__(self, child: Matcher, deadline: Deadline) -> None:
        super().__init__(child)
        self.deadline = deadline

    def copy(self) -> _TimedMatcher:
        return _TimedMatcher(self.child.copy(), self.deadline)

    def replace(self, minquality=0):
        child = self.child.replace(minquality)
        return self if child is self.child else _TimedMatcher(child, self.deadline)

    def next(self):
        self.deadline.step()
        return self.child.next()

    def skip_to(self, id):
        self.deadline.step()
        return self.child.skip_to(id)

    def skip_to_quality(self, minquality):
        self.deadline.step()
        return self.child.skip_to_quality(minquality)


class _Timed(Q.WrappingQuery):
    def __init__(self, child: Q.Query, deadline: Deadline) -> None:
        super().__init__(child)
        self.deadline = deadline

    def _rewrap(self, child: Q.Query) -> _Timed:
        return _Timed(child, self.deadline)

    def matcher(self, searcher, context=None):
        # opening a term's postings costs as much as stepping through hundreds of them
        if self.deadline.passed():
            raise OutOfTime
        return _TimedMatcher(self.child.matcher(searcher, context), self.deadline)


class _TimedPhrase(Q.Phrase):
    """A phrase whose words' postings are bound to the deadline: Whoosh checks a phrase
    inside its own matcher (the words' intersection, then their positions, all before
    the first match is returned), so its words must be timed, not just the phrase.
    The rest is :meth:`whoosh.query.Phrase.matcher`."""

    def __init__(self, phrase: Q.Phrase, deadline: Deadline) -> None:
        super().__init__(
            phrase.fieldname,
            phrase.words,
            slop=phrase.slop,
            boost=phrase.boost,
            char_ranges=phrase.char_ranges,
            degrade=phrase.degrade,
        )
        self.deadline = deadline

    def matcher(self, searcher, context=None):
        if self.deadline.passed():
            raise OutOfTime
        if self.fieldname not in searcher.schema:
            return NullMatcher()
        field = searcher.schema[self.fieldname]
        if not field.format or not field.format.supports("positions"):
            every = Q.And([Q.Term(self.fieldname, w) for w in self.words])  # degrade=True
            return timed(every, self.deadline).matcher(searcher, context)
        reader = searcher.reader()
        words = []
        for word in self.words:
            try:
                btext = field.to_bytes(word)
            except ValueError:
                return NullMatcher()
            if (self.fieldname, btext) not in reader:
                return NullMatcher()
            words.append(_Timed(Q.Term(self.fieldname, btext), self.deadline))
        m = Q.SpanNear2(words, slop=self.slop, ordered=True, mindist=1).matcher(searcher, context)
        return WrappingMatcher(m, boost=self.boost) if self.boost != 1.0 else m


def timed(query: Q.Query, deadline: Deadline | None) -> Q.Query:
    """``query`` with each leaf's postings bound to ``deadline`` (if any), and without a
    bare ``AndNot``: whoosh3 3.54's ``AndNotMatcher`` can miss an exclusion (``alpha
    -gamma`` returning a document with gamma, ``tests/test_web.py``); ``And`` with a
    ``Not`` does not."""
    if isinstance(query, Q.AndNot):
        query = Q.And([query.a, Q.Not(query.b)], boost=query.boost)
    if deadline is None:
        return query if query.is_leaf() else query.apply(lambda q: timed(q, None))
    if isinstance(query, Q.Phrase):
        return _TimedPhrase(query, deadline)
    if query.is_leaf():
        return _Timed(query, deadline)
    return query.apply(lambda q: timed(q, deadline))


def docs_until(searcher: Searcher, query: Q.Query, deadline: Deadline | None) -> np.ndarray:
    """The documents matching ``query``: all of them, or those found by the deadline."""
    if deadline is None:
        return np.fromiter(searcher.docs_for_query(timed(query, None)), dtype=np.int64)
    found: list[int] = []
    try:
        for docnum in searcher.docs_for_query(timed(query, deadline)):
            found.append(docnum)
    except OutOfTime:
        pass
    return np.asarray(found, dtype=np.int64)


#: the nodes whose logic :class:`Evaluator` applies itself; any other node is a leaf
#: Whoosh matches (docs/architecture.md, "One evaluator")
_COMPOUND = (Q.And, Q.Or, Q.AndMaybe, Q.AndNot, Q.Not)
_SPREAD = (Q.And, Q.AndNot, Q.Not)  # nodes whose mask :meth:`Evaluator._eval` spreads


class PostingsCache:
    """Decoded postings of the terms people search for most, bounded in bytes.

    Whoosh stores a term's document numbers as compressed, pickled blocks; decoding a
    common word costs tens of milliseconds at 100,000 announcements, and the same few
    hundred words make most searches. The cache belongs to one index generation.
    """

    def __init__(
        self, max_bytes: int = 96 * 2**20, copies: dict[str, SegmentCopy] | None = None
    ) -> None:
        self.max_bytes = max_bytes
        self.copies = copies or {}  # the indexer's numpy copies of long postings
        self._items: OrderedDict[tuple, tuple[np.ndarray, ...]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._dfs: dict[tuple[str, str], int] = {}  # document frequencies asked for
        self._partial: dict[tuple[str, str], int] = {}  # partial reads of positions, by term

    def df(self, searcher: Searcher, field: str, text: str) -> int:
        """A term's document frequency (Whoosh unpickles a term record for it)."""
        key = (field, text)
        df = self._dfs.get(key)
        if df is None:
            df = sum(r.doc_frequency(field, text) for r, _ in whoosh_compat.leaf_readers(searcher))
            if len(self._dfs) < 200_000:
                self._dfs[key] = df
        return df

    def get(self, searcher: Searcher, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A term's document numbers and frequencies. Segment by segment with copies:
        from a segment's copy (memory-mapped, not kept here) where it holds the term,
        else that segment's blocks, decoded and kept; so a small segment a nightly run
        added costs only its own few blocks."""
        if not self.copies:
            return self._cached((field, text), lambda: postings(searcher, field, text))
        parts = list(self._parts(searcher, field, text, "postings"))
        if not parts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        ids = [i + np.int32(offset) if offset else i for (i, _), offset in parts]
        if len(parts) == 1:
            return np.asarray(ids[0]), parts[0][0][1]
        return np.concatenate(ids), np.concatenate([tfs for (_, tfs), _ in parts])

    def _parts(self, searcher: Searcher, field: str, text: str, kind: str):
        """(a segment's part of the term, the segment's offset) for each segment that
        holds the term: from its copy, else its own blocks, decoded and kept. ``kind``:
        ``postings`` (ids, weights) or ``positions`` (an encoded or copied list)."""
        decode = whoosh_compat.term_postings if kind == "postings" else encoded_positions
        for reader, offset in whoosh_compat.leaf_readers(searcher):
            segid = segment_id(reader)
            copy = self.copies.get(segid) if segid is not None else None
            found = getattr(copy, kind)(field, text) if copy is not None else None
            if found is None:
                if (field, text) not in reader:
                    continue
                key = (field, text, offset, kind)
                found = self._cached(key, lambda r=reader: decode(r, field, text))
            yield found, offset

    def positions(
        self, searcher: Searcher, field: str, text: str, within: np.ndarray | None = None
    ) -> Positions:
        """A term's document numbers and its positions. With copies, segment by segment
        as :meth:`get`. Without, still encoded (decoded per query, for the candidate
        documents only); with ``within`` (candidate documents, far fewer than the
        term's), only the blocks that may hold them are read, and that partial read is
        not kept; a term read partly twice is read whole and kept."""
        if self.copies:
            return self._positions_by_segment(searcher, field, text)
        key = (field, text, "positions")
        with self._lock:
            hit = self._items.get(key)
            partial = self._partial.get(key[:2], 0)
        if (
            hit is not None
            or within is None
            or partial >= 2
            or len(within) * 4 >= self.df(searcher, field, text)
        ):
            return self._cached(key, lambda: read_positions(searcher, field, text))
        with self._lock:
            if len(self._partial) < 200_000:
                self._partial[key[:2]] = partial + 1
        return read_positions(searcher, field, text, within)

    def _positions_by_segment(self, searcher: Searcher, field: str, text: str) -> Positions:
        """As :meth:`get`, for positions: each segment's copy, or its blocks kept."""
        parts = [
            dataclasses.replace(p, ids=p.ids + np.int32(offset))
            for p, offset in self._parts(searcher, field, text, "positions")
        ]
        if len(parts) == 1:
            return parts[0]
        ids = np.concatenate([p.ids for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        return SegmentedPositions(tuple(parts), ids)

    def _cached(self, key: tuple, load):
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        value = load()
        size = sum(a.nbytes for a in value)
        with self._lock:
            if key not in self._items and size <= self.max_bytes // 4:
                self._items[key] = value
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _, old = self._items.popitem(last=False)
                    self._bytes -= sum(a.nbytes for a in old)
        return value


caches.note(
    "webapp.vector.PostingsCache",
    "96 MiB of decoded postings, 200,000 document frequencies, a generation",
    "a common word's postings decoded once, not per search",
)


class Evaluator:
    """The one evaluator of a query over one generation: the leaves (terms, phrases, and
    whatever else Whoosh can match, such as date ranges) are read per file, once each;
    the boolean logic is applied per unit (an announcement with all its versions, or a
    file), so ``X -Y`` leaves out an announcement whenever any version has Y.

    Results are (mask, scores) vectors over document numbers: the mask holds every live
    file of the units that match; the scores are each file's own
    BM25F, so a unit ranks as its best version. A leaf is read once per evaluator,
    however often the query holds it."""

    def __init__(
        self,
        searcher: Searcher,
        lengths: Lengths,
        alive: np.ndarray,
        cache: PostingsCache,
        deadline: Deadline | None = None,
    ) -> None:
        self.deadline = deadline
        self.cache = cache
        self.searcher = searcher
        self.lengths = lengths
        self.alive = alive
        self.n = len(alive)
        self.doc_count_all = max(searcher.doc_count_all(), 1)
        self._leaves: dict[int, tuple[Q.Query, np.ndarray, np.ndarray]] = {}
        self._units: Units | None = None

    def run(self, query: Q.Query, units: Units | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``query`` over the live files, its logic per unit when ``units`` (files
        grouped into announcements, or files alone) are given, else per file."""
        self._units = units
        mask, scores = self._eval(query)
        if type(query) not in _SPREAD:  # those are spread to whole units already
            mask = self._spread(self._to_units(mask))
        return mask, (scores * mask).astype(np.float32, copy=False)

    def _to_units(self, mask: np.ndarray) -> np.ndarray:
        """The units (files, when none are given) with a file in ``mask``, a mask of
        :meth:`_eval`'s: live files only."""
        return mask if self._units is None else self._units.any(mask)

    def _spread(self, units: np.ndarray) -> np.ndarray:
        """Every live file of the units in ``units``."""
        return units & self.alive if self._units is None else self._units.spread(units) & self.alive

    def _eval(self, q: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        """A node's (mask, scores), the mask of live files only and a new array the caller
        may change (a kept leaf's is not handed out: ``mask & alive``): a leaf's are its own
        files'; ``And`` and ``Not`` combine their children's units and spread the result
        back to files (logic per unit); ``Or`` needs no units (the units of a union are
        the union of the units), so a wide ``Or`` of terms costs no more."""
        boost = getattr(q, "boost", 1.0)
        if isinstance(q, Q.Every):
            return self.alive.copy(), np.zeros(self.n, dtype=np.float32)
        if type(q) not in _COMPOUND:  # exact types: ``Ordered`` is an ``And`` of its own
            mask, scores = self._leaf(q, boost)
            return mask & self.alive, scores
        parts = [self._eval(c) for c in q.children()]
        if not parts:
            return np.zeros(self.n, dtype=bool), np.zeros(self.n, dtype=np.float32)
        if isinstance(q, Q.AndMaybe):
            (mask, scores), (_, optional) = parts
            return mask, (scores + optional) * boost
        if isinstance(q, Q.AndNot):  # the scores of the positive side, as Whoosh's
            (mask, scores), (excluded, _) = parts
            mask = self._spread(self._to_units(mask) & ~self._to_units(excluded))
            return mask, np.where(mask, scores, 0) * boost
        if isinstance(q, Q.Not):  # inside an And: excludes, scores nothing
            mask = self._spread(~self._to_units(parts[0][0]))
            return mask, np.zeros(self.n, dtype=np.float32)
        if isinstance(q, Q.And):  # combined per unit, spread back to files once
            found = self._to_units(parts[0][0])
            for m, _ in parts[1:]:
                found &= self._to_units(m)
            mask = self._spread(found)
        else:
            mask = parts[0][0].copy()
            for m, _ in parts[1:]:
                mask |= m
        scores = parts[0][1].copy()
        for _, s in parts[1:]:
            scores += s
        if isinstance(q, Q.And):
            scores = np.where(mask, scores, 0)
        return mask, scores * boost

    def _leaf(self, q: Q.Query, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """A leaf's files and scores over the whole generation, read once per query."""
        kept = self._leaves.get(id(q))
        if kept is not None and kept[0] is q:
            return kept[1], kept[2]
        if isinstance(q, Q.Term) and isinstance(q.text, str):
            mask, scores = self._term(q.fieldname, q.text, boost)
        elif isinstance(q, Q.Phrase):
            mask, scores = self._phrase(q, boost)
        else:  # a range, or any node only Whoosh matches: matched, not ranked
            mask = np.zeros(self.n, dtype=bool)
            mask[docs_until(self.searcher, q, self.deadline)] = True
            scores = np.zeros(self.n, dtype=np.float32)
        self._leaves[id(q)] = (q, mask, scores)  # the query is kept: its id stays its own
        return mask, scores

    def _term(self, field: str, text: str, boost: float) -> tuple[np.ndarray, np.ndarray]:
        mask = np.zeros(self.n, dtype=bool)
        scores = np.zeros(self.n, dtype=np.float32)
        if self.deadline is not None and self.deadline.passed():
            return mask, scores  # out of time: the terms not yet read count as absent
        ids, tfs = self.cache.get(self.searcher, field, text)
        if len(ids) == 0:
            return mask, scores
        # Whoosh's own idf (``WeightingModel.idf``), so both rankers agree; its document
        # frequency is the number of postings, deleted documents' included, as here
        df = len(ids)
        idf = math.log(self.doc_count_all / (df + 1)) + 1
        field_boost = getattr(self.searcher.schema[field], "format", None)
        field_boost = getattr(field_boost, "field_boost", 1.0) or 1.0
        lengths = self.lengths.by_field.get(field)
        if lengths is not None and self.lengths.average.get(field):
            norm = (1 - B) + B * lengths[ids] / self.lengths.average[field]
        else:
            norm = 1.0
        mask[ids] = True
        scores[ids] = idf * tfs * (K1 + 1) / (tfs + K1 * norm) * boost * field_boost
        return mask, scores

    def _phrase(self, q: Q.Phrase, boost: float) -> tuple[np.ndarray, np.ndarray]:
        mask = np.zeros(self.n, dtype=bool)
        if self.deadline is not None and self.deadline.passed():
            return mask, np.zeros(self.n, dtype=np.float32)  # out of time: as absent
        schema = self.searcher.schema  # a Whoosh Schema: no .get()
        field = schema[q.fieldname] if q.fieldname in schema else None  # noqa: SIM401
        words = list(q.words)
        if (
            field is not None
            and field.format is not None
            and field.format.supports("positions")
            and q.slop == 1
            and all(isinstance(w, str) for w in words)
        ):
            docs = self._phrase_docs(q.fieldname, words)
        else:  # slop, or a field without positions: Whoosh's own matcher, timed
            docs = docs_until(self.searcher, q, self.deadline)
        mask[docs] = True
        mask &= self.alive
        return mask, np.where(mask, PHRASE_SCORE * boost, 0).astype(np.float32)

    def _phrase_docs(self, field: str, words: list[str]) -> np.ndarray:
        """The rarest word first; then each other word only where it can still match."""
        rarest_first = sorted(set(words), key=lambda w: self.cache.df(self.searcher, field, w))
        read: dict[str, Positions] = {}
        candidates = None
        for word in rarest_first:
            if self.deadline is not None and self.deadline.passed():
                return np.zeros(0, dtype=np.int64)  # out of time: the phrase as absent
            read[word] = self.cache.positions(self.searcher, field, word, candidates)
            ids = read[word].ids
            candidates = ids if candidates is None else _within(ids, candidates)
            if len(candidates) == 0:
                return candidates.astype(np.int64)
        return phrase_docs([read[w] for w in words])


def _within(ids: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    return np.intersect1d(ids, candidates, assume_unique=True)


def postings(searcher: Searcher, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and frequencies over every segment, read a block at a
    time (:mod:`indexer.whoosh_compat`)."""
    blocks = list(_blocks(searcher, field, text, values=False))
    if not blocks:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks])


def _blocks(
    searcher: Searcher, field: str, text: str, values: bool, within: np.ndarray | None = None
):
    for reader, offset in whoosh_compat.leaf_readers(searcher):
        if (field, text) in reader:
            yield from whoosh_compat.term_blocks(reader, field, text, values, within, offset)


@dataclass(frozen=True)
class EncodedPositions:
    """A term's postings with their positions still in Whoosh's encoding: all the
    values of the term in one byte buffer, and where each posting's value starts."""

    ids: np.ndarray  # int32 document numbers, ascending
    starts: np.ndarray  # int64 offset of each posting's value in ``data``
    data: np.ndarray  # uint8, every value end to end, then padding

    def __iter__(self):  # the arrays, for the cache's byte count
        return iter((self.ids, self.starts, self.data))

    def at(self, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(counts, positions end to end) of the postings at indexes ``where``."""
        return whoosh_compat.decode_positions(self.data, self.starts[where])


@dataclass(frozen=True)
class SegmentedPositions:
    """A term's positions over several segments, each from its copy or its blocks
    (document numbers made global), read as one list."""

    parts: tuple[CopiedPositions | EncodedPositions, ...]
    ids: np.ndarray

    def at(self, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        bounds = np.cumsum([0] + [len(p.ids) for p in self.parts])
        counts, positions = [], []
        for part, low, high in zip(self.parts, bounds[:-1], bounds[1:], strict=True):
            mine = where[(where >= low) & (where < high)] - low
            c, p = part.at(mine)
            counts.append(c)
            positions.append(p)
        return np.concatenate(counts), np.concatenate(positions)


Positions = EncodedPositions | CopiedPositions | SegmentedPositions


def read_positions(
    searcher: Searcher, field: str, text: str, within: np.ndarray | None = None
) -> EncodedPositions:
    """A term's document numbers and raw position values, read a block at a time (only
    the blocks that may hold ``within``, when given)."""
    return _encoded(_blocks(searcher, field, text, True, within))


def encoded_positions(reader, field: str, text: str) -> EncodedPositions:
    """One segment's postings of a term with raw position values (its own numbers)."""
    return _encoded(whoosh_compat.term_blocks(reader, field, text, values=True))


def _encoded(blocks) -> EncodedPositions:
    ids: list[np.ndarray] = []
    chunks: list[bytes] = []
    lengths: list[int] = []
    for block_ids, _, values in blocks:
        ids.append(block_ids)
        chunks.append(b"".join(values or ()))
        lengths.extend(map(len, values or ()))
    starts = np.zeros(len(lengths), dtype=np.int64)
    if lengths:
        np.cumsum(lengths[:-1], out=starts[1:])
    data = np.frombuffer(b"".join(chunks) + bytes(whoosh_compat.PAD), dtype=np.uint8)
    all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)
    return EncodedPositions(all_ids, starts, data)


def phrase_docs(terms: list[Positions]) -> np.ndarray:
    """Documents where the terms stand at consecutive positions, in order (Whoosh's
    phrase with slop 1): candidates by intersecting document numbers, then positions
    decoded for those candidates only, shifted by each word's place in the phrase and
    intersected as (document, start position) keys."""
    if not terms:
        return np.zeros(0, dtype=np.int64)
    candidates = terms[0].ids
    for t in terms[1:]:
        candidates = np.intersect1d(candidates, t.ids, assume_unique=True)
    if len(terms) == 1 or len(candidates) == 0:
        return candidates.astype(np.int64)
    width = len(terms)
    keys = np.zeros(0, dtype=np.int64)
    for i, t in enumerate(terms):
        counts, positions = t.at(np.searchsorted(t.ids, candidates))
        docs = np.repeat(candidates.astype(np.int64), counts)
        mine = (docs << 32) | (positions + width - i)
        keys = mine if i == 0 else np.intersect1d(keys, mine, assume_unique=True)
        if len(keys) == 0:
            break
    return np.unique(keys >> 32)


# chosen with bench/relevance.py: weights 0 to 0.2 and half-lives 90 to 365 days leave
# recall@10 and MRR of both judged sets unchanged; 0.4 lowers the typed set's MRR
RECENCY_WEIGHT = 0.2
RECENCY_HALF_LIFE_DAYS = 180.0


def recency(dates: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Each file's ranking factor for its age: ``1 + w × 0.5^(age / half-life)``, the age
    in days before the generation's newest announcement (not today: a generation ranks
    the same whenever it is read). The newest rank up to ``1 + w`` times their text
    score; an announcement a half-life older, ``1 + w/2``."""
    newest = int(dates[alive].max()) if alive.any() else 0
    age = np.maximum(newest - dates.astype(np.float64), 0)
    return (1 + RECENCY_WEIGHT * 0.5 ** (age / RECENCY_HALF_LIFE_DAYS)).astype(np.float32)


def top(
    scores: np.ndarray, candidates: np.ndarray, k: int, dates: np.ndarray | None = None
) -> np.ndarray:
    """The ``k`` best candidates by score; ties newest first by ``dates`` (a file's
    ordinal date) when given, so results relevance cannot separate (a field-only or
    excluding query) come newest first, never in file order; then lower document
    number first."""
    worst_first = -scores[candidates]
    if len(candidates) > k:
        # the k-th best score; every candidate scoring as well is in, ties are ordered
        kth = np.partition(worst_first, k - 1)[k - 1]
        kept = worst_first <= kth
        candidates, worst_first = candidates[kept], worst_first[kept]
    newest = -dates[candidates] if dates is not None else np.zeros(len(candidates))
    return candidates[np.lexsort((candidates, newest, worst_first))][:k]
