"""Matching and ranking with numpy: the fast path for the public search box.

Whoosh evaluates a query one document at a time through a tree of Python matchers;
at 100,000 announcements a common word is tens of thousands of calls per search. A
plain query (words, not staff syntax) is a small tree of ``Or``, ``And``, ``AndMaybe``
and ``Term`` nodes, so here each term's postings are read a block at a time into
numpy arrays, the tree is evaluated as whole-index masks and score vectors, and the
ranking is BM25F, as Whoosh's default scorer computes it, over those vectors.
Phrases (titles and entity names, used as boosts) are matched by Whoosh itself and
added as a constant per field boost. Anything else in a tree (ranges, wildcards:
staff syntax) is not handled here; :func:`supports` says which trees are.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query as Q
from whoosh.searching import Searcher

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults
PHRASE_SCORE = 4.0  # a matched phrase is worth about one well-placed word, times its boost


@dataclass(frozen=True)
class Lengths:
    """Per-document field lengths and their averages, for BM25's length normalisation."""

    by_field: dict[str, np.ndarray]
    average: dict[str, float]

    @classmethod
    def load(cls, searcher: Searcher, fields: tuple[str, ...], n: int) -> Lengths:
        reader = searcher.reader()
        by_field: dict[str, np.ndarray] = {}
        average: dict[str, float] = {}
        for field in fields:
            if field not in searcher.schema or not searcher.schema[field].scorable:
                continue
            lengths = np.zeros(n, dtype=np.float32)
            for docnum in reader.all_doc_ids():
                lengths[docnum] = reader.doc_field_length(docnum, field, 0)
            by_field[field] = lengths
            average[field] = float(reader.field_length(field)) / max(reader.doc_count(), 1)
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


def supports(query: Q.Query) -> bool:
    if isinstance(query, (Q.Term, Q.Phrase, Q.Every)):
        return isinstance(getattr(query, "text", ""), str)
    if isinstance(query, (Q.And, Q.Or, Q.AndMaybe)):
        return all(supports(q) for q in query.children())
    return False


