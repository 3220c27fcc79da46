"""The facets: one table that the schema, the build, the facet counts, the URL
parameters, the query fields, the pages, the API, the CSV and the CLI all iterate.

Adding a facet is one row here (and, for a new kind of entity, its extraction in
:mod:`indexer.entities`); nothing else names facets one by one. ``docs/architecture.md``
walks through it.

Kinds:

* ``entity``: canonical values an announcement names (one per line in ``field``); a
  filter keeps the announcements that name any selected value;
* ``language``: the language of each version; a filter keeps those versions;
* ``date``: a number derived from the announcement's date (``part``), within
  ``bounds``; a numeric field of its own (``year:2024``). A date facet ``within``
  another is a subdivision of one of its values (a month of one year).

How a facet shows is the row's too: ``timeline`` (drawn as the timeline's bars, not
listed), ``tag`` (its values tagged on each result), ``shown_as`` (how a value is
written), ``excludes`` and ``nested_in`` (values its list leaves out or narrows). The
web app dispatches on these, never on a facet's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Literal

from indexer.entities.types import PAIRED

if TYPE_CHECKING:
    from indexer.documents import Announcement
    from indexer.entities import Entities

Kind = Literal["entity", "language", "date"]
# how the interface writes a value: a canonical name (its labels), a number in the
# interface's digits, a month's name, a language's name
ShownAs = Literal["name", "number", "month_name", "language"]
Values = Callable[["Announcement", "Entities"], Iterable[str]]
# value → language → how that language writes it, when the document itself says so
Labels = Callable[["Announcement", "Entities"], Mapping[str, Mapping[str, str]]]


@dataclass(frozen=True)
class Facet:
    """One facet: how it is named, stored, extracted and labelled."""

    name: str  # URL parameter, JSON key, CLI option: ``province``
    label: Mapping[str, str]  # one value's heading, per interface language
    heading: Mapping[str, str]  # several values' heading (an announcement's page)
    kind: Kind
    field: str = ""  # index field: stored canonical values, matched whole (``province:takeo``)
    values: Values | None = None  # an announcement's values, at build time
    aliases: tuple[str, ...] = ()  # more names staff may write before a colon
    labels: Labels | None = None  # values' labels the document carries (else the registry's)
    # the date kind: the number a date gives, the numbers a URL may give, the facet of
    # which this one is a subdivision (offered and allowed only with exactly one value of
    # it, one value at a time, dropped when that facet changes), values newest first
    part: Callable[[dt.date], int] | None = None
    bounds: tuple[int, int] = (0, 0)
    within: str = ""
    descending: bool = False
    # how it shows: as the timeline's bars (not listed), as tags on each result
    timeline: bool = False
    tag: bool = False
    shown_as: ShownAs = "name"
    # what spells its values in Khmer (:func:`indexer.entities.registry.khmer_name`):
    # the registry's officials or organisations, the gazetteer's provinces or places
    spelt_by: Literal["", "official", "province", "place", "organisation"] = ""
    excludes: str = ""  # its list leaves out the values that facet has (ministers, people)
    nested_in: str = ""  # its list narrowed to the chosen values of that facet (gazetteer)
    # where an entity facet's values rank among the search box's completions, lowest
    # first (:mod:`webapp.suggest`; titles come after every facet)
    suggest_rank: int = 2

    @property
    def column(self) -> str:
        """The index field with the exact values the facet counts read."""
        return f"facet_{self.field}" if self.kind == "entity" else self.field

    def canonical(self, value: str) -> int | None:
        """A date facet's value as a number within its bounds (ASCII digits only), or
        None when it is not one."""
        low, high = self.bounds
        if value.isascii() and value.isdigit() and low <= int(value) <= high:
            return int(value)
        return None


def says(en: str, en_several: str, *, km: str) -> tuple[dict[str, str], dict[str, str]]:
    """A facet's label and its heading (several values) in each interface language;
    Khmer writes one word for both."""
    return {"en": en, "km": km}, {"en": en_several, "km": km}


def entity(
    name: str, names: tuple[dict[str, str], dict[str, str]], field: str, values: Values, **more
) -> Facet:
    """An entity facet's row: its names, its index field and its extraction."""
    return Facet(name, *names, "entity", field=field, values=values, **more)


