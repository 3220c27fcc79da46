"""The search service: one query in, one page of results out.

Both the web app and ``prakas search`` call :meth:`SearchService.search`; neither
touches Whoosh directly. The service only reads the index. It reopens the index when
the indexer publishes a new generation, so a reindex needs no restart.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import qparser
from whoosh import query as Q
from whoosh.searching import Searcher

from indexer import store

TEXT_FIELDS = ("title", "description", "body", "entities_text", "title_kc", "body_kc")
MAX_QUERY_CHARS = 500


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
    took_ms: float = 0.0


def _values(stored: str | None) -> list[str]:
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

    def parse(self, text: str, schema) -> Q.Query:
        parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema, group=qparser.AndGroup)
        return parser.parse(text[:MAX_QUERY_CHARS])

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        searcher = self.searcher()
        query: Q.Query = self.parse(request.q, searcher.schema) if request.q.strip() else Q.Every()
        filter_q = Q.Or([Q.Term("lang", lang) for lang in request.lang]) if request.lang else None
        page = searcher.search_page(
            query,
            request.page,
            pagelen=request.per_page,
            filter=filter_q,
            sortedby=None if request.q.strip() else "date",
            reverse=not request.q.strip(),
        )
        hits = [
            Hit(
                id=hit["id"],
                lang=hit["lang"],
                slug=hit["slug"],
                title=hit["title"],
                date=hit["date"].date().isoformat(),
                ministers=_values(hit.get("ministers")),
                provinces=_values(hit.get("provinces")),
            )
            for hit in page
        ]
        return SearchResult(
            request=request,
            total=page.total,
            hits=hits,
            took_ms=(time.perf_counter() - started) * 1000,
        )
