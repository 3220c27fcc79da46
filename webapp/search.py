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
import gc
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from whoosh import query as Q
from whoosh.searching import Searcher

from indexer import postings, store
from indexer.config import Settings
from indexer.documents import LANGUAGES
from indexer.facets import ENTITY_FACETS
from indexer.khmer import has_khmer
from webapp import cache, vector
from webapp import query as queries
from webapp.facets import BY_NAME, KINDS, Columns, FacetValue, Units
from webapp.snippets import snippet, wanted

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
FACET_LIMIT = 12  # values of a facet shown unless the request asks for all of them
FEW = 3  # fewer results than this, and a respelling that finds any is offered
RESPELT = 4  # unknown words of one query looked up for a respelling; the rest kept
RESPELLINGS = 4096  # respellings a generation remembers

Selections = tuple[tuple[str, tuple[str, ...]], ...]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchRequest:
    """A search as its URL states it (:mod:`webapp.params`).

    ``filters`` holds the selected values of each facet of :data:`webapp.facets.KINDS`
    by name, in the table's order; ``unit`` is what is counted (an announcement with
    all its versions, or each file); ``prefer`` is the language version to show of an
    announcement that has several (the reader's interface language)."""

    q: str = ""
    filters: Selections = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    unit: str = "announcement"
    more: tuple[str, ...] = ()  # facets whose every value is listed
    prefer: str = "en"

    def replace(self, **changes: object) -> SearchRequest:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def selected(self, facet: str) -> tuple[str, ...]:
        return dict(self.filters).get(facet, ())

    def with_selected(self, facet: str, values: tuple[str, ...]) -> SearchRequest:
        """The same search with ``facet``'s values replaced (page back to 1)."""
        chosen = dict(self.filters)
        chosen[facet] = values
        if facet == "year" and len(values) != 1:
            chosen.pop("month", None)  # a month belongs to one year
        return self.replace(filters=selections(chosen), page=1)

    def cleared(self) -> SearchRequest:
        return self.replace(filters=(), date_from=None, date_to=None, page=1)


def selections(chosen: dict[str, tuple[str, ...]]) -> Selections:
    """Selections in the facet table's order, empty ones left out (one spelling each)."""
    return tuple((k.name, chosen[k.name]) for k in KINDS if chosen.get(k.name))


@dataclass
class Hit:
    """One result: an announcement (or a file, with ``unit=file``) shown in one version."""

    id: str
    lang: str
    slug: str
    title: str
    date: str
    snippet: Markup
    values: dict[str, list[str]]  # entity facet name → canonical values
    versions: dict[str, str]  # language → id, every version of this announcement

    @property
    def others(self) -> list[str]:
        """The languages of the versions not shown."""
        return [lang for lang in self.versions if lang != self.lang]