def dated(
    name: str,
    names: tuple[dict[str, str], dict[str, str]],
    part: Callable[[dt.date], int],
    bounds: tuple[int, int],
    **more,
) -> Facet:
    """A date facet's row: the number a date gives, within ``bounds``, shown in the
    interface's digits unless the row says otherwise; its index field is its name
    (``year:2024``)."""
    more.setdefault("shown_as", "number")
    return Facet(name, *names, "date", field=name, part=part, bounds=bounds, **more)


def people(
    name: str, names: tuple[dict[str, str], dict[str, str]], field: str, values: Values, **more
) -> Facet:
    """An entity facet of people: their Khmer names from the registry's officials, or,
    for people it does not know, as the Khmer version wrote the name paired with them."""
    return entity(name, names, field, values, labels=_paired, spelt_by="official", **more)


# a date facet drawn as the timeline's bars rather than listed (the years, and the
# months of one year ``within`` them)
timeline = partial(dated, timeline=True)


# --- what an announcement and its date give each facet, at build time -----------------------


def _holders(doc: Announcement, found: Entities) -> Iterable[str]:
    return found.office_holders


def _provinces(doc: Announcement, found: Entities) -> Iterable[str]:
    return list(found.provinces)


def _language(doc: Announcement, found: Entities) -> Iterable[str]:
    return [doc.lang]


def _people(doc: Announcement, found: Entities) -> Iterable[str]:
    return [p.name for p in found.people]


def _places(doc: Announcement, found: Entities) -> Iterable[str]:
    return [p.name for p in found.places]


def _organisations(doc: Announcement, found: Entities) -> Iterable[str]:
    return list(found.organisations)


def _publisher(doc: Announcement, found: Entities) -> Iterable[str]:
    return [doc.publisher] if doc.publisher else []


def _publisher_names(doc: Announcement, found: Entities) -> Mapping[str, Mapping[str, str]]:
    """The publisher's names in both languages, from its ``publisher.yaml``."""
    return {doc.publisher: dict(doc.publisher_name)} if doc.publisher else {}


def _year(day: dt.date) -> int:
    return day.year


def _month(day: dt.date) -> int:
    return day.month


def _paired(doc: Announcement, found: Entities) -> dict[str, dict[str, str]]:
    """The Khmer spelling of people no registry knows, whose Khmer version's name was
    paired with the English version's Latin one (:mod:`indexer.entities.twins`)."""
    return {
        p.name: {doc.lang: p.mentions[0]}
        for p in found.people
        if p.how == PAIRED and p.mentions and p.mentions[0] != p.name
    }


FACETS: tuple[Facet, ...] = (  # in the order pages show them and URLs list them
    people(
        "minister",
        says("Minister", "Ministers", km="រដ្ឋមន្ត្រី"),
        "ministers",
        _holders,
        tag=True,
        suggest_rank=0,
    ),
    entity(
        "province",
        says("Province", "Provinces", km="ខេត្ត"),
        "provinces",
        _provinces,
        spelt_by="province",
        tag=True,
        suggest_rank=1,
    ),
    Facet(
        "lang",
        *says("Language", "Languages", km="ភាសា"),
        "language",
        field="lang",
        values=_language,
        aliases=("language",),
        shown_as="language",
    ),
    people(
        "person",
        says("Person", "People", km="បុគ្គល"),
        "people",
        _people,
        excludes="minister",  # a minister is listed under Minister only
    ),
    entity(
        "place",
        says("Place", "Places", km="ទីកន្លែង"),
        "places",
        _places,
        spelt_by="place",
        nested_in="province",  # province → district → commune
    ),
    entity(
        "org",
        says("Organisation", "Organisations", km="ស្ថាប័ន"),
        "organisations",
        _organisations,
        spelt_by="organisation",
        aliases=("organisation", "organization"),
        suggest_rank=1,
    ),
    entity(
        "publisher",
        says("Publisher", "Publisher", km="ស្ថាប័នផ្សាយ"),
        "publishers",
        _publisher,
        labels=_publisher_names,
    ),
    timeline("year", says("Year", "Years", km="ឆ្នាំ"), _year, (1900, 2100), descending=True),
    timeline(
        "month",
        says("Month", "Months", km="ខែ"),
        _month,
        (1, 12),
        within="year",
        shown_as="month_name",
    ),
)

BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}
ENTITY_FACETS: tuple[Facet, ...] = tuple(f for f in FACETS if f.kind == "entity")
DATE_FACETS: tuple[Facet, ...] = tuple(f for f in FACETS if f.kind == "date")
