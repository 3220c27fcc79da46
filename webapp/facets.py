"""Facets as small classes over numpy columns: parse a URL's values, filter, count.

Whoosh's own ``groupedby`` scores and sorts every match and counts in Python, which
costs seconds at 100,000 announcements. Here each index generation is read once into
columns (:class:`Columns`), and a search counts with ``np.bincount`` over boolean masks
of its matches. Columns are immutable and shared by every request on that generation.

What a search counts is a **unit**: an announcement (every language version of one
slug) by default, or a file (``unit=file``, for staff). Matching is per file; a unit
matches when any of its versions does, and the counts and the total count units.

Each facet of the table in :mod:`indexer.facets` gets the class of its kind:
:class:`EntityFacet` (values an announcement names), :class:`LanguageFacet` (which
versions count), :class:`DateFacet` (a number from the date: the year, the month of one
year), configured by the row, never by its name. Counts are
disjunctive, as search engines do it: a facet's counts apply every selected filter
except its own, so a reader can see and add a second province.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from flask_babel import lazy_gettext as _l
from whoosh.reading import IndexReader

from indexer import caches
from indexer.documents import LANGUAGES
from indexer.facets import FACETS, Facet
from webapp.i18n import one_of

UNITS = ("announcement", "file")
SPARSE = 8  # a mask with fewer than 1 in SPARSE set is walked by its set entries
MAX_VALUES = 20  # selected values of one facet in one URL
MAX_VALUE_CHARS = 200


class BadValue(ValueError):
    """A facet value a URL cannot use; the message says which and why."""


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Pairs:
    """A multi-valued column as parallel arrays of (owner, value) pairs; the owner is a
    file or a unit."""

    values: list[str]
    index: dict[str, int]
    owner: np.ndarray  # int32, one entry per pair
    value: np.ndarray  # int32

    def count(self, mask: np.ndarray) -> np.ndarray:
        """How many owners in ``mask`` have each value. Few owners (a rare word's
        matches) are counted from their own pairs, not by a pass over every pair."""
        owners = np.flatnonzero(mask)
        if len(owners) * 16 >= len(mask):
            return np.bincount(self.value[mask[self.owner]], minlength=len(self.values))
        first, by_owner = self._by_owner(len(mask))
        starts, sizes = first[owners], first[owners + 1] - first[owners]
        pairs = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        return np.bincount(by_owner[pairs], minlength=len(self.values))

    def _by_owner(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The values ordered by owner, and where each of ``n`` owners' values start;
        sorted once per column, on first use."""
        cached = self.__dict__.get("_csr")  # frozen: kept beside the fields, not in them
        if cached is None or len(cached[0]) != n + 1:
            order = np.argsort(self.owner, kind="stable")
            first = np.searchsorted(self.owner[order], np.arange(n + 1)).astype(np.int64)
            cached = (first, self.value[order])
            self.__dict__["_csr"] = cached
        return cached

    def having(self, selected: Iterable[str], n: int) -> np.ndarray:
        """Owners with any of the selected values (OR within a facet)."""
        ids = [self.index[v] for v in selected if v in self.index]
        mask = np.zeros(n, dtype=bool)
        if ids:
            mask[self.owner[np.isin(self.value, ids)]] = True
        return mask

    def regroup(self, unit_of: np.ndarray) -> Pairs:
        """The same values owned by units instead of files, each pair once."""
        keys = np.unique(unit_of[self.owner].astype(np.int64) * len(self.values) + self.value)
        owner = (keys // max(len(self.values), 1)).astype(np.int32)
        value = (keys % max(len(self.values), 1)).astype(np.int32)
        return Pairs(self.values, self.index, owner, value)


caches.note(
    "webapp.facets.Pairs",
    "one owner-sorted copy per column of a generation",
    "a rare word's matches counted from their own pairs, sorted once",
)


@dataclass(frozen=True)
class Units:
    """Files grouped into what a search counts (see the module docstring)."""

    n: int
    of: np.ndarray  # file → unit
    members: np.ndarray  # files ordered by unit …
    starts: np.ndarray  # … unit u's files are members[starts[u]:starts[u + 1]]
    widest: int  # the most files one unit has
    slots: np.ndarray  # (widest, n): unit u's files, its last one repeated to fill the row
    date: np.ndarray  # int32 proleptic ordinal, per unit (its earliest version)
    parts: dict[str, np.ndarray]  # date facet → its number per unit (int32)
    pairs: dict[str, Pairs]  # entity facet → values per unit

    @classmethod
    def group(cls, of: np.ndarray, n: int, cols: Columns) -> Units:
        members = np.argsort(of, kind="stable").astype(np.int32)
        starts = np.searchsorted(of[members], np.arange(n + 1)).astype(np.int32)
        sizes = np.diff(starts)
        widest = int(sizes.max()) if n else 1
        # slot k of unit u: its k-th file, or its last one (OR is idempotent); units
        # with no file (none here: a unit exists because a file has it) point at 0
        last = np.maximum(sizes - 1, 0)
        slots = (
            np.stack([members[starts[:-1] + np.minimum(k, last)] for k in range(widest)])
            if n
            else np.zeros((1, 0), dtype=np.int32)
        )
        date = np.full(n, np.iinfo(np.int32).max, dtype=np.int32)
        np.minimum.at(date, of, cols.date)
        days = [_ordinal_date(d) for d in date.tolist()]
        parts = {
            f.name: np.fromiter((f.part(d) for d in days), dtype=np.int32, count=n)
            for f in FACETS
            if f.part
        }
        pairs = {name: p.regroup(of) for name, p in cols.pairs.items()}
        return cls(n, of, members, starts, widest, slots, date, parts, pairs)

    def any(self, files: np.ndarray) -> np.ndarray:
        """Units with at least one file in the mask ``files``: few files (most searches
        match few) are scattered to their units; many, gathered slot by slot."""
        hits = np.flatnonzero(files)
        if len(hits) * SPARSE < len(files):
            out = np.zeros(self.n, dtype=bool)
            out[self.of[hits]] = True
            return out
        out = np.take(files, self.slots[0])
        for row in self.slots[1:]:
            out |= np.take(files, row)
        return out

    def spread(self, units: np.ndarray) -> np.ndarray:
        """Every file of the units in the mask ``units`` (as :meth:`any`, the other way)."""
        hits = np.flatnonzero(units)
        if len(hits) * SPARSE < len(units):
            out = np.zeros(len(self.of), dtype=bool)
            out[self.slots[:, hits]] = True
            return out
        return np.take(units, self.of)

    def files(self, unit: int) -> list[int]:
        return self.members[self.starts[unit] : self.starts[unit + 1]].tolist()


def _ordinal_date(ordinal: int) -> dt.date:
    return dt.date.fromordinal(max(1, min(ordinal, dt.date.max.toordinal())))


@dataclass(frozen=True)
class Columns:
    """Everything filters, counts and date order need, for one index generation."""

    n: int
    alive: np.ndarray  # bool per file: not deleted
    date: np.ndarray  # int32 proleptic ordinal per file
    lang: np.ndarray  # int8 per file: index into LANGUAGES (-1: none)
    untranslated: np.ndarray  # bool per file: its text is in another language
    pairs: dict[str, Pairs]  # entity facet → values per file
    units: dict[str, Units]  # "announcement" / "file" → the grouping

    @classmethod
    def load(cls, reader: IndexReader) -> Columns:
        n = reader.doc_count_all()
        alive = np.zeros(n, dtype=bool)
        alive[np.fromiter(reader.all_doc_ids(), dtype=np.int64, count=reader.doc_count())] = True
        date = np.fromiter(
            (d.toordinal() for d in reader.column_reader("date")), dtype=np.int32, count=n
        )
        lang = np.full(n, -1, dtype=np.int8)
        for i, code in enumerate(LANGUAGES):
            if reader.doc_frequency("lang", code):
                ids = np.fromiter(reader.postings("lang", code).all_ids(), dtype=np.int64)
                lang[ids] = i
        untranslated = np.zeros(n, dtype=bool)
        if reader.schema["untranslated"].indexed:  # not in a generation built before it was
            for term in reader.lexicon("untranslated"):
                if term:
                    untranslated[list(reader.postings("untranslated", term).all_ids())] = True
        pairs = {f.name: _pairs(reader, f.column) for f in FACETS if f.kind == "entity"}
        cols = cls(n, alive, date, lang, untranslated, pairs, {})
        slugs = list(reader.column_reader("slug"))
        by_slug: dict[str, int] = {}
        announcement = np.fromiter(
            (by_slug.setdefault(s, len(by_slug)) for s in slugs), dtype=np.int32, count=n
        )
        cols.units["announcement"] = Units.group(announcement, len(by_slug), cols)
        cols.units["file"] = Units.group(np.arange(n, dtype=np.int32), n, cols)
        return cols

    def values(self, facet: str) -> list[str]:
        return self.pairs[facet].values


def _pairs(reader: IndexReader, field: str) -> Pairs:
    values: list[str] = []
    docs: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    if field in reader.schema:
        for i, term in enumerate(reader.lexicon(field)):
            values.append(term.decode("utf-8") if isinstance(term, bytes) else str(term))
            ids = np.fromiter(reader.postings(field, term).all_ids(), dtype=np.int32)
            docs.append(ids)
            owners.append(np.full(len(ids), i, dtype=np.int32))
    owner = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32)
    value = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int32)
    return Pairs(values, {v: i for i, v in enumerate(values)}, owner, value)