@dataclass
class Article(Hit):
    """One version of an announcement, whole, for its page."""

    author: str = ""
    description: str = ""
    body_markdown: str = ""
    image: str = ""


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
    complete: bool = True  # False: cut short by the time budget, not the generation's answer
    # facet → value → {language: spelling}: how the pages write values (``Snapshot.label``)
    labels: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)


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
        copies = postings.open_copies(generation, searcher.reader())
        self.lengths = vector.Lengths.load(searcher, queries.TEXT_FIELDS, self.columns.n, copies)
        self.labels = store.read_labels(generation)
        self.postings = vector.PostingsCache(copies=copies)
        self.dates = {k: vector.DateOrder.load(u.date) for k, u in self.columns.units.items()}
        self.memo = cache.Memo()
        self.documents = cache.Documents()
        self.respellings: cache.PerGeneration[str, str] = cache.PerGeneration(RESPELLINGS)

    def respelling(self, word: str) -> str:
        """The index's closest word to ``word`` (``""``: none), looked up once. prefix=1:
        candidates share the first letter, which keeps the scan of the vocabulary short
        at any index size."""
        found = self.respellings.get("", word)
        if found is None:
            options = self.searcher.corrector("words").suggest(word, limit=1, maxdist=2, prefix=1)
            found = options[0] if options else ""
            self.respellings.put("", word, found)
        return found

    def stored_fields(self, docnum: int) -> dict:
        return self.documents.get(docnum, self.searcher.stored_fields)

    def label(self, facet: str, value: str, lang: str) -> str:
        """``value`` of ``facet`` as language ``lang`` writes it in this generation (the
        canonical value when the index knows no other spelling)."""
        return self.labels.get(facet, {}).get(value, {}).get(lang, value)

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
        self._retired: list[weakref.ref[Snapshot]] = []  # replaced, maybe still in use
        size = Settings().result_cache if result_cache is None else result_cache
        self.results = cache.ResultCache(size)  # whole results, per generation
        self.clock: Callable[[], float] = time.monotonic  # of every Deadline; tests set it

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

    def refresh(self) -> bool:
        """Move to the live generation if ``CURRENT`` has moved (True), and let old ones
        go: a generation's searchers and memory maps close once no request holds its
        snapshot (a request in flight keeps its own reference and finishes on it).
        :meth:`watch` calls this in an idle worker, so a generation the indexer deleted
        is not kept open until the next visit."""
        old = self._snapshot
        try:
            new = self.snapshot()
        except store.IndexMissing:
            return False
        moved = new is not old
        if moved and old is not None:
            self._retired.append(weakref.ref(old))
        del old
        if self._retired:
            # A snapshot dies when its last request ends, but its Whoosh readers hold
            # reference cycles, and an idle worker allocates nothing that would start a
            # collection: collect until every replaced snapshot has gone.
            gc.collect()
            self._retired = [ref for ref in self._retired if ref() is not None]
        return moved

    def watch(self, every: float, sleep: Callable[[float], None] = time.sleep) -> threading.Thread:
        """A daemon thread that calls :meth:`refresh` every ``every`` seconds while this
        service exists (it holds only a weak reference to it). ``sleep`` is for tests."""
        ref = weakref.ref(self)

        def loop() -> None:
            while True:
                sleep(every)
                service = ref()
                if service is None:
                    return
                try:
                    service.refresh()
                except Exception:  # a bad generation is the next request's 500/503, not ours
                    log.exception("checking for a new index generation")
                del service

        thread = threading.Thread(target=loop, name="prakas-generations", daemon=True)
        thread.start()
        return thread

    def searcher(self) -> Searcher:
        return self.snapshot().searcher

    def facet_values(self, facet: str) -> list[str]:
        return self.snapshot().columns.values(facet)

    def article(self, lang: str, slug: str) -> Article | None:
        """One version of an announcement, and which other versions it has."""
        snap = self.snapshot()
        searcher, cols = snap.searcher, snap.columns
        docnum = searcher.document_number(id=f"{lang}/{slug}")
        if docnum is None:
            return None
        units = cols.units["announcement"]
        versions = {
            LANGUAGES[cols.lang[f]]: f"{LANGUAGES[cols.lang[f]]}/{slug}"
            for f in units.files(int(units.of[docnum]))
            if cols.alive[f]
        }
        fields = searcher.stored_fields(docnum)
        return Article(
            id=fields["id"],
            lang=fields["lang"],
            slug=fields["slug"],
            title=fields["title"],
            date=fields["date"].date().isoformat(),
            snippet=Markup(""),
            values={f.name: values(fields.get(f.field)) for f in ENTITY_FACETS},
            versions=dict(sorted(versions.items())),
            author=fields.get("author") or "",
            description=fields.get("description") or "",
            body_markdown=fields.get("body_markdown") or "",
            image=fields.get("image") or "",
        )

    # --- the search ----------------------------------------------------------------

    def search(self, request: SearchRequest, snap: Snapshot | None = None) -> SearchResult:
        """The answer to ``request`` from ``snap`` (the live generation if None): a
        caller that pins one, as a page does, gets every part of it from that one."""
        started = time.perf_counter()
        deadline = vector.Deadline(queries.TIME_BUDGET_S, self.clock)
        snap = snap or self.snapshot()
        if (hit := self.results.get(snap.generation.name, request)) is not None:
            hit.took_ms = (time.perf_counter() - started) * 1000
            return hit
        searcher, cols = snap.searcher, snap.columns
        parsed, units, file_masks, unit_masks, matched, scores, final = self._matching(
            snap, request, deadline
        )
        relaxed = False
        if not final.any() and not parsed.staff and len(parsed.words) > 1:
            loose = queries.relaxed(parsed.words, searcher.schema)
            loose_matched, loose_scores = self._match(snap, loose, deadline)
            loose_final = self._final(loose_matched, file_masks, unit_masks, units)
            if loose_final.any():
                parsed.query, matched, final, relaxed = loose, loose_matched, loose_final, True
                scores = loose_scores
                parsed.notices.append(
                    _l("No announcement has all of your words; showing those with some of them.")
                )
        total = int(final.sum())
        pages = max(1, -(-total // request.per_page))
        if request.page > pages:
            raise PageOutOfRange(request.page, pages)
        # the files that may stand for a unit: matched (or any, to show the reader's
        # language), alive, and of the languages asked for
        shown = _all(cols.alive, file_masks.values())
        order = self._order(snap, parsed, request, units, final, shown & matched, scores, deadline)
        want = wanted(parsed.query) if parsed.words else None
        prefer = "km" if has_khmer(request.q) else request.prefer
        hits = [self._hit(snap, units, u, shown, prefer, want) for u in order]
        if isinstance(parsed.query, Q.Every) and not file_masks and not unit_masks:
            # the landing page's counts: the same for every such request of a generation
            facets = snap.memo.get(
                ("facets", request.unit, request.more),
                lambda: self._facets(request, cols, units, matched, file_masks, unit_masks),
            )
        else:
            facets = self._facets(request, cols, units, matched, file_masks, unit_masks)
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
            labels=snap.labels,
        )
        if parsed.words and not parsed.staff and not deadline.passed():
            result.suggestion = self.suggest(snap, parsed.words, total, units, relaxed, deadline)
        if deadline.ran_out:
            result.notices.append(
                _l(
                    "This search took too long to finish; these are the results found in "
                    "its first %(seconds)s seconds, and there may be more.",
                    seconds=queries.TIME_BUDGET_S,
                )
            )
        result.took_ms = (time.perf_counter() - started) * 1000
        result.complete = not deadline.ran_out
        if result.complete:  # a search cut short is not the generation's answer
            self.results.put(snap.generation.name, request, result)
        return result

    def _matching(self, snap: Snapshot, request: SearchRequest, deadline: vector.Deadline):
        """The query as parsed, the units counted, the filters' masks, the match set
        (with its scores) and the units found: what a page and an export share."""
        searcher, cols = snap.searcher, snap.columns
        units = cols.units[request.unit]
        parsed = queries.parse(request.q, searcher.schema, searcher.reader())
        file_masks, unit_masks = self._filter_masks(request, cols, units)
        matched, scores = self._match(snap, parsed.query, deadline)
        final = self._final(matched, file_masks, unit_masks, units)
        return parsed, units, file_masks, unit_masks, matched, scores, final

    def _match(
        self, snap: Snapshot, query: Q.Query, deadline: vector.Deadline | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The match set as a mask over document numbers, and the relevance scores when
        the query is one the vectorised path ranks (the public box's plain words); past
        the deadline, the documents found so far."""
        cols = snap.columns
        if isinstance(query, Q.Every):
            return cols.alive.copy(), None
        if vector.supports(query):
            evaluator = vector.Evaluator(
                snap.searcher, snap.lengths, cols.alive, snap.postings, deadline
            )
            return evaluator.run(query)
        mask = np.zeros(cols.n, dtype=bool)
        mask[vector.docs_until(snap.searcher, query, deadline)] = True
        return mask & cols.alive, None

    @staticmethod
    def _filter_masks(
        request: SearchRequest, cols: Columns, units: Units
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Each filter in force as a mask: over files (which versions count) or over
        units (which announcements count)."""
        files: dict[str, np.ndarray] = {}
        unit: dict[str, np.ndarray] = {}
        for name, selected in request.filters:
            kind = BY_NAME[name]
            (files if kind.files else unit)[name] = kind.mask(cols, units, selected)
        if request.date_from or request.date_to:
            low = request.date_from.toordinal() if request.date_from else -(2**31)
            high = request.date_to.toordinal() if request.date_to else 2**31 - 1
            unit["dates"] = (units.date >= low) & (units.date <= high)
        return files, unit

    @staticmethod
    def _final(matched, file_masks, unit_masks, units: Units) -> np.ndarray:
        """The units the search finds: one of their files matches and passes the file
        filters, and the unit passes the unit filters."""
        return _all(units.any(_all(matched, file_masks.values())), unit_masks.values())

    def _order(self, snap, parsed, request, units: Units, final, candidates, scores, deadline):
        """The units of the page, best first: by date (along the generation's date
        order), by the vectorised scores, or by Whoosh's scorer (newest first when the
        deadline passed before it finished); a unit ranks as its best file."""
        searcher = snap.searcher
        start = (request.page - 1) * request.per_page
        if not final.any():
            return []
        want = start + request.per_page
        by_date = request.sort in ("newest", "oldest") or not parsed.words
        if by_date:
            dates = snap.dates[request.unit]
            return dates.page(final, request.sort == "oldest", start, request.per_page)
        files = np.flatnonzero(candidates & final[units.of])
        if scores is not None:
            # a unit has at most ``widest`` files: the best want×widest files hold
            # the best ``want`` units
            best = vector.top(scores, files, want * units.widest).tolist()
        else:
            allowed = set(files.tolist())
            best = vector.top_until(searcher, parsed.query, want * units.widest, allowed, deadline)
            if deadline.ran_out:  # not every match was scored: newest first (a notice says so)
                newest = request.replace(sort="newest")
                args = (snap, parsed, newest, units, final, candidates, None, deadline)
                return self._order(*args)
        ranked = list(dict.fromkeys(units.of[best].tolist()))
        return ranked[start:want]

    def _hit(self, snap: Snapshot, units: Units, unit: int, shown, prefer: str, want) -> Hit:
        """A unit as one result, in the preferred language when it has that version."""
        cols = snap.columns
        files = units.files(unit)
        versions = {LANGUAGES[cols.lang[f]]: f for f in files if cols.alive[f]}
        eligible = [f for f in files if shown[f]]
        docnum = versions.get(prefer)
        if docnum is None or docnum not in eligible:
            docnum = eligible[0]
        fields = snap.stored_fields(docnum)
        text = fields.get("body") or ""
        if want:
            marked = snippet(text, want)
            if "<mark>" not in marked and fields.get("description"):
                alt = snippet(fields["description"], want)
                marked = alt if "<mark>" in alt else marked
        else:
            marked = Markup(escape(_first(fields.get("description") or text)))
        return Hit(
            id=fields["id"],
            lang=fields["lang"],
            slug=fields["slug"],
            title=fields["title"],
            date=fields["date"].date().isoformat(),
            snippet=marked,
            values={f.name: values(fields.get(f.field)) for f in ENTITY_FACETS},
            versions={lang: f"{lang}/{fields['slug']}" for lang in sorted(versions)},
        )

    @staticmethod
    def _facets(
        request: SearchRequest, cols: Columns, units: Units, matched, file_masks, unit_masks
    ) -> dict[str, list[FacetValue]]:
        """Disjunctive counts of every facet the search offers."""
        chosen = dict(request.filters)
        matched_files = _all(matched, file_masks.values())
        matched_units = units.any(matched_files)
        out: dict[str, list[FacetValue]] = {}
        for kind in KINDS:
            if not kind.shown(chosen):
                continue
            others = (m for k, m in unit_masks.items() if k != kind.name)
            selected = chosen.get(kind.name, ())
            if kind.files:
                files = _all(matched, (m for k, m in file_masks.items() if k != kind.name))
                base = files & _all(units.any(files), others)[units.of]
            else:
                base = _all(matched_units, others)
            counted = kind.count(cols, units, base, selected)
            if kind.name not in request.more and len(counted) > FACET_LIMIT:
                counted = counted[:FACET_LIMIT] + [v for v in counted[FACET_LIMIT:] if v.selected]
            out[kind.name] = counted
        return out

    @staticmethod
    def _timeline(request, facets: dict[str, list[FacetValue]]) -> list[tuple[str, int, bool]]:
        """The bars of the timeline, from the year (or month) facet with its gaps filled:
        months of the one chosen year, else every year from the first to the last."""
        if "month" in facets:
            months = {int(v.value): v for v in facets["month"]}
            chosen = request.selected("month")
            return [
                (str(m), months[m].count if m in months else 0, str(m) in chosen)
                for m in range(1, 13)
            ]
        years = {int(v.value): v.count for v in facets.get("year", [])}
        if not years:
            return []
        chosen = request.selected("year")
        span = range(min(years), max(years) + 1)
        return [(str(y), years.get(y, 0), str(y) in chosen) for y in span]

    def suggest(
        self,
        snap: Snapshot,
        words: list[str],
        total: int,
        units: Units,
        relaxed: bool,
        deadline: vector.Deadline,
    ) -> str | None:
        """A respelling of the words the index does not know, from its own vocabulary
        (both languages), offered when it finds more than the query as typed.

        Inside the search's budget: at most :data:`RESPELT` unknown words are looked up,
        each once per generation (``snap.respellings``), and past the deadline there is
        no respelling (the caller's notice says the search was cut short)."""
        searcher = snap.searcher
        vocabulary = searcher.reader()
        changed = False
        out: list[str] = []
        looked_up = 0
        for word in words:
            key = word.lower()
            known = len(key) < 4 or _in_vocabulary(searcher, vocabulary, key)
            option = None
            if not known and looked_up < RESPELT:
                looked_up += 1
                if deadline.passed():
                    return None
                option = snap.respelling(key)
            if option:
                out.append(option)
                changed = True
            else:
                out.append(word)
        if not changed or deadline.passed():
            return None
        candidate = " ".join(out)
        parsed = queries.parse(candidate, searcher.schema, vocabulary)
        matched, _ = self._match(snap, parsed.query, deadline)
        if deadline.passed():
            return None  # what it would find is not known
        found = int(units.any(matched).sum())
        return candidate if found > total or (found and (total < FEW or relaxed)) else None

    # --- the export ----------------------------------------------------------------

    def export(
        self, request: SearchRequest, limit: int, deadline: vector.Deadline, snap: Snapshot
    ) -> tuple[int, Iterator[Hit]]:
        """How many units ``request`` finds, and the first ``limit`` of them in its order,
        for a CSV: one match and one ordering for the whole export, all within one
        ``deadline``, and none of the facets, timeline, snippets or respelling a page
        shows. The hits are read as they are taken and stop once the deadline has passed
        (``deadline.ran_out`` says so). Words no announcement has all of are not loosened
        into a search for some of them: an export lists what its query finds."""
        parsed, units, file_masks, _, matched, scores, final = self._matching(
            snap, request, deadline
        )
        total = int(final.sum())
        shown = _all(snap.columns.alive, file_masks.values())
        whole = request.replace(page=1, per_page=max(1, min(limit, total)))
        order = self._order(snap, parsed, whole, units, final, shown & matched, scores, deadline)
        prefer = "km" if has_khmer(request.q) else request.prefer

        def hits() -> Iterator[Hit]:
            for unit in order[:limit]:
                if deadline.passed():
                    return
                yield self._hit(snap, units, unit, shown, prefer, None)

        return total, hits()


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
