"""The search service: one request in, one page of results with facets out.

Both the web app (HTML, JSON, CSV, Atom) and ``prakas search`` call
:meth:`SearchService.search`; nothing else touches Whoosh. The service only reads the
index, and moves to a new generation when the indexer publishes one, so a reindex
needs no restart and a request in flight keeps the searcher it started with.

Matching is Whoosh's; filtering, facet counts and date ordering are numpy over the
generation's columns (:mod:`webapp.facets`); relevance ranking of the page is Whoosh's
scorer restricted to the filtered match set.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from markupsafe import Markup, escape
from whoosh import query as Q
from whoosh.searching import Searcher

from indexer import store
from indexer.config import Settings
from webapp import cache, vector
from webapp import query as queries
from webapp.facets import MULTI_FACETS, Columns, FacetValue, top_values
from webapp.snippets import snippet, wanted

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
FACET_LIMIT = 12
FEW = 3  # fewer results than this, and a respelling that finds any is offered


@dataclass(frozen=True)
class SearchRequest:
    """A search as its URL states it: every field is a URL parameter."""

    q: str = ""
    minister: tuple[str, ...] = ()
    province: tuple[str, ...] = ()
    person: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    month: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10

    def replace(self, **changes: object) -> SearchRequest:
        return dataclasses.replace(self, **changes)

    def selected(self, facet: str) -> tuple:
        return getattr(self, facet)


@dataclass
class Hit:
    id: str
    lang: str
    slug: str
    title: str
    date: str
    snippet: Markup
    ministers: list[str]
    provinces: list[str]
    twin: str | None  # id of the other-language version, when it exists


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    timeline: list[tuple[str, int, bool]] = field(default_factory=list)  # label, count, selected
    notices: list[str] = field(default_factory=list)
    relaxed: bool = False
    suggestion: str | None = None
    pages: int = 1
    generation: str = ""
    took_ms: float = 0.0


class PageOutOfRange(ValueError):
    def __init__(self, page: int, pages: int) -> None:
        super().__init__(f"Page {page} is past the last page ({pages}).")
        self.pages = pages


def values(stored: str | None) -> list[str]:
    return [v for v in (stored or "").split("\n") if v]


class Snapshot:
    """One generation: its columns and caches, shared by every thread, and a searcher
    per thread (a Whoosh reader keeps file positions, so threads must not share one)."""

    def __init__(self, ix, generation: Path) -> None:
        self.ix = ix
        self.generation = generation
        self._local = threading.local()
        searcher = self.searcher
        self.columns = Columns.load(searcher.reader())
        self.lengths = vector.Lengths.load(searcher, queries.TEXT_FIELDS, self.columns.n)
        self.postings = vector.PostingsCache()
        self.dates = vector.DateOrder.load(self.columns.date)
        self.ids = frozenset(t.decode() for t in searcher.reader().lexicon("id"))
        self.memo = cache.Memo()
        self.documents = cache.Documents()

    def stored_fields(self, docnum: int) -> dict:
        return self.documents.get(docnum, self.searcher.stored_fields)

    def has_document(self, doc_id: str) -> bool:
        """Whether the generation holds ``doc_id`` (a set lookup, not a term query; a
        generation with deletions confirms with the index)."""
        if doc_id not in self.ids:
            return False
        return not self.searcher.reader().has_deletions() or (
            self.searcher.document_number(id=doc_id) is not None
        )

    @property
    def searcher(self) -> Searcher:
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.ix.searcher()
            for docnum in _first_of_each_segment(searcher):  # open the stored-field
                searcher.stored_fields(docnum)  # files now, not on a user's request
        return searcher


class SearchService:
    """Holds the published index open; one instance per process, shared by threads."""

    def __init__(self, index_dir: Path, result_cache: int | None = None) -> None:
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        size = Settings().result_cache if result_cache is None else result_cache
        self.results = cache.ResultCache(size)  # whole results, per generation

    def snapshot(self) -> Snapshot:
        """The live generation, reopened when ``CURRENT`` has moved. The old searcher is
        not closed here: a request still using it finishes on it, and its files stay
        readable after the indexer removes them (POSIX keeps open files)."""
        gen = store.current_generation(self.index_dir)
        current = self._snapshot
        if current is not None and current.generation == gen:
            return current
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != gen:
                ix, gen = store.open_index(self.index_dir)
                self._snapshot = Snapshot(ix, gen)
            return self._snapshot

    def searcher(self) -> Searcher:
        return self.snapshot().searcher

    def facet_values(self, facet: str) -> list[str]:
        return self.snapshot().columns.values(facet)

    # --- the search ----------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        snap = self.snapshot()
        if (hit := self.results.get(snap.generation.name, request)) is not None:
            hit.took_ms = (time.perf_counter() - started) * 1000
            return hit
        searcher, cols = snap.searcher, snap.columns
        parsed = queries.parse(request.q, searcher.schema)
        masks = self._filter_masks(request, cols)
        matched, scores = self._match(snap, parsed.query)
        final = _all(matched, masks.values())
        relaxed = False
        if not final.any() and not parsed.staff and len(parsed.words) > 1:
            loose = queries.relaxed(parsed.words, searcher.schema)
            loose_matched, loose_scores = self._match(snap, loose)
            loose_final = _all(loose_matched, masks.values())
            if loose_final.any():
                parsed.query, matched, final, relaxed = loose, loose_matched, loose_final, True
                scores = loose_scores
                parsed.notices.append(
                    "No announcement has all of your words; showing those with some of them."
                )
        total = int(final.sum())
        pages = max(1, -(-total // request.per_page))
        if request.page > pages:
            raise PageOutOfRange(request.page, pages)
        docnums = self._order(snap, parsed, request, cols, final, masks, scores)
        want = wanted(parsed.query) if parsed.words else None
        hits = [self._hit(snap, d, want) for d in docnums]
        if isinstance(parsed.query, Q.Every) and not masks:  # the landing page's counts
            facets = snap.memo.get("all", lambda: self._facets(request, cols, matched, masks))
        else:
            facets = self._facets(request, cols, matched, masks)
        result = SearchResult(
            request=request,
            total=total,
            hits=hits,
            facets=facets,
            timeline=self._timeline(request, facets),
            notices=parsed.notices,
            relaxed=relaxed,
            pages=pages,
            generation=snap.generation.name,
        )
        if parsed.words and not parsed.staff:
            result.suggestion = self.suggest(searcher, parsed.words, total, final, relaxed, cols)
        result.took_ms = (time.perf_counter() - started) * 1000
        self.results.put(snap.generation.name, request, result)
        return result

    def _match(self, snap: Snapshot, query: Q.Query) -> tuple[np.ndarray, np.ndarray | None]:
        """The match set as a mask over document numbers, and the relevance scores when
        the query is one the vectorised path ranks (the public box's plain words)."""
        cols = snap.columns
        if isinstance(query, Q.Every):
            return cols.alive.copy(), None
        if vector.supports(query):
            evaluator = vector.Evaluator(snap.searcher, snap.lengths, cols.alive, snap.postings)
            return evaluator.run(query)
        mask = np.zeros(cols.n, dtype=bool)
        docs = np.fromiter(snap.searcher.docs_for_query(query), dtype=np.int64)
        mask[docs] = True
        return mask & cols.alive, None

    def _filter_masks(self, request: SearchRequest, cols: Columns) -> dict[str, np.ndarray]:
        masks: dict[str, np.ndarray] = {}
        for facet in MULTI_FACETS:
            selected = list(request.selected(facet))
            if selected:
                masks[facet] = cols.multi[facet].docs_with(selected, cols.n)
        if request.year:
            masks["year"] = np.isin(cols.year, list(request.year))
        if request.month is not None:
            masks["month"] = cols.month == request.month
        if request.date_from or request.date_to:
            low = request.date_from.toordinal() if request.date_from else -(2**31)
            high = request.date_to.toordinal() if request.date_to else 2**31 - 1
            masks["dates"] = (cols.date >= low) & (cols.date <= high)
        return masks

    def _order(self, snap, parsed, request, cols, final, masks, scores) -> list[int]:
        searcher = snap.searcher
        start = (request.page - 1) * request.per_page
        if not final.any():
            return []
        by_date = request.sort in ("newest", "oldest") or not parsed.words
        if by_date:
            return snap.dates.page(final, request.sort == "oldest", start, request.per_page)
        if scores is not None:
            best = vector.top(scores, np.flatnonzero(final), start + request.per_page)
            return best[start : start + request.per_page].tolist()
        allowed = None
        if masks:
            allowed = set(np.flatnonzero(final).tolist())
        results = searcher.search(parsed.query, limit=start + request.per_page, filter=allowed)
        return [hit.docnum for hit in results[start : start + request.per_page]]

    def _hit(self, snap: Snapshot, docnum: int, want) -> Hit:
        fields = snap.stored_fields(docnum)
        lang, slug = fields["lang"], fields["slug"]
        other = "km" if lang == "en" else "en"
        twin = f"{other}/{slug}"
        text = fields.get("body") or ""
        if want:
            shown = snippet(text, want)
            if "<mark>" not in shown and fields.get("description"):
                alt = snippet(fields["description"], want)
                shown = alt if "<mark>" in alt else shown
        else:
            shown = Markup(escape(_first(fields.get("description") or text)))
        return Hit(
            id=fields["id"],
            lang=lang,
            slug=slug,
            title=fields["title"],
            date=fields["date"].date().isoformat(),
            snippet=shown,
            ministers=values(fields.get("ministers")),
            provinces=values(fields.get("provinces")),
            twin=twin if snap.has_document(twin) else None,
        )

    def _facets(self, request, cols: Columns, matched, masks) -> dict[str, list[FacetValue]]:
        out: dict[str, list[FacetValue]] = {}
        for facet in MULTI_FACETS:
            base = _all(matched, (m for k, m in masks.items() if k != facet))
            counts = cols.multi[facet].count(base)
            out[facet] = top_values(
                counts, cols.multi[facet].values, list(request.selected(facet)), FACET_LIMIT
            )
        base = _all(matched, (m for k, m in masks.items() if k not in ("year", "month")))
        years = np.bincount(cols.year[base].astype(np.int64), minlength=1)
        out["year"] = [
            FacetValue(str(y), int(years[y]), y in request.year)
            for y in sorted(np.flatnonzero(years).tolist(), reverse=True)
        ]
        if len(request.year) == 1:
            base = _all(matched, (m for k, m in masks.items() if k != "month"))
            months = np.bincount(cols.month[base].astype(np.int64), minlength=13)
            out["month"] = [
                FacetValue(str(m), int(months[m]), m == request.month)
                for m in range(1, 13)
                if months[m]
            ]
        return out

    @staticmethod
    def _timeline(request, facets: dict[str, list[FacetValue]]) -> list[tuple[str, int, bool]]:
        """The bars of the timeline, from the year (or month) facet with its gaps filled:
        months of the one chosen year, else every year from the first to the last."""
        if len(request.year) == 1:
            months = {int(v.value): v.count for v in facets.get("month", [])}
            return [(str(m), months.get(m, 0), m == request.month) for m in range(1, 13)]
        years = {int(v.value): v.count for v in facets["year"]}
        if not years:
            return []
        span = range(min(years), max(years) + 1)
        return [(str(y), years.get(y, 0), y in request.year) for y in span]

    def suggest(
        self, searcher: Searcher, words: list[str], total: int, final, relaxed: bool, cols
    ) -> str | None:
        """A respelling of the words the index does not know, from its own vocabulary
        (both languages), offered when it finds more than the query as typed."""
        corrector = searcher.corrector("words")
        vocabulary = searcher.reader()
        changed = False
        out: list[str] = []
        for word in words:
            key = word.lower()
            known = len(key) < 4 or _in_vocabulary(searcher, vocabulary, key)
            # prefix=1: candidates share the first letter, which keeps the scan of the
            # vocabulary short at any index size
            if not known and (options := corrector.suggest(key, limit=3, maxdist=2, prefix=1)):
                out.append(options[0])
                changed = True
            else:
                out.append(word)
        if not changed:
            return None
        candidate = " ".join(out)
        matched, _ = self._match(self.snapshot(), queries.parse(candidate, searcher.schema).query)
        found = int(matched.sum())
        return candidate if found > total or (found and (total < FEW or relaxed)) else None


def _in_vocabulary(searcher: Searcher, reader, word: str) -> bool:
    """A word the index has: as written in a title or summary, or as the body's
    analyser reads it (stemmed, segmented) — only the unknown get a respelling."""
    if ("words", word) in reader:  # a lookup in the terms table, no term record read
        return True
    terms = [t.text for t in searcher.schema["content"].analyzer(word, mode="query")]
    return bool(terms) and all(("content", t) in reader for t in terms)


def _first_of_each_segment(searcher: Searcher) -> list[int]:
    subs = getattr(searcher, "subsearchers", None) or [(searcher, 0)]
    return [offset for sub, offset in subs if sub.doc_count_all()]


def _all(first: np.ndarray, masks) -> np.ndarray:
    out = first.copy()
    for m in masks:
        out &= m
    return out


def _first(text: str, size: int = 260) -> str:
    return text if len(text) <= size else text[:size].rsplit(" ", 1)[0] + "…"
