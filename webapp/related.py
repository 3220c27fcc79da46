"""Related announcements for an announcement's page: about five, by what they share.

A candidate scores the inverse document frequency of every entity value (person,
minister, province, place, organisation) it shares with the announcement, so sharing a
rare commune or a project's organiser counts more than sharing the ministry everyone
names, plus a bonus for a similar title among the announcements a search for the
title's words joined by OR finds first (BM25F, like any search). Ties go to the nearer
date, then to the announcement's id. Counted on the generation's numpy columns (one
pass over each facet's pairs per shared value) and one bounded search; the last
:data:`KEPT` lists are kept per generation, so a page costs it once per announcement.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from indexer import caches
from indexer.analysis import STOP_WORDS
from indexer.documents import LANGUAGES, version_id
from indexer.facets import ENTITY_FACETS
from webapp.cache import PerGeneration
from webapp.search import SearchRequest, SearchService, Snapshot

LIMIT = 5
TEXT_CANDIDATES = 20  # the text search's results that may earn a bonus
TEXT_WORDS = 12  # title words searched
TEXT_WEIGHT = 2.0  # the bonus of an identical title
KEPT = 4096  # announcements whose related list a generation keeps (least recently used out)
caches.note(
    "webapp.related.related",
    f"{KEPT:,} lists a generation (in its memo)",
    "an article's related announcements are computed from every column",
)


@dataclass(frozen=True)
class Related:
    lang: str
    slug: str
    title: str
    date: str
    shared: tuple[tuple[str, str], ...]  # (facet, value) in common, rarest first


def related(service: SearchService, snap: Snapshot, lang: str, slug: str) -> list[Related]:
    """The announcements related to ``lang/slug``'s, best first, shown in ``lang`` where
    they have that version."""
    docnum = snap.searcher.document_number(id=version_id(lang, slug))
    if docnum is None:
        return []
    unit = int(snap.columns.units["announcement"].of[docnum])
    kept: PerGeneration[tuple[int, str], list[Related]] = snap.memo.get(
        "related", lambda: PerGeneration(KEPT)
    )
    generation = snap.generation.name
    found = kept.get(generation, (unit, lang))
    if found is None:
        found = _compute(service, snap, unit, lang)
        kept.put(generation, (unit, lang), found)
    return found


def _compute(service: SearchService, snap: Snapshot, unit: int, lang: str) -> list[Related]:
    cols = snap.columns
    units = cols.units["announcement"]
    alive = units.any(cols.alive)
    live = max(int(alive.sum()), 1)
    score = np.zeros(units.n, dtype=np.float64)
    reasons: dict[int, list[tuple[float, str, str]]] = {}
    for facet in ENTITY_FACETS:
        pairs = units.pairs[facet.name]
        for v in np.unique(pairs.value[pairs.owner == unit]).tolist():
            owners = np.unique(pairs.owner[pairs.value == v])
            owners = owners[alive[owners] & (owners != unit)]
            if not len(owners):
                continue
            weight = math.log(live / (len(owners) + 1)) + 1.0
            score[owners] += weight
            for o in owners.tolist():
                reasons.setdefault(o, []).append((weight, facet.name, pairs.values[v]))
    for other, likeness in _similar_text(service, snap, unit, lang):
        if other != unit and alive[other]:
            score[other] += TEXT_WEIGHT * likeness
    score[unit] = 0
    candidates = np.flatnonzero(score > 0)
    day = int(units.date[unit])
    order = sorted(
        candidates.tolist(),
        key=lambda u: (-round(float(score[u]), 9), abs(int(units.date[u]) - day), u),
    )
    return [_shown(snap, u, lang, reasons.get(u, [])) for u in order[:LIMIT]]


def _similar_text(
    service: SearchService, snap: Snapshot, unit: int, lang: str
) -> list[tuple[int, float]]:
    """The announcements a search for this one's title words finds (BM25F, bounded), each
    with the likeness of the two titles (Jaccard over their words: equal texts, equal
    likeness, so the date decides)."""
    mine = _words(snap.stored_fields(_version(snap, unit, lang))["title"])
    if not mine:
        return []
    req = SearchRequest(q=" OR ".join(mine[:TEXT_WORDS]), per_page=TEXT_CANDIDATES, prefer=lang)
    of = snap.columns.units["announcement"].of
    out = []
    for h in service.search(req, snap).hits:
        theirs = set(_words(h.title))
        likeness = len(theirs & set(mine)) / len(theirs | set(mine))
        out.append((int(of[snap.searcher.document_number(id=h.id)]), likeness))
    return out


def _words(title: str) -> list[str]:
    """A title's words, lower case, stop words left out, each once."""
    words = re.findall(r"\w+", title.lower())
    return list(dict.fromkeys(w for w in words if w not in STOP_WORDS))


def _version(snap: Snapshot, unit: int, lang: str) -> int:
    """The unit's file in ``lang``, else its first live one."""
    cols = snap.columns
    files = [f for f in cols.units["announcement"].files(unit) if cols.alive[f]]
    preferred = [f for f in files if LANGUAGES[cols.lang[f]] == lang]
    return (preferred or files)[0]


def _shown(snap: Snapshot, unit: int, lang: str, why: list[tuple[float, str, str]]) -> Related:
    fields = snap.stored_fields(_version(snap, unit, lang))
    return Related(
        lang=fields["lang"],
        slug=fields["slug"],
        title=fields["title"],
        date=fields["date"].date().isoformat(),
        shared=tuple(_once((f, v) for _, f, v in sorted(why, key=lambda r: -r[0])))[:3],
    )


def _once(shared):
    """Each value once: a minister is also among the people."""
    seen: set[str] = set()
    for facet, value in shared:
        if value not in seen:
            seen.add(value)
            yield facet, value