# --- the facet classes ---------------------------------------------------------------------


class FacetKind:
    """A facet's behaviour. ``files`` says whether its filter picks files (which
    versions count) rather than units (which announcements count)."""

    files = False
    strip = True  # white space around a value is dropped (a name typed in a form)

    def __init__(self, facet: Facet) -> None:
        self.facet = facet
        self.name = facet.name

    def parse(self, raw: list[str], known: Callable[[str], list[str]] | None) -> tuple[str, ...]:
        """The selected values of a URL, deduplicated; :class:`BadValue` if unusable."""
        chosen = tuple(dict.fromkeys(v.strip() if self.strip else v for v in raw if v.strip()))
        if len(chosen) > MAX_VALUES or any(len(v) > MAX_VALUE_CHARS for v in chosen):
            raise BadValue(_l("Too many or too long values for “%(name)s”.", name=self.name))
        return chosen

    def mask(self, cols: Columns, units: Units, selected: tuple[str, ...]) -> np.ndarray:
        raise NotImplementedError

    def count(
        self, cols: Columns, units: Units, base: np.ndarray, selected: tuple[str, ...]
    ) -> list[FacetValue]:
        raise NotImplementedError

    def shown(self, selections: dict[str, tuple[str, ...]]) -> bool:
        """Whether the facet is offered for this search."""
        return True


