"""The search service: one request in, one page of results with facets out.

The pages, the JSON and the Atom feed (:mod:`webapp.views`, :mod:`webapp.api`) and
``prakas search`` call :meth:`SearchService.search`, the CSV export
:meth:`SearchService.export`; each reads one pinned :class:`Snapshot` (a generation's
searcher, columns and caches), so nothing in a request sees two generations. The
service only reads the index, and moves to a new generation when the indexer
publishes one, so a reindex needs no restart and a request in flight keeps the
snapshot it started with.

Matching and ranking are the one evaluator's (:mod:`webapp.vector`: leaves per file,
logic per announcement); filtering, facet counts and date ordering are numpy over the
generation's columns (:mod:`webapp.facets`). The facets are shaped here, once, by their
rows (what a list leaves out or narrows, the count limit, the timeline's bars), into
the one :class:`SearchResult` every view renders as it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import logging
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import numpy as np
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from whoosh import query as Q
from whoosh.searching import Searcher

from indexer import caches, postings, store, whoosh_compat
from indexer.config import Settings
from indexer.documents import LANGUAGES, version_id
from indexer.facets import ENTITY_FACETS, Facet
from indexer.khmer import has_khmer
from indexer.places import gazetteer
from webapp import cache, metrics, respell, vector
from webapp import query as queries
from webapp.facets import BY_NAME, KINDS, TIMELINE, Columns, DateFacet, FacetValue, Units
from webapp.querylog import QueryLog
from webapp.snippets import snippet, wanted

_log = logging.getLogger(__name__)

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
FACET_LIMIT = 12  # values of a facet shown unless the request asks for all of them

Selections = tuple[tuple[str, tuple[str, ...]], ...]


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
    exact: bool = False  # the words as typed: no respelling (``&exact=1``)

    def replace(self, **changes: object) -> SearchRequest:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def selected(self, facet: str) -> tuple[str, ...]:
        return dict(self.filters).get(facet, ())

    def with_selected(self, facet: str, values: tuple[str, ...]) -> SearchRequest:
        """The same search with ``facet``'s values replaced (page back to 1)."""
        chosen = dict(self.filters)
        chosen[facet] = values
        if len(values) != 1:  # a month belongs to one year: a change of year drops it
            for kind in KINDS:
                if kind.facet.within == facet:
                    chosen.pop(kind.name, None)
        return self.replace(filters=selections(chosen), page=1)

    def cleared(self) -> SearchRequest:
        return self.replace(filters=(), date_from=None, date_to=None, page=1)


def _listed(
    facet: Facet, counted: list[FacetValue], cols: Columns, chosen: dict[str, tuple[str, ...]]
) -> list[FacetValue]:
    """A facet's values as every view lists them: without the values of the facet it
    ``excludes`` (a minister is listed under Minister only), narrowed to the chosen
    values of the facet it is ``nested_in`` (the gazetteer's province → district →
    commune); a selected value always stays."""
    if facet.excludes:
        elsewhere = set(cols.values(facet.excludes))
        counted = [v for v in counted if v.value not in elsewhere or v.selected]
    if facet.nested_in and chosen.get(facet.nested_in):
        outer, own = set(chosen[facet.nested_in]), set(chosen.get(facet.name, ()))
        inside = set(gazetteer().narrowed([v.value for v in counted], outer, own))
        counted = [v for v in counted if v.value in inside or v.selected]
    return counted


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
    untranslated: tuple[str, ...] = ()  # versions whose text is another language's

    @classmethod
    def of(
        cls,
        fields: dict,
        languages: Iterable[str],
        snippet: Markup,
        untranslated: tuple[str, ...],
        **more: str,
    ) -> Self:
        """A version as its stored ``fields`` show it, beside the ids of the versions in
        ``languages`` (every version of its announcement)."""
        slug = fields["slug"]
        return cls(
            id=fields["id"],
            lang=fields["lang"],
            slug=slug,
            title=fields["title"],
            date=fields["date"].date().isoformat(),
            snippet=snippet,
            values={f.name: values(fields.get(f.field)) for f in ENTITY_FACETS},
            versions={lang: version_id(lang, slug) for lang in sorted(languages)},
            untranslated=untranslated,
            **more,
        )

    @property
    def others(self) -> list[str]:
        """The languages of the other translations, offered beside the one shown (a
        version whose text is in another language is no translation)."""
        return [lang for lang in self.versions if lang not in (self.lang, *self.untranslated)]


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
    timeline_by: str = TIMELINE[0].name  # the date facet whose values the bars are
    notices: list[str] = field(default_factory=list)
    relaxed: bool = False
    suggestion: str | None = None  # a respelling: shown (``respelled_from`` set) or offered
    respelled_from: str | None = None  # the query as typed, when the hits are the respelling's
    pages: int = 1
    generation: str = ""
    took_ms: float = 0.0
    complete: bool = True  # False: cut short by the time budget, not the generation's answer
    # facet → value → {language: spelling}: how the pages write values (``Snapshot.label``)
    labels: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)


