"""Completions for what is typed in the search box (``/api/suggest``): titles, officials,
provinces, places and organisations, in both scripts.

Not respellings ("did you mean", :mod:`webapp.search`): these are *completions* of a
prefix. Once per generation (lazily, in the snapshot's memo) every name the generation
holds — each entity facet's values, their labels in each language, the registry's other
spellings and abbreviations of organisations, and the titles of the newest
:data:`MAX_TITLES` files — is folded to a key (:func:`fold`: case, accents, Khmer
spelling variants and punctuation do not count) at the start of each of its words, and
the keys are sorted. A lookup is a bisection and a scan of at most :data:`MAX_SCAN`
keys, so it costs the same at 100,000 announcements as at 100 (docs/api.md). A
generation of more than :data:`SYNC_FILES` files reads its titles in a background
thread (seconds at 100,000 announcements); until they are in, the names answer alone.
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from indexer import khmer
from indexer.entities.registry import registry
from indexer.facets import ENTITY_FACETS

MAX_CHARS = 100  # of the typed text: what a lookup reads is bounded
KEY_CHARS = 40  # of a key: a title's 12 word starts are not 12 copies of its tail
MAX_SCAN = 2000  # keys read for one lookup, the most common prefix included
MAX_TITLES = 20_000  # titles of the newest files that are offered
LIMIT = 8  # completions in an answer
SYNC_FILES = 5_000  # up to this many files, titles are read by the first request
# entities before titles; a person who is a minister is offered as a minister
TITLE_RANK = max(f.suggest_rank for f in ENTITY_FACETS) + 1  # titles after every name
log = logging.getLogger(__name__)
_JOINED = re.compile(r"[.'’‘ʼ-]")  # M.P.T.C. is MPTC, Wi-Fi is WiFi
_NOT_KEY = re.compile(f"[^\\w\\s{khmer.SCRIPT}]|_")
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@dataclass(frozen=True, slots=True)
class Target:
    """What one completion leads to: a facet value, or a title's announcement."""

    kind: str  # "title" or an entity facet's name
    value: str  # the canonical value, or the title
    lang: str = ""  # a title's file: its language and slug
    slug: str = ""


# (label, kind, value, url): the answer's fields, ``url`` made by the caller
Link = Callable[[Target], str]


def fold(text: str) -> str:
    """The key of a text: Khmer normalised (:func:`indexer.khmer.normalise`), Latin
    accents dropped, case folded, dots, apostrophes and hyphens dropped, other
    punctuation and repeated spaces one space. (NFKD leaves Khmer as it is: no Khmer
    character has a decomposition.)"""
    text = _ACCENTS.sub("", unicodedata.normalize("NFKD", khmer.normalise(text)))
    return " ".join(_NOT_KEY.sub(" ", _JOINED.sub("", text)).casefold().split())


def _starts(text: str) -> Iterator[str]:
    """The keys of ``text``: from its start and from the start of each later word (a
    Khmer run's words as the segmenter finds them), at most :data:`KEY_CHARS` long."""
    folded = fold(text)
    cuts = {0, *(m.end() for m in re.finditer(" ", folded))}
    for start, end in khmer.runs(folded):
        cuts.update(p.start for p in khmer.words(folded, start, end))
    for cut in sorted(cuts):
        key = folded[cut : cut + KEY_CHARS]
        if key:
            yield key


Item = tuple[tuple[int, int], str, Target]  # rank, label, target: one per name or title
Entry = tuple[str, Item]  # a key and its item (shared by the item's keys)


class Table:
    """Sorted keys and what each leads to."""

    def __init__(self, entries: list[Entry]) -> None:
        entries.sort(key=lambda e: e[0])
        self.keys = [e[0] for e in entries]
        self.items = [item for _, item in entries]

    def scan(self, key: str) -> list[Item]:
        """The entries whose key starts with ``key``, at most :data:`MAX_SCAN`."""
        first = bisect.bisect_left(self.keys, key)
        end = min(first + MAX_SCAN, len(self.keys))
        last = bisect.bisect_left(self.keys, key + "\U0010ffff", first, end)
        return self.items[first:last]