class PostingsCache:
    """Decoded postings of the terms people search for most, bounded in bytes.

    Whoosh stores a term's document numbers as compressed, pickled blocks; decoding a
    common word costs tens of milliseconds at 100,000 announcements, and the same few
    hundred words make most searches. The cache belongs to one index generation.
    """

    def __init__(self, max_bytes: int = 96 * 2**20) -> None:
        self.max_bytes = max_bytes
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
            df = sum(r.doc_frequency(field, text) for r, _ in _leaves(searcher))
            if len(self._dfs) < 200_000:
                self._dfs[key] = df
        return df

    def get(self, searcher: Searcher, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A term's document numbers and frequencies."""
        return self._cached((field, text), lambda: postings(searcher, field, text))

    def positions(
        self, searcher: Searcher, field: str, text: str, within: np.ndarray | None = None
    ) -> EncodedPositions:
        """A term's document numbers and its still-encoded positions (decoded per query,
        for the candidate documents only). With ``within`` (candidate documents, far
        fewer than the term's), only the blocks that may hold them are read, and that
        partial read is not kept; a term read partly twice is read whole and kept."""
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


class Evaluator:
    """Evaluates one query over one searcher: (mask, scores) vectors over docnums."""

    def __init__(
        self, searcher: Searcher, lengths: Lengths, alive: np.ndarray, cache: PostingsCache
    ) -> None:
        self.cache = cache
        self.searcher = searcher
        self.lengths = lengths
        self.alive = alive
        self.n = len(alive)
        self.doc_count = max(searcher.doc_count(), 1)

    def run(self, query: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self._eval(query)
        return mask & self.alive, scores

    def _eval(self, q: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        boost = getattr(q, "boost", 1.0)
        if isinstance(q, Q.Every):
            return self.alive.copy(), np.zeros(self.n, dtype=np.float32)
        if isinstance(q, Q.Term):
            return self._term(q.fieldname, q.text, boost)
        if isinstance(q, Q.Phrase):
            return self._phrase(q, boost)
        parts = [self._eval(c) for c in q.children()]
        if not parts:
            return np.zeros(self.n, dtype=bool), np.zeros(self.n, dtype=np.float32)
        if isinstance(q, Q.AndMaybe):
            (mask, scores), (_, optional) = parts
            return mask, (scores + optional) * boost
        mask = parts[0][0].copy()
        scores = parts[0][1].copy()
        for m, s in parts[1:]:
            if isinstance(q, Q.And):
                mask &= m
            else:
                mask |= m
            scores += s
        if isinstance(q, Q.And):
            scores = np.where(mask, scores, 0)
        return mask, scores * boost

    def _term(self, field: str, text: str, boost: float) -> tuple[np.ndarray, np.ndarray]:
        mask = np.zeros(self.n, dtype=bool)
        scores = np.zeros(self.n, dtype=np.float32)
        ids, tfs = self.cache.get(self.searcher, field, text)
        if len(ids) == 0:
            return mask, scores
        df = len(ids)  # Whoosh's document frequency: postings, deleted ones included
        idf = math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))
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
        else:  # slop, or a field without positions: Whoosh's own matcher
            docs = np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
        mask[docs] = True
        mask &= self.alive
        return mask, np.where(mask, PHRASE_SCORE * boost, 0).astype(np.float32)

    def _phrase_docs(self, field: str, words: list[str]) -> np.ndarray:
        """The rarest word first; then each other word only where it can still match."""
        rarest_first = sorted(set(words), key=lambda w: self.cache.df(self.searcher, field, w))
        read: dict[str, EncodedPositions] = {}
        candidates = None
        for word in rarest_first:
            read[word] = self.cache.positions(self.searcher, field, word, candidates)
            ids = read[word].ids
            candidates = ids if candidates is None else _within(ids, candidates)
            if len(candidates) == 0:
                return candidates.astype(np.int64)
        return phrase_docs([read[w] for w in words])


def _within(ids: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    return np.intersect1d(ids, candidates, assume_unique=True)


def postings(searcher: Searcher, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and frequencies, read a block at a time."""
    blocks = list(_blocks(searcher, field, text, values=False))
    if not blocks:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks])


def _blocks(
    searcher: Searcher, field: str, text: str, values: bool, within: np.ndarray | None = None
):
    """(ids, frequencies, values) of each stored block of a term's postings, with
    document numbers made global. Whoosh keeps a block's ids as a pickled tuple of
    deltas and decodes them in a Python loop; here numpy sums them. With ``within``
    (sorted document numbers), a block whose id range holds none of them is skipped
    on its header alone, without decompressing it."""
    for reader, offset in _leaves(searcher):
        if (field, text) not in reader:
            continue
        m = reader.postings(field, text)
        low = offset  # the lowest document number the next block may hold
        while not hasattr(m, "_read_ids") and hasattr(m, "child"):
            m = m.child  # a wrapper that hides deleted documents: the mask does that
        if not hasattr(m, "_read_data"):  # inlined postings (one document): one at a time
            ids, tfs, vals = [], [], []
            while m.is_active():
                ids.append(m.id())
                tfs.append(m.weight())
                if values:
                    vals.append(m.value())
                m.next()
            yield (
                np.asarray(ids, dtype=np.int32) + offset,
                np.asarray(tfs, dtype=np.float32),
                tuple(vals),
            )
            continue
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
            raw_ids, weights, vals = m._data
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
            yield (ids + offset).astype(np.int32), tfs, m._values if values else None
            m._next_block()


@dataclass(frozen=True)
class EncodedPositions:
    """A term's postings with their positions still in Whoosh's encoding: all the
    values of the term in one byte buffer, and where each posting's value starts."""

    ids: np.ndarray  # int32 document numbers, ascending
    starts: np.ndarray  # int64 offset of each posting's value in ``data``
    data: np.ndarray  # uint8, every value end to end, then padding

    def __iter__(self):  # the arrays, for the cache's byte count
        return iter((self.ids, self.starts, self.data))


_PAD = 8  # bytes after the last value, so the decoder may look ahead without checks


def read_positions(
    searcher: Searcher, field: str, text: str, within: np.ndarray | None = None
) -> EncodedPositions:
    """A term's document numbers and raw position values, read a block at a time (only
    the blocks that may hold ``within``, when given)."""
    ids: list[np.ndarray] = []
    chunks: list[bytes] = []
    lengths: list[int] = []
    for block_ids, _, values in _blocks(searcher, field, text, True, within):
        ids.append(block_ids)
        chunks.append(b"".join(values))
        lengths.extend(map(len, values))
    starts = np.zeros(len(lengths), dtype=np.int64)
    if lengths:
        np.cumsum(lengths[:-1], out=starts[1:])
    data = np.frombuffer(b"".join(chunks) + bytes(_PAD), dtype=np.uint8)
    all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)
    return EncodedPositions(all_ids, starts, data)


# Whoosh's Positions format: a 4-byte big-endian count, then the position deltas as a
# pickled list (protocol 2: PROTO 2, EMPTY_LIST, BINPUT 0, then one APPEND or a MARK
# ... APPENDS of small-int opcodes). Decoded here for many postings at once.
_K, _M, _J = 0x4B, 0x4D, 0x4A  # BININT1, BININT2, BININT (1, 2 and 4-byte ints)
_HEADER = bytes([0x80, 2, 0x5D, 0x71, 0])
_FEW = 16  # postings left in the decoding loop below which pickle is cheaper


def decode_positions(data: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(counts, positions) of the postings whose values start at ``starts``: every
    posting's positions, flattened in order. Pure numpy over all postings at once,
    one step per position of the longest list; the odd value that is not in the
    common shape (a list pickled in batches, a long tail) goes through pickle."""
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
        v2 = data[c + 2].astype(np.int64) << 8
        v = np.where(is_m | is_j, v | v2, v)
        wide = (data[c + 3].astype(np.int64) << 16) | (data[c + 4].astype(np.int64) << 24)
        v = np.where(is_j, (v | wide).astype(np.int32).astype(np.int64), v)
        bad[:active] |= ~((op == _K) | is_m | is_j)
        deltas[offsets[order[:active]] + k] = v
        cursor[:active] = c + np.where(is_j, 5, np.where(is_m, 3, 2))
        k += 1
    closing = np.where(ranked > 1, 0x65, 0x61)  # APPENDS or APPEND, then STOP
    bad |= (data[cursor] != closing) | (data[cursor + 1] != 0x2E)
    if bad.any():
        from pickle import loads

        for i in order[bad].tolist():
            start, n = int(starts[i]), int(counts[i])
            # a value is at most 6 bytes a position plus its framing; pickle stops at STOP
            values = loads(data[start + 4 : start + 16 + 6 * n].tobytes())
            deltas[offsets[i] : offsets[i] + n] = values[:n]
    # deltas → positions, restarting at each posting
    sums = np.cumsum(deltas)
    base = np.repeat(sums[offsets[:-1]] - deltas[offsets[:-1]], counts)
    return counts, sums - base


def phrase_docs(terms: list[EncodedPositions]) -> np.ndarray:
    """Documents where the terms stand at consecutive positions, in order (Whoosh's
    phrase with slop 1): candidates by intersecting document numbers, then positions
    decoded for those candidates only, shifted by each word's place in the phrase and
    intersected as (document, start position) keys."""
    if not terms or any(len(t.ids) == 0 for t in terms):
        return np.zeros(0, dtype=np.int64)
    candidates = terms[0].ids
    for t in terms[1:]:
        candidates = np.intersect1d(candidates, t.ids, assume_unique=True)
    if len(terms) == 1 or len(candidates) == 0:
        return candidates.astype(np.int64)
    keys = None
    width = len(terms)
    for i, t in enumerate(terms):
        where = np.searchsorted(t.ids, candidates)
        counts, positions = decode_positions(t.data, t.starts[where])
        docs = np.repeat(candidates.astype(np.int64), counts)
        mine = (docs << 32) | (positions + width - i)
        keys = mine if keys is None else np.intersect1d(keys, mine, assume_unique=True)
        if len(keys) == 0:
            break
    return np.unique(keys >> 32)


def _leaves(searcher: Searcher):
    subs = searcher.subsearchers if hasattr(searcher, "subsearchers") else None
    if subs:
        return [(s.reader(), offset) for s, offset in subs]
    return [(searcher.reader(), 0)]


def top(scores: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` best candidates by score (ties: lower document number first)."""
    if len(candidates) <= k:
        order = np.lexsort((candidates, -scores[candidates]))
        return candidates[order]
    part = np.argpartition(-scores[candidates], k - 1)[:k]
    chosen = candidates[part]
    return chosen[np.lexsort((chosen, -scores[chosen]))]
