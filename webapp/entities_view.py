"""A page for every value of every entity facet: an official, a province, a district or
commune, an organisation (``/person/Mao Sela``, ``/province/Takeo``; the routes iterate
the facet table, so a new entity facet has pages with no edit here).

A page shows the name in both scripts, what the reference data knows (an official's
offices and their dates from the registry; a place's district and province, or a
province's districts, from the gazetteer), how many announcements name it and when,
the latest, the people, places and organisations named most often beside it, and links
to the search filtered by it, its Atom feed and its JSON. ``/api/entity/…`` is the same
as JSON. Everything comes from one generation's facet counts: one search per page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from flask import Blueprint, abort, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from indexer.entities.registry import registry
from indexer.facets import BY_NAME, ENTITY_FACETS
from indexer.places import LEVELS, Unit, gazetteer
from webapp import i18n, seo, urls
from webapp.facets import TIMELINE
from webapp.search import SearchRequest, SearchResult, Snapshot, selections
from webapp.views import _page, snapshot

bp = Blueprint("entities", __name__)

ENTITY_NAMES = frozenset(f.name for f in ENTITY_FACETS)
FACETS = "any(" + ", ".join(sorted(ENTITY_NAMES)) + ")"
LATEST = 5  # announcements listed
BESIDE = 6  # values of each other facet named beside it
# the facets whose values are the gazetteer's units, and the levels of each
PLACE_LEVELS = {f.name: LEVELS[f.spelt_by] for f in ENTITY_FACETS if f.spelt_by in LEVELS}
FACET_OF_LEVEL = {level: name for name, levels in PLACE_LEVELS.items() for level in levels}
# facets whose equal values are one entity: a minister is also among the people (both
# spelt by the registry's officials)
SAME = {
    f.name: {g.name for g in ENTITY_FACETS if g is f or (f.spelt_by == g.spelt_by == "official")}
    for f in ENTITY_FACETS
}
LEVEL_NAMES = {"province": _l("Province"), "district": _l("District"), "commune": _l("Commune")}


@bp.app_context_processor
def helpers() -> dict:
    ui = i18n.ui_language()

    def entity_url(facet: str, value: str) -> str:
        """The page of a facet value, in this interface language."""
        return url_for("entities.entity_page", facet=facet, value=value, ui=ui)

    return {"entity_url": entity_url, "entity_facets": ENTITY_NAMES}


@dataclass
class Profile:
    """What a page (and its JSON) says about one facet value."""

    facet: str
    value: str
    names: dict[str, str]  # language → how it is written
    result: SearchResult
    offices: list[dict] = field(default_factory=list)  # an official's, from the registry
    units: list[dict] = field(default_factory=list)  # a place's, from the gazetteer
    parts: list[tuple[str, int]] = field(default_factory=list)  # a province's districts
    parts_facet: str = ""  # the facet those districts are values of

    beside: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    #: the facet of the timeline's root (years), whose values the profile links to
    by: str = TIMELINE[0].name

    @property
    def years(self) -> list[tuple[str, int]]:
        return sorted((v.value, v.count) for v in self.result.facets.get(self.by, []) if v.count)


def named_beside(snap: Snapshot, facet: str, value: str) -> dict[str, list[tuple[str, int]]]:
    """Every entity facet's values among the announcements naming ``value``, with how
    many of them name each, most often first (ties: the index's order, alphabetical).
    Counted here from the columns, not taken from a search's facets, whose counts of the
    filtered facet itself are disjunctive (they ignore that facet's own filter)."""
    units, alive = snap.columns.units["announcement"], snap.columns.alive
    mask = units.pairs[facet].having((value,), units.n) & units.any(alive)
    out = {}
    for f in ENTITY_FACETS:
        pairs = units.pairs[f.name]
        counts = pairs.count(mask)
        order = np.argsort(-counts, kind="stable")
        out[f.name] = [
            (pairs.values[i], int(counts[i]))
            for i in order.tolist()
            if counts[i] and not (pairs.values[i] == value and {f.name, facet} <= SAME[facet])
        ]
    return out


def service():
    return current_app.extensions["search"]


def profile(facet: str, value: str, snap: Snapshot, ui: str) -> Profile | None:
    """The page of ``value`` of ``facet``; None when the index has no such value."""
    if value not in snap.columns.values(facet):
        return None
    req = SearchRequest(
        filters=selections({facet: (value,)}), sort="newest", per_page=LATEST, prefer=ui
    )
    result = service().search(req, snap)
    names = {lang: snap.label(facet, value, lang) for lang in i18n.UI_LANGS}
    found = Profile(facet, value, names, result, beside=named_beside(snap, facet, value))
    official = registry().by_name.get(value) if BY_NAME[facet].spelt_by == "official" else None
    if official:
        found.offices = [
            {
                "title": o.title,
                "minister": o.minister,
                "from": o.start.isoformat() if o.start else None,
                "to": o.end.isoformat() if o.end else None,
            }
            for o in official.offices
        ]
    if facet in PLACE_LEVELS:
        found.units = [_unit(u) for u in _units(facet, value, found.beside)]
    inner = next((f.name for f in ENTITY_FACETS if f.nested_in == facet), None)
    if inner and found.units:  # a province's districts the same announcements name
        (province,) = gazetteer().named(value, PLACE_LEVELS[facet])[:1]
        counts = dict(found.beside[inner])
        found.parts_facet = inner
        found.parts = [
            (u.name, counts[u.name])
            for u in gazetteer().within(province, "district")
            if counts.get(u.name)
        ]
    return found


def _units(facet: str, value: str, beside: dict[str, list[tuple[str, int]]]) -> list[Unit]:
    """The gazetteer's units of that name; of several, those in a province the same
    announcements name (a district and a commune may share a name)."""
    units = gazetteer().named(value, PLACE_LEVELS[facet])
    provinces = {v for v, _ in beside.get(BY_NAME[facet].nested_in, [])} | {value}
    named = [u for u in units if gazetteer().province_of(u).name in provinces]
    return named or units


def _unit(unit: Unit) -> dict:
    return {
        "code": unit.code,
        "level": unit.level,
        "name": unit.name,
        "km": unit.km,
        "in": [{"level": p.level, "name": p.name, "km": p.km} for p in gazetteer().parents(unit)],
    }


def _profile_or_404(facet: str, value: str) -> Profile:
    found = profile(facet, value, snapshot(), i18n.ui_language())
    if found is None:
        abort(404)
    return found


@bp.get(f"/<{FACETS}:facet>/<path:value>")
def entity_page(facet: str, value: str):
    return _page(lambda: _render(_profile_or_404(facet, value)))


def _render(p: Profile) -> str:
    ui = i18n.ui_language()
    name = p.names[ui]
    total = p.result.total
    description = _(
        "%(facet)s: %(name)s. Announcements of the ministry that name them: %(num)s.",
        facet=BY_NAME[p.facet].label[ui],
        name=name,
        num=i18n.number(total, ui),
    )
    meta = seo.default_meta(name, description)
    return render_template(
        "entity.html",
        meta=meta,
        p=p,
        name=name,
        peak=max((c for _, c in p.years), default=1),
        levels=LEVEL_NAMES,
        beside={f: vals[:BESIDE] for f, vals in p.beside.items() if vals},
        known={f: set(snapshot().columns.values(f)) for f in PLACE_LEVELS},
        facet_of_level=FACET_OF_LEVEL,
    )


@bp.get(f"/api/entity/<{FACETS}:facet>/<path:value>")
def entity_json(facet: str, value: str):
    p = _profile_or_404(facet, value)
    return {
        "facet": p.facet,
        "value": p.value,
        "names": p.names,
        "total": p.result.total,
        "years": {year: count for year, count in p.years},
        "offices": p.offices,
        "units": p.units,
        "districts": [{"name": n, "count": c} for n, c in p.parts],
        "beside": {
            name: [{"value": v, "count": c} for v, c in vals[:BESIDE]]
            for name, vals in p.beside.items()
            if vals
        },
        "latest": [
            {
                "id": h.id,
                "title": h.title,
                "date": h.date,
                "url": urls.external("views.article", lang=h.lang, slug=h.slug),
            }
            for h in p.result.hits
        ],
        "page": urls.external("entities.entity_page", facet=facet, value=value),
    }