class Completions:
    """One generation's names (few, all scanned) and titles (many, scanned within the
    bound), each a sorted :class:`Table`."""

    def __init__(self, names: list[Entry], titles: list[Entry] | None = None) -> None:
        self.names = Table(names)
        self.titles = Table(titles or [])
        self.ready = threading.Event()  # the titles are in
        if titles is not None:
            self.ready.set()
        self._lock = threading.Lock()
        self._started = False

    def fill(self, snap) -> None:
        """Read the titles in a background thread, once: a large generation's take
        seconds (stored fields, Khmer segmentation), and the box answers with the
        names meanwhile."""
        with self._lock:
            if self._started or self.ready.is_set():
                return
            self._started = True

        def work() -> None:
            try:
                self.titles = Table(title_entries(snap))
            except Exception:  # names only, for this generation
                log.exception("the titles of %s were not read for completions", snap.generation)
            finally:
                self.ready.set()

        threading.Thread(target=work, name="completions", daemon=True).start()

    def find(self, typed: str, limit: int = LIMIT) -> list[tuple[str, Target]]:
        """(label, target) of the best completions of ``typed``: names before titles,
        the most frequent names and the newest titles first, each target once."""
        key = fold(typed[:MAX_CHARS])[:KEY_CHARS]
        if not key:
            return []
        titles = self.titles  # one table, even if the thread replaces it meanwhile
        found = [
            *sorted(self.names.scan(key), key=_order),
            *sorted(titles.scan(key), key=_order),
        ]
        out: dict[Target, str] = {}
        for _, label, target in found:
            out.setdefault(target, label)
            if len(out) == limit:
                break
        return [(label, target) for target, label in out.items()]


def _order(entry: Item) -> tuple[tuple[int, int], str]:
    return entry[0], entry[1]


def build(snap) -> Completions:
    """The completions of one generation (a :class:`webapp.search.Snapshot`), at once."""
    return Completions(name_entries(snap), title_entries(snap))


def name_entries(snap) -> list[Entry]:
    """Each entity facet's values that some announcement names, by every spelling."""
    names: list[Entry] = []
    units = snap.columns.units["announcement"]
    # values a facet's list leaves out (its row's ``excludes``: a minister among the people)
    elsewhere = {f.name: set(snap.columns.values(f.excludes)) for f in ENTITY_FACETS if f.excludes}
    orgs = {o.name: o for o in registry().organisations}
    for facet in ENTITY_FACETS:
        pairs = units.pairs[facet.name]
        counts = np.bincount(pairs.value, minlength=len(pairs.values))
        for value, count in zip(pairs.values, counts.tolist(), strict=True):
            if not count or value in elsewhere.get(facet.name, ()):
                continue
            target = Target(facet.name, value)
            labels = snap.labels.get(facet.name, {}).get(value, {})
            km = labels.get("km")
            spellings = {value, *labels.values()}
            if facet.spelt_by == "organisation" and value in orgs:
                spellings.update(orgs[value].latin, orgs[value].km)
            for spelling in spellings:
                # the name as the script typed writes it
                label = (km or spelling) if khmer.has_khmer(spelling) else labels.get("en", value)
                if spelling != label and fold(spelling) not in fold(label):
                    label = f"{label} ({spelling})"  # an abbreviation: MPTC
                rank = (facet.suggest_rank, -count)
                item = (rank, label, target)
                names.extend((key, item) for key in _starts(spelling))
    return names


def title_entries(snap) -> list[Entry]:
    """The titles of the newest :data:`MAX_TITLES` files, newest first."""
    titles: list[Entry] = []
    for lang, slug, title, date in _titles(snap):
        target = Target("title", title, lang, slug)
        item = ((TITLE_RANK, -date), title, target)
        titles.extend((key, item) for key in _starts(title))
    return titles


def _titles(snap) -> Iterator[tuple[str, str, str, int]]:
    """(lang, slug, title, date) of the newest :data:`MAX_TITLES` files."""
    cols = snap.columns
    alive = np.flatnonzero(cols.alive)
    newest = alive[np.argsort(-cols.date[alive], kind="stable")][:MAX_TITLES]
    searcher = snap.searcher
    for docnum in newest.tolist():
        fields = searcher.stored_fields(docnum)
        title = fields.get("title")
        if title:
            yield fields.get("lang", ""), fields.get("slug", ""), title, int(cols.date[docnum])


def completions(snap, typed: str, link: Link) -> list[dict[str, str]]:
    """The answer of ``/api/suggest`` for ``typed`` in this generation."""
    index: Completions
    if snap.columns.n <= SYNC_FILES:
        index = snap.memo.get("completions", lambda: build(snap))
    else:
        index = snap.memo.get("completions", lambda: Completions(name_entries(snap)))
        index.fill(snap)
    return [
        {"label": label, "kind": target.kind, "value": target.value, "url": link(target)}
        for label, target in index.find(typed)
    ]
