"""Facet columns and counts, computed with numpy over the whole match set.

Whoosh's own ``groupedby`` scores and sorts every match and counts in Python, which
costs seconds at 100,000 announcements. Here each index generation is read once into
columns (document number → year, month, date, language; and for the multi-valued
facets, the pairs document → value), and a search counts with ``np.bincount`` over a
boolean mask of its matches. Columns are immutable and shared by every request that
uses the same generation.

Counts are disjunctive, as search engines do it: the counts of one facet apply every
selected filter except that facet's own, so a user can see and add a second province.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.reading import IndexReader

MULTI_FACETS = {  # facet name in URLs → index field with exact values
    "minister": "facet_ministers",
    "province": "facet_provinces",
    "person": "facet_people",
    "place": "facet_places",
    "lang": "lang",
}


@dataclass(frozen=True)
class Multi:
    """A multi-valued facet as parallel arrays of (document, value) pairs."""

    values: list[str]
    index: dict[str, int]
    doc_of: np.ndarray  # int32, one entry per (document, value) pair, by document
    value_of: np.ndarray  # int32
    first: np.ndarray  # int64, n + 1: where each document's pairs start

    def count(self, mask: np.ndarray) -> np.ndarray:
        docs = np.flatnonzero(mask)
        if len(docs) * 16 >= len(mask):  # many matches: one pass over every pair
            return np.bincount(self.value_of[mask[self.doc_of]], minlength=len(self.values))
        # few matches (a rare word): only their own pairs, not every pair of the index
        starts, stops = self.first[docs], self.first[docs + 1]
        sizes = stops - starts
        offsets = np.repeat(starts - np.cumsum(sizes) + sizes, sizes)
        pairs = offsets + np.arange(int(sizes.sum()))
        return np.bincount(self.value_of[pairs], minlength=len(self.values))

    def docs_with(self, selected: list[str], n: int) -> np.ndarray:
        """Mask of documents with any of the selected values (OR within a facet)."""
        ids = [self.index[v] for v in selected if v in self.index]
        mask = np.zeros(n, dtype=bool)
        if ids:
            mask[self.doc_of[np.isin(self.value_of, ids)]] = True
        return mask


@dataclass(frozen=True)
class Columns:
    """Everything facets, filters and date sorting need, for one index generation."""

    n: int
    alive: np.ndarray  # bool: not deleted
    date: np.ndarray  # int32 proleptic ordinal
    year: np.ndarray  # int16
    month: np.ndarray  # int8
    multi: dict[str, Multi]

    @classmethod
    def load(cls, reader: IndexReader) -> Columns:
        n = reader.doc_count_all()
        alive = np.zeros(n, dtype=bool)
        alive[np.fromiter(reader.all_doc_ids(), dtype=np.int64, count=reader.doc_count())] = True
        dates = list(reader.column_reader("date"))
        date = np.fromiter((d.toordinal() for d in dates), dtype=np.int32, count=n)
        year = np.fromiter((d.year for d in dates), dtype=np.int16, count=n)
        month = np.fromiter((d.month for d in dates), dtype=np.int8, count=n)
        multi = {name: _multi(reader, field) for name, field in MULTI_FACETS.items()}
        return cls(n, alive, date, year, month, multi)

    def values(self, facet: str) -> list[str]:
        return self.multi[facet].values


def _multi(reader: IndexReader, field: str) -> Multi:
    values: list[str] = []
    docs: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    if field in reader.schema:
        for i, term in enumerate(reader.lexicon(field)):
            values.append(term.decode("utf-8") if isinstance(term, bytes) else str(term))
            ids = np.fromiter(reader.postings(field, term).all_ids(), dtype=np.int32)
            docs.append(ids)
            owners.append(np.full(len(ids), i, dtype=np.int32))
    doc_of = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32)
    value_of = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int32)
    order = np.argsort(doc_of, kind="stable")
    doc_of, value_of = doc_of[order], value_of[order]
    first = np.searchsorted(doc_of, np.arange(reader.doc_count_all() + 1)).astype(np.int64)
    return Multi(values, {v: i for i, v in enumerate(values)}, doc_of, value_of, first)


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


def top_values(
    counts: np.ndarray, values: list[str], selected: list[str], limit: int
) -> list[FacetValue]:
    """The most frequent values, selected ones always included, ties by name."""
    nonzero = np.flatnonzero(counts).tolist()
    counted = counts.tolist()
    order = sorted(nonzero, key=lambda i: (-counted[i], values[i]))[:limit]
    out = [FacetValue(values[i], counted[i], values[i] in selected) for i in order]
    if selected:
        chosen = {values[i] for i in order}
        index = {v: i for i, v in enumerate(values)}
        for value in selected:
            if value not in chosen:
                count = counted[index[value]] if value in index else 0
                out.append(FacetValue(value, count, True))
    return out