class EntityFacet(FacetKind):
    """Names an announcement holds (ministers, provinces…): a unit has a value when any
    of its versions names it. Values a URL names must exist in the index, so a typo
    in a link shows as a message, not as an empty page."""

    def parse(self, raw, known):
        chosen = super().parse(raw, known)
        if chosen and known is not None:
            have = set(known(self.name))
            missing = [v for v in chosen if v not in have]
            if missing:
                raise BadValue(
                    _l(
                        "No announcement has %(name)s “%(value)s”.",
                        name=self.name,
                        value=missing[0][:80],
                    )
                )
        return chosen

    def mask(self, cols, units, selected):
        return units.pairs[self.name].having(selected, units.n)

    def count(self, cols, units, base, selected):
        pairs = units.pairs[self.name]
        return top_values(pairs.count(base), pairs.values, list(selected))


class LanguageFacet(FacetKind):
    """Which language versions count: ``lang=km`` keeps the announcements the query
    finds that have a Khmer version, and shows that version (the query itself is
    read on the whole announcement; ``unit=file`` reads it on each file)."""

    files = True

    def parse(self, raw, known):
        chosen = super().parse(raw, known)
        bad = [v for v in chosen if v not in LANGUAGES]
        if bad:
            raise BadValue(
                _l(
                    "“lang” is %(choices)s, not “%(value)s”.",
                    choices=one_of(LANGUAGES),
                    value=bad[0][:40],
                )
            )
        return chosen

    def mask(self, cols, units, selected):
        return np.isin(cols.lang, [LANGUAGES.index(v) for v in selected])

    def count(self, cols, units, base, selected):
        # ``base`` is a mask of files here; a unit has at most one file per language,
        # so files counted per language are units counted per language
        counts = np.bincount(cols.lang[base & (cols.lang >= 0)], minlength=len(LANGUAGES))
        return [
            FacetValue(code, int(counts[i]), code in selected)
            for i, code in enumerate(LANGUAGES)
            if counts[i] or code in selected
        ]


