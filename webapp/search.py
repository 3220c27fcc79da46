"""The search service: one request in, one page of results out.

Both the web app and ``prakas search`` call :meth:`SearchService.search`; neither
touches Whoosh directly. The service only reads the index, and reopens it when the
indexer publishes a new generation, so a reindex needs no restart.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import query as Q
from whoosh.searching import Searcher

from indexer import store
from webapp import query as queries


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    lang: tuple[str, ...] = ()
    page: int = 1
    per_page: int = 10


@dataclass
class Hit:
    id: str
    lang: str
    slug: str
    title: str
    date: str
    ministers: list[str]
    provinces: list[str]


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    relaxed: bool = False
    suggestion: str | None = None
    took_ms: float = 0.0


FEW = 3  # fewer results than this, and a respelling that finds any is offered


def values(stored: str | None) -> list[str]:
    return [v for v in (stored or "").split("\n") if v]


class SearchService:
    """Holds the published index open; one instance per process, shared by threads."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._generation: Path | None = None
        self._searcher: Searcher | None = None

    def searcher(self) -> Searcher:
        """The searcher of the live generation, reopened when ``CURRENT`` moves."""
        gen = store.current_generation(self.index_dir)
        with self._lock:
            if self._searcher is None or gen != self._generation:
                ix, gen = store.open_index(self.index_dir)
                self._searcher = ix.searcher()
                self._generation = gen
            return self._searcher

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        searcher = self.searcher()
        parsed = queries.parse(request.q, searcher.schema)
        filter_q = Q.Or([Q.Term("lang", lang) for lang in request.lang]) if request.lang else None
        empty = not parsed.words and isinstance(parsed.query, Q.Every)
        kwargs = {"sortedby": "date", "reverse": True} if empty else {}
        page = searcher.search_page(
            parsed.query, request.page, pagelen=request.per_page, filter=filter_q, **kwargs
        )
        relaxed = False
        if page.total == 0 and not parsed.staff and len(parsed.words) > 1:
            page = searcher.search_page(
                queries.relaxed(parsed.words, searcher.schema),
                request.page,
                pagelen=request.per_page,
                filter=filter_q,
            )
            relaxed = page.total > 0
            if relaxed:
                parsed.notices.append(
                    "No announcement has all of your words; showing those with some of them."
                )
        suggestion = None
        if parsed.words and not parsed.staff:
            suggestion = self.suggest(searcher, parsed.words, page.total, filter_q, relaxed)
        hits = [
            Hit(
                id=hit["id"],
                lang=hit["lang"],
                slug=hit["slug"],
                title=hit["title"],
                date=hit["date"].date().isoformat(),
                ministers=values(hit.get("ministers")),
                provinces=values(hit.get("provinces")),
            )
            for hit in page
        ]
        return SearchResult(
            request=request,
            total=page.total,
            hits=hits,
            notices=parsed.notices,
            relaxed=relaxed,
            suggestion=suggestion,
            took_ms=(time.perf_counter() - started) * 1000,
        )

    def suggest(
        self, searcher: Searcher, words: list[str], total: int, filter_q, relaxed: bool = False
    ) -> str | None:
        """A respelling of the words the index does not know, from its own vocabulary
        (both languages), offered when it finds more than the query as typed."""
        corrector = searcher.corrector("body")
        vocabulary = searcher.reader()
        changed = False
        out: list[str] = []
        for word in words:
            key = word.lower()
            known = vocabulary.frequency("spell_body", key) > 0 or len(key) < 4
            if not known and (options := corrector.suggest(key, limit=3, maxdist=2)):
                out.append(options[0])
                changed = True
            else:
                out.append(word)
        if not changed:
            return None
        candidate = " ".join(out)
        better = searcher.search(
            queries.parse(candidate, searcher.schema).query, limit=1, filter=filter_q
        )
        found = better.estimated_length()
        return (
            candidate if found > total or (found and total < FEW) or (found and relaxed) else None
        )
