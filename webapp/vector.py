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

from indexer import whoosh_compat

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
            # as Whoosh's ``avg_field_length``: over every document number
            average[field] = float(reader.field_length(field)) / max(reader.doc_count_all(), 1)
        return cls(by_field, average)


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
        self._items: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, searcher: Searcher, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        key = (field, text)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        value = postings(searcher, field, text)
        size = value[0].nbytes + value[1].nbytes
        with self._lock:
            if key not in self._items and size <= self.max_bytes // 4:
                self._items[key] = value
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _, (ids, tfs) = self._items.popitem(last=False)
                    self._bytes -= ids.nbytes + tfs.nbytes
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
        self.doc_count_all = max(searcher.doc_count_all(), 1)

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
        # Whoosh's own idf (``WeightingModel.idf``), so both rankers agree
        df = self.searcher.doc_frequency(field, text)
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
        docs = np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
        mask[docs] = True
        return mask, np.where(mask, PHRASE_SCORE * boost, 0).astype(np.float32)


def postings(searcher: Searcher, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and frequencies over every segment, read a block at a
    time (:mod:`indexer.whoosh_compat`)."""
    all_ids: list[np.ndarray] = []
    all_tfs: list[np.ndarray] = []
    for reader, offset in whoosh_compat.leaf_readers(searcher):
        if (field, text) not in reader:
            continue
        ids, tfs = whoosh_compat.term_postings(reader, field, text)
        all_ids.append(ids + offset)
        all_tfs.append(tfs)
    if not all_ids:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate(all_ids), np.concatenate(all_tfs)


def top(scores: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` best candidates by score (ties: lower document number first)."""
    if len(candidates) <= k:
        order = np.lexsort((candidates, -scores[candidates]))
        return candidates[order]
    part = np.argpartition(-scores[candidates], k - 1)[:k]
    chosen = candidates[part]
    return chosen[np.lexsort((chosen, -scores[chosen]))]