class DateFacet(FacetKind):
    """A number from each announcement's date, within the row's bounds (the year; the
    month, ``within`` the year: offered and allowed only when exactly one year is
    chosen, one month at a time)."""

    strip = False  # a number is its ASCII digits, nothing around them

    def parse(self, raw, known):
        chosen = super().parse(raw, known)
        if self.facet.within and len(chosen) > 1:
            raise BadValue(_l("“%(name)s” takes one value.", name=self.name))
        out = []
        for value in chosen:
            number = self.facet.canonical(value)
            if number is None:
                low, high = self.facet.bounds
                raise BadValue(
                    _l(
                        "“%(name)s” must be a number from %(low)s to %(high)s, not “%(value)s”.",
                        name=self.name,
                        low=low,
                        high=high,
                        value=value[:40],
                    )
                )
            out.append(str(number))
        return tuple(dict.fromkeys(out))

    def mask(self, cols, units, selected):
        return np.isin(units.parts[self.name], [int(v) for v in selected])

    def counts(self, units: Units, base: np.ndarray) -> dict[int, int]:
        """How many units of ``base`` have each value (the values some unit has)."""
        column = units.parts[self.name][base]
        if not len(column):
            return {}
        # a date part spans a few hundred numbers at most: counted in one pass, not sorted
        low = int(column.min())
        counts = np.bincount(column - low)
        found = np.flatnonzero(counts)
        return dict(zip((found + low).tolist(), counts[found].tolist(), strict=True))

    def count(self, cols, units, base, selected):
        counted = self.counts(units, base)
        return [
            FacetValue(str(v), counted[v], str(v) in selected)
            for v in sorted(counted, reverse=self.facet.descending)
        ]

    def shown(self, selections):
        within = self.facet.within
        return not within or len(selections.get(within, ())) == 1


_CLASSES: dict[str, type[FacetKind]] = {
    "entity": EntityFacet,
    "language": LanguageFacet,
    "date": DateFacet,
}


#: every facet of the table, in its order, as the class of its kind
KINDS: tuple[FacetKind, ...] = tuple(_CLASSES[f.kind](f) for f in FACETS)
BY_NAME: dict[str, FacetKind] = {k.name: k for k in KINDS}
#: the facets drawn as the timeline: the root (years), then its subdivisions (months)
TIMELINE: tuple[DateFacet, ...] = tuple(
    k for k in KINDS if isinstance(k, DateFacet) and k.facet.timeline
)


def top_values(
    counts: np.ndarray, values: list[str], selected: list[str], limit: int | None = None
) -> list[FacetValue]:
    """Values by count (ties by name), selected ones always included; all of them
    unless ``limit`` (a page shows the first few and links to the rest). ``values`` are
    in name order (a column's are its lexicon's), so ties keep their positions."""
    present = np.flatnonzero(counts)
    order = present[np.argsort(-counts[present], kind="stable")].tolist()
    counted = counts.tolist()  # Python ints: no numpy scalar per comparison
    if limit is not None:
        order = order[:limit]
    out = [FacetValue(values[i], counted[i], values[i] in selected) for i in order]
    if selected:  # rarely: only then the values' positions are needed
        chosen = {values[i] for i in order}
        index = {v: i for i, v in enumerate(values)}
        for value in selected:
            if value not in chosen:
                count = counted[index[value]] if value in index else 0
                out.append(FacetValue(value, count, True))
    return out
