"""Per-generation caches in the web worker: whole results, the landing page's counts,
the stored fields of documents shown lately.

A public search box gets the same few searches over and over (the landing page, a
handful of words), and within one index generation the answer to a request never
changes. :class:`ResultCache` keeps the last results in a small LRU keyed by the
request itself (:class:`webapp.search.SearchRequest` is frozen: the URL parameters,
already validated and put in canonical form by :mod:`webapp.params`), and forgets
everything when the generation changes, so a reindex is seen at the next request.

The cache holds finished :class:`~webapp.search.SearchResult` objects; a hit is a
copy with lists of its own (hits, facets, notices, timeline) and its own ``took_ms``,
so a caller that appends a notice changes nobody else's page.
Above it, :class:`Pages` keeps the rendered HTML of the last pages by their ETag: on
a public box's traffic the template costs more than a cached search. Both are bounded
by settings: ``PRAKAS_RESULT_CACHE`` (entries; 0 turns both off, so the benchmark can
measure the service with and without them) and ``PRAKAS_PAGE_CACHE_BYTES`` (bytes).
HTTP caching (ETag, 304) is the pages' business, not this module's.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from indexer import caches

if TYPE_CHECKING:
    from webapp.search import SearchRequest, SearchResult

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class PerGeneration(Generic[K, V]):
    """The last ``size`` values of one index generation, least recently used out first;
    a new generation empties it, so what a reindex changed is seen at the next request."""

    LARGEST = 1  # a value costing more than size / LARGEST is not kept

    def __init__(self, size: int) -> None:
        self.size = size
        self._generation = ""
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.used = 0  # the cost of what is kept (entries, or bytes for :class:`Pages`)
        self.hits = 0
        self.misses = 0

    def _same(self, generation: str) -> None:  # under the lock
        if generation != self._generation:
            self._items.clear()
            self.used = 0
            self._generation = generation

    def get(self, generation: str, key: K) -> V | None:
        if self.size <= 0:
            return None
        with self._lock:
            self._same(generation)
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
        return value

    def put(self, generation: str, key: K, value: V) -> None:
        cost = self.cost(value)
        if self.size <= 0 or cost > self.size // self.LARGEST:
            return  # one huge value would push out everything else: not kept
        with self._lock:
            self._same(generation)
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= self.cost(old)
            self._items[key] = value
            self.used += cost
            while self.used > self.size:
                _, dropped = self._items.popitem(last=False)
                self.used -= self.cost(dropped)

    def cost(self, value: V) -> int:
        """What ``value`` counts against ``size``: one entry, unless a subclass weighs it."""
        return 1

    def __len__(self) -> int:
        return len(self._items)


class ResultCache(PerGeneration["SearchRequest", "SearchResult"]):
    """Finished results keyed by the request; each caller gets a copy of its own."""

    def get(self, generation: str, key: SearchRequest) -> SearchResult | None:
        result = super().get(generation, key)
        return None if result is None else _copy(result)

    def put(self, generation: str, key: SearchRequest, value: SearchResult) -> None:
        super().put(generation, key, _copy(value))


caches.note(
    "webapp.cache.ResultCache",
    "`PRAKAS_RESULT_CACHE` results (512) a worker, one generation's",
    "a public box gets the same few searches over and over",
)


class Pages(PerGeneration[str, str]):
    """Rendered pages keyed by their ETag (generation, interface language, URL, public
    address, build: everything a page is made from), so a repeat of a popular search
    costs neither the search nor the template. Strings are immutable: no copies.

    ``size`` is in bytes (``PRAKAS_PAGE_CACHE_BYTES``), not pages: the pages of one long
    announcement, one per URL that reaches it, must not grow a worker without bound, and
    a page larger than an eighth of the budget is not kept at all."""

    LARGEST = 8

    def cost(self, value: str) -> int:
        return sys.getsizeof(value)  # what the string takes in memory, not its length


caches.note(
    "webapp.cache.Pages",
    "`PRAKAS_PAGE_CACHE_BYTES` (32 MiB) a worker, one generation's",
    "a popular page costs neither its search nor its template again",
)


def _copy(result: SearchResult) -> SearchResult:
    return dataclasses.replace(
        result,
        hits=list(result.hits),
        facets={k: list(v) for k, v in result.facets.items()},
        notices=list(result.notices),
        timeline=list(result.timeline),
    )


class Memo:
    """Values of one generation that no request changes (the landing page's facet
    counts), computed by the first request that needs them. Belongs to a snapshot,
    so it goes with its generation."""

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def __contains__(self, key: Hashable) -> bool:
        """Whether the value is computed already (a warmed generation's vocabulary)."""
        return key in self._values

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        value = self._values.get(key)
        if value is None:
            value = compute()
            with self._lock:
                value = self._values.setdefault(key, value)
        return value


caches.note(
    "webapp.cache.Memo",
    "a value per key: the landing page's counts per unit and set of `more` facets (at most "
    "2 × 2⁹), the respelling vocabulary, the completions, the related lists",
    "what no request of a generation changes, computed by the first that needs it",
)


class Documents:
    """Stored fields of the documents shown lately, decompressed once: a result page
    reads ten, and the same announcements top many searches. Whoosh unpickles and
    inflates a document's stored fields (body and Markdown) on every read, as tantivy
    decompresses store blocks — and tantivy keeps a cache of them too. Per generation."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: OrderedDict[int, dict] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, docnum: int, read) -> dict:
        with self._lock:
            fields = self._items.get(docnum)
            if fields is not None:
                self._items.move_to_end(docnum)
                return fields
        fields = read(docnum)
        with self._lock:
            self._items[docnum] = fields
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return fields


caches.note(
    "webapp.cache.Documents",
    "2,048 documents a generation",
    "Whoosh unpickles and inflates stored fields on every read; results repeat",
)