@dataclass
class Matching:
    """A query's match over one generation, before a page is cut from it: what a page
    and an export share (:meth:`SearchService._matching`, :meth:`SearchService._read`)."""

    parsed: queries.Parsed
    units: Units
    file_masks: dict[str, np.ndarray]  # filters that pick versions
    unit_masks: dict[str, np.ndarray]  # filters that pick announcements
    matched: np.ndarray  # files of the units the query matches
    scores: np.ndarray
    final: np.ndarray  # the units found: matched and filtered
    relaxed: bool = False  # any of the words, as no unit had them all
    suggestion: str | None = None  # a respelling, shown or offered
    respelled_from: str | None = None  # the words as typed, when the respelling is shown


UNKNOWN_KEPT = 4096  # texts whose unknown words a generation remembers (Snapshot.unknown)
caches.note(
    "webapp.search.Snapshot.unknown",
    f"{UNKNOWN_KEPT:,} texts per generation (then no more are added)",
    "whether a text has a word to respell, asked twice a search and for the same texts",
)


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
        self.recency = vector.recency(self.columns.date, self.columns.alive)
        self.memo = cache.Memo()
        self.documents = cache.Documents()
        respell.prepare()  # process-wide, built by the first generation a process opens
        self._unknown: dict[str, bool] = {}  # text → :meth:`unknown`

    def evaluator(self, deadline: vector.Deadline | None = None) -> vector.Evaluator:
        """The one evaluator of a query over this generation (:class:`vector.Evaluator`)."""
        return vector.Evaluator(
            self.searcher, self.lengths, self.columns.alive, self.postings, deadline
        )

    def vocabulary(self) -> respell.Vocabulary:
        """What respellings are drawn from (:func:`respell.vocabulary`): built by the
        first search of this generation that needs one, then shared."""

        def build() -> respell.Vocabulary:
            field = self.searcher.schema["words"]
            counts: Counter[str] = Counter()
            # segment by segment: a merged reader's iter_field looks each term up in
            # every segment (seconds at 10,000 announcements)
            for leaf, _ in whoosh_compat.leaf_readers(self.searcher):
                for t, info in leaf.iter_field("words"):
                    counts[field.from_bytes(t)] += info.doc_frequency()
            terms = counts.items()
            names = [
                spelling
                for f in ENTITY_FACETS
                for value in self.columns.values(f.name)
                for spelling in (value, *self.labels.get(f.name, {}).get(value, {}).values())
            ]
            return respell.vocabulary(terms, names)

        return self.memo.get("respell", build)

    def unknown(self, text: str) -> bool:
        """Whether ``text`` has a word a respelling would look up (index look-ups only);
        asked twice a search (to open the vocabulary, then to respell), and the same
        words come again and again: kept for the generation's lifetime, bounded."""
        found = self._unknown.get(text)
        if found is None:
            searcher = self.searcher
            reader = searcher.reader()
            words = text.split()
            found = bool(respell.unknown(words, lambda w: _in_vocabulary(searcher, reader, w)))
            if len(self._unknown) < UNKNOWN_KEPT:  # a dict's item set is atomic
                self._unknown[text] = found
        return found

    def untranslated(self, files: dict[str, int]) -> tuple[str, ...]:
        """Of an announcement's versions (language → file), those written in another
        language."""
        return tuple(lang for lang, f in files.items() if self.columns.untranslated[f])

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

    def __init__(
        self, index_dir: Path, result_cache: int | None = None, query_log: QueryLog | None = None
    ) -> None:
        self.index_dir = index_dir
        self.query_log = query_log  # the web app's: what people could not find
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._bad: Path | None = None  # a generation that failed to open, not retried
        self.damaged: str | None = None  # why the live generation is not the one served
        self._retired: list[weakref.ref[Snapshot]] = []  # replaced, maybe still in use
        self.settled = False  # what the process holds is frozen out of the collector
        size = Settings().result_cache if result_cache is None else result_cache
        self.results = cache.ResultCache(size)  # whole results, per generation
        self.clock: Callable[[], float] = time.monotonic  # of every Deadline; tests set it

    def warm(self) -> None:
        """Open the live generation and build what its first searches would otherwise
        build (the respellings' vocabulary): a web worker does this as it starts, and
        the benchmark measures the service so warmed."""
        self.snapshot().vocabulary()

    def settle(self) -> None:
        """Freeze what the process holds now out of the cyclic garbage collector
        (``gc.freeze``): a web worker calls this once it has started and warmed.

        A worker's generation (its columns, word sets, the respellings' vocabulary: some
        80,000 containers at 100,000 announcements) lives as long as the worker; left to
        the collector, every full collection walks all of it, 30–40 ms that land in the
        middle of some request (they were the first pass's p99 in ``bench.run``).
        Frozen, a full collection walks only what requests made. :meth:`refresh` thaws
        before it lets a replaced generation go, and freezes the new one."""
        gc.collect()
        gc.freeze()
        self.settled = True

    def snapshot(self) -> Snapshot:
        """The live generation, reopened when ``CURRENT`` has moved. The old searcher is
        not closed here: a request still using it finishes on it, and its files stay
        readable after the indexer removes them (POSIX keeps open files).

        A generation that fails its checks or cannot be opened (:class:`store.Damaged`)
        is tried once: the last good one stays in service (``damaged`` says why), or,
        with none open yet, :class:`store.Damaged` is raised (a 503)."""
        gen = store.current_generation(self.index_dir)
        current = self._snapshot
        if current is not None and gen is not None and gen in (current.generation, self._bad):
            return current
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != gen:
                if gen is not None and gen == self._bad and self._snapshot is not None:
                    return self._snapshot
                try:
                    ix, gen = store.open_index(self.index_dir)
                    if self._snapshot is not None:  # let go by refresh once unused
                        self._retired.append(weakref.ref(self._snapshot))
                    self._snapshot = Snapshot(ix, gen)
                    self._bad, self.damaged = None, None
                except store.Damaged as exc:
                    self._damaged(gen, str(exc))
                except store.IndexMissing:
                    raise
                except Exception as exc:  # Whoosh reading a broken segment or column
                    self._damaged(gen, f"{gen.name if gen else '?'}: {type(exc).__name__}: {exc}")
            assert self._snapshot is not None  # _damaged raised otherwise
            return self._snapshot

    def refresh(self) -> bool:
        """Move to the live generation if ``CURRENT`` has moved (True), and let old ones
        go: a generation's searchers and memory maps close once no request holds its
        snapshot (a request in flight keeps its own reference and finishes on it).
        :meth:`watch` calls this in an idle worker, so a generation the indexer deleted
        is not kept open until the next visit."""
        old = self._snapshot
        try:
            moved = self.snapshot() is not old
        except store.IndexMissing:
            return False
        del old
        if self._retired:
            # A snapshot dies when its last request ends, but its Whoosh readers hold
            # reference cycles, and an idle worker allocates nothing that would start a
            # collection: collect until every replaced snapshot has gone. A settled
            # worker warms the new generation first, then thaws (a frozen snapshot
            # would never go, files and maps open), collects and freezes again.
            if self.settled:
                self.warm()
                gc.unfreeze()
            gc.collect()
            self._retired = [ref for ref in self._retired if ref() is not None]
            if self.settled:
                gc.freeze()
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
                    _log.exception("checking for a new index generation")
                del service

        thread = threading.Thread(target=loop, name="prakas-generations", daemon=True)
        thread.start()
        return thread

    def _damaged(self, gen: Path | None, why: str) -> None:
        """Note a generation that cannot serve; raise unless an older one still can."""
        if self._bad != gen:
            _log.error("index generation not opened: %s", why)
        self._bad, self.damaged = gen, why
        if self._snapshot is None:
            raise store.Damaged(why)

    def searcher(self) -> Searcher:
        return self.snapshot().searcher

    def facet_values(self, facet: str) -> list[str]:
        return self.snapshot().columns.values(facet)

    def article(self, lang: str, slug: str, snap: Snapshot | None = None) -> Article | None:
        """One version of an announcement, and which other versions it has, from ``snap``
        (the generation the page pinned; the live one if None)."""
        snap = snap or self.snapshot()
        searcher, cols = snap.searcher, snap.columns
        docnum = searcher.document_number(id=version_id(lang, slug))
        if docnum is None:
            return None
        units = cols.units["announcement"]
        files = {
            LANGUAGES[cols.lang[f]]: f for f in units.files(int(units.of[docnum])) if cols.alive[f]
        }
        fields = searcher.stored_fields(docnum)
        return Article.of(
            fields,
            files,
            Markup(""),
            snap.untranslated(files),
            author=fields.get("author") or "",
            description=fields.get("description") or "",
            body_markdown=fields.get("body_markdown") or "",
            image=fields.get("image") or "",
        )

    # --- the search ----------------------------------------------------------------

    def search(self, request: SearchRequest, snap: Snapshot | None = None) -> SearchResult:
        """The answer to ``request`` from ``snap`` (the live generation if None): a
        caller that pins one, as a page does, gets every part of it from that one."""
        snap = snap or self.snapshot()
        if request.q and not request.exact and snap.unknown(queries.clean(request.q)):
            snap.vocabulary()  # a respelling's: part of opening the generation, like it
        # the budget starts once the generation is open: the first request after a
        # publication must not spend it opening
        started = time.perf_counter()
        deadline = vector.Deadline(queries.TIME_BUDGET_S, self.clock)
        answers = f"{snap.generation.name}+{queries.version()}"  # what a cached answer is of
        if (hit := self.results.get(answers, request)) is not None:
            hit.took_ms = (time.perf_counter() - started) * 1000
            self._unanswered(hit)
            return hit
        cols = snap.columns
        evaluator = snap.evaluator(deadline)
        m = self._matching(snap, request, evaluator)
        self._read(snap, request, evaluator, m, deadline)
        parsed, units, file_masks, unit_masks = m.parsed, m.units, m.file_masks, m.unit_masks
        matched, scores, final, relaxed = m.matched, m.scores, m.final, m.relaxed
        suggestion, respelled_from = m.suggestion, m.respelled_from
        total = int(final.sum())
        pages = max(1, -(-total // request.per_page))
        if request.page > pages:
            raise PageOutOfRange(request.page, pages)
        order = self._order(snap, parsed, request, units, final, matched, scores)
        # the files that may stand for a unit: alive, and of the languages asked for
        shown = _all(cols.alive, file_masks.values())
        want = wanted(parsed.query, parsed.names) if parsed.words else None
        prefer = "km" if has_khmer(request.q) else request.prefer
        hits = [self._hit(snap, units, u, shown, prefer, want) for u in order]

        if isinstance(parsed.query, Q.Every) and not file_masks and not unit_masks:
            # the landing page's counts: the same for every such request of a generation
            facets = snap.memo.get(
                ("facets", request.unit, frozenset(request.more)),
                lambda: self._facets(request, cols, units, matched, final, file_masks, unit_masks),
            )
        else:
            facets = self._facets(request, cols, units, matched, final, file_masks, unit_masks)
        result = SearchResult(
            request=request,
            total=total,
            hits=hits,
            facets=facets,
            timeline=self._timeline(request, facets, units, final),
            timeline_by=self._timeline_by(request, facets).name,
            notices=parsed.notices,
            relaxed=relaxed,
            suggestion=suggestion,
            respelled_from=respelled_from,
            pages=pages,
            generation=snap.generation.name,
            labels=snap.labels,
        )
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
            self.results.put(answers, request, result)
        else:
            metrics.count_cut_short()
        self._unanswered(result)
        return result

    def _unanswered(self, result: SearchResult) -> None:
        """A search whose words found nothing as typed, once (on its first page), to
        the query log when there is one."""
        shown = result.suggestion if result.respelled_from is not None else None
        self._log_unanswered(result.request, result.total, shown)

    def _log_unanswered(self, req: SearchRequest, total: int, respelled: str | None) -> None:
        if self.query_log is None or req.page != 1 or not req.q.strip():
            return
        if total == 0 or respelled is not None:
            self.query_log.record(req.q, total, respelled)

    def _read(
        self,
        snap: Snapshot,
        request: SearchRequest,
        evaluator: vector.Evaluator,
        m: Matching,
        deadline: vector.Deadline,
    ) -> None:
        """How the words are read when they find nothing as typed: any of the words
        (relaxed), and a respelling shown or offered (:mod:`webapp.respell`); ``m`` is
        changed to what is shown. The same for a page and an export, so both list the
        same announcements."""
        searcher = snap.searcher
        parsed, units, matched, scores, final = m.parsed, m.units, m.matched, m.scores, m.final
        file_masks, unit_masks = m.file_masks, m.unit_masks
        relaxed = False
        if not final.any() and not parsed.staff and len(parsed.words) > 1:
            loose = queries.relaxed(parsed.words, searcher.schema)
            loose_matched, loose_scores = evaluator.run(loose, units)
            loose_final = self._final(loose_matched, file_masks, unit_masks, units)
            if loose_final.any():
                parsed.query, matched, final, relaxed = loose, loose_matched, loose_final, True
                scores = loose_scores
                parsed.notices.append(
                    _l("No announcement has all of your words; showing those with some of them.")
                )
        suggestion = respelled_from = None
        if parsed.words and not parsed.staff and not request.exact and not deadline.over():
            suggestion = self.suggest(snap, parsed.words, deadline)
        if suggestion is not None:  # counted as the words were: same generation, filters
            alt = queries.parse(suggestion, searcher.schema, searcher.reader())
            cut = deadline.ran_out
            alt_matched, alt_scores = evaluator.run(alt.query, units)
            alt_final = self._final(alt_matched, file_masks, unit_masks, units)
            verdict = respell.verdict(int(final.sum()), relaxed, int(alt_final.sum()))
            if deadline.ran_out and not cut:  # the respelling ran out of time, not the
                deadline.ran_out, verdict = False, None  # search: the words' results stand
            if verdict == "show":  # the typed words' notices, but "some of your words"
                alt.notices[:0] = parsed.notices[:-1] if relaxed else parsed.notices
                parsed, matched, scores, final = alt, alt_matched, alt_scores, alt_final
                relaxed, respelled_from = False, request.q
            elif verdict != "offer":
                suggestion = None
        m.parsed, m.matched, m.scores, m.final, m.relaxed = parsed, matched, scores, final, relaxed
        m.suggestion, m.respelled_from = suggestion, respelled_from

    def _matching(
        self, snap: Snapshot, request: SearchRequest, evaluator: vector.Evaluator
    ) -> Matching:
        """The query as parsed, the units counted, the filters' masks, the match set
        (with its scores) and the units found: what a page and an export share."""
        searcher, cols = snap.searcher, snap.columns
        units = cols.units[request.unit]
        parsed = queries.parse(request.q, searcher.schema, searcher.reader())
        file_masks, unit_masks = self._filter_masks(request, cols, units)
        matched, scores = evaluator.run(parsed.query, units)
        final = self._final(matched, file_masks, unit_masks, units)
        return Matching(parsed, units, file_masks, unit_masks, matched, scores, final)

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

    def _order(self, snap, parsed, request, units: Units, final, matched, scores) -> list[int]:
        """The units of the page, best first: by date (along the generation's date
        order), or by score, ties newest first; a unit ranks as its best file."""
        start = (request.page - 1) * request.per_page
        if not final.any():
            return []
        want = start + request.per_page
        by_date = request.sort in ("newest", "oldest") or not parsed.words
        if by_date:
            dates = snap.dates[request.unit]
            return dates.page(final, request.sort == "oldest", start, request.per_page)
        files = np.flatnonzero(matched & units.spread(final))
        # a unit has at most ``widest`` files: the best want×widest files hold the
        # best ``want`` units
        ranked = scores.copy()
        ranked[files] *= snap.recency[files]  # newer ranks a little higher (docs/api.md)
        best = vector.top(ranked, files, want * units.widest, snap.columns.date).tolist()
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
        return Hit.of(fields, versions, marked, snap.untranslated(versions))

    @staticmethod
    def _facets(
        request: SearchRequest, cols: Columns, units: Units, matched, final, file_masks, unit_masks
    ) -> dict[str, list[FacetValue]]:
        """Disjunctive counts of every facet the search offers."""
        chosen = dict(request.filters)
        # the units found before the unit filters: with none, the units found
        matched_units = units.any(_all(matched, file_masks.values())) if unit_masks else final
        out: dict[str, list[FacetValue]] = {}
        for kind in KINDS:
            if not kind.shown(chosen):
                continue
            others = (m for k, m in unit_masks.items() if k != kind.name)
            selected = chosen.get(kind.name, ())
            if kind.files:
                files = _all(matched, (m for k, m in file_masks.items() if k != kind.name))
                base = files & units.spread(_all(units.any(files), others))
            else:
                base = _all(matched_units, others)
            counted = _listed(kind.facet, kind.count(cols, units, base, selected), cols, chosen)
            if kind.name not in request.more and len(counted) > FACET_LIMIT:
                counted = counted[:FACET_LIMIT] + [v for v in counted[FACET_LIMIT:] if v.selected]
            out[kind.name] = counted
        return out

    @staticmethod
    def _final(matched, file_masks, unit_masks, units: Units) -> np.ndarray:
        """The units the search finds: the query matches the unit (all its versions
        together), one of its files passes the file filters (``lang=km``: it has a
        Khmer version, which is the one shown), and the unit passes the unit filters."""
        return _all(units.any(_all(matched, file_masks.values())), unit_masks.values())

    @staticmethod
    def _timeline_by(request: SearchRequest, facets: dict[str, list[FacetValue]]) -> DateFacet:
        """The facet the timeline draws: a subdivision (months) when it is offered (one
        year chosen), or when the date range lies within one value of what it
        subdivides; else the root (years)."""
        for kind in reversed(TIMELINE[1:]):
            if kind.name in facets:
                return kind
            root = kind.facet.within
            ranged = not request.selected(root) and (request.date_from or request.date_to)
            if ranged and len([v for v in facets.get(root, []) if v.count]) == 1:
                return kind
        return TIMELINE[0]

    def _timeline(
        self, request: SearchRequest, facets: dict[str, list[FacetValue]], units: Units, final
    ) -> list[tuple[str, int, bool]]:
        """The bars of the timeline, with their gaps filled: every month of the one
        chosen year (or of a date range within one year, from its first month to its
        last: counted here, as no month facet is offered), else every year from the
        first to the last."""
        kind = self._timeline_by(request, facets)
        chosen = request.selected(kind.name)
        if kind.name in facets:
            counted = {int(v.value): v.count for v in facets[kind.name]}
            low, high = (
                kind.facet.bounds
                if kind.facet.within
                else (min(counted, default=0), max(counted, default=-1))
            )
            return [(str(v), counted.get(v, 0), str(v) in chosen) for v in range(low, high + 1)]
        if not kind.facet.within:
            return []
        root = BY_NAME[kind.facet.within].facet
        value = int(next(v.value for v in facets[root.name] if v.count))
        counted = kind.counts(units, final)
        part, (low, high) = kind.facet.part, kind.facet.bounds
        assert part is not None and root.part is not None
        start, end = request.date_from, request.date_to
        first = part(start) if start and root.part(start) == value else low
        last = part(end) if end and root.part(end) == value else high
        return [(str(v), counted.get(v, 0), False) for v in range(first, last + 1)]

    def suggest(
        self, snap: Snapshot, words: list[str], deadline: vector.Deadline | None = None
    ) -> str | None:
        """The words with each one the index does not know respelt from ``snap``'s
        vocabulary (:mod:`webapp.respell`), or None; past ``deadline``, None."""
        if not snap.unknown(" ".join(words)):
            return None
        searcher = snap.searcher
        reader = searcher.reader()
        return respell.respell(
            words, snap.vocabulary(), lambda w: _in_vocabulary(searcher, reader, w), deadline
        )

    # --- the export ----------------------------------------------------------------

    def export(
        self, request: SearchRequest, limit: int, deadline: vector.Deadline, snap: Snapshot
    ) -> tuple[int, Iterator[Hit]]:
        """How many units ``request`` finds, and the first ``limit`` of them in its order,
        for a CSV: one match and one ordering for the whole export, all within one
        ``deadline``, and none of the facets, timeline or snippets a page shows; the
        words read as the page reads them (:meth:`_read`), so the rows are the page's
        results. The hits are read as they are taken and stop once the deadline has
        passed (``deadline.ran_out`` says so)."""
        evaluator = snap.evaluator(deadline)
        m = self._matching(snap, request, evaluator)
        self._read(snap, request, evaluator, m, deadline)
        parsed, units, file_masks, matched, scores, final = (
            m.parsed,
            m.units,
            m.file_masks,
            m.matched,
            m.scores,
            m.final,
        )
        total = int(final.sum())
        self._log_unanswered(request, total, m.suggestion if m.respelled_from else None)
        shown = _all(snap.columns.alive, file_masks.values())
        whole = request.replace(page=1, per_page=max(1, min(limit, total)))
        order = self._order(snap, parsed, whole, units, final, matched, scores)
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
    return [
        offset for reader, offset in whoosh_compat.leaf_readers(searcher) if reader.doc_count_all()
    ]


def _all(first: np.ndarray, masks) -> np.ndarray:
    out = first.copy()
    for m in masks:
        out &= m
    return out


def _first(text: str, size: int = 260) -> str:
    return text if len(text) <= size else text[:size].rsplit(" ", 1)[0] + "…"
