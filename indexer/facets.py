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
    excludes: str = ""  # its list leaves out the values that facet has (ministers, people)
    nested_in: str = ""  # its list narrowed to the chosen values of that facet (gazetteer)

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


def _names(items: Iterable) -> list[str]:
    return [item.name for item in items]


def _paired(doc: Announcement, found: Entities) -> dict[str, dict[str, str]]:
    """The Khmer spelling of people no registry knows, whose Khmer version's name was
    paired with the English version's Latin one (:mod:`indexer.entities.twins`)."""
    return {
        p.name: {doc.lang: p.mentions[0]}
        for p in found.people
        if p.how == PAIRED and p.mentions and p.mentions[0] != p.name
    }


FACETS: tuple[Facet, ...] = (  # in the order pages show them and URLs list them
    Facet(
        "minister",
        {"en": "Minister", "km": "រដ្ឋមន្ត្រី"},
        {"en": "Ministers", "km": "រដ្ឋមន្ត្រី"},
        "entity",
        field="ministers",
        values=lambda doc, found: found.office_holders,
        labels=_paired,
        tag=True,
    ),
    Facet(
        "province",
        {"en": "Province", "km": "ខេត្ត"},
        {"en": "Provinces", "km": "ខេត្ត"},
        "entity",
        field="provinces",
        values=lambda doc, found: list(found.provinces),
        tag=True,
    ),
    Facet(
        "lang",
        {"en": "Language", "km": "ភាសា"},
        {"en": "Languages", "km": "ភាសា"},
        "language",
        field="lang",
        values=lambda doc, found: [doc.lang],
        aliases=("language",),
        shown_as="language",
    ),
    Facet(
        "person",
        {"en": "Person", "km": "បុគ្គល"},
        {"en": "People", "km": "បុគ្គល"},
        "entity",
        field="people",
        values=lambda doc, found: _names(found.people),
        labels=_paired,
        excludes="minister",  # a minister is listed under Minister only
    ),
    Facet(
        "place",
        {"en": "Place", "km": "ទីកន្លែង"},
        {"en": "Places", "km": "ទីកន្លែង"},
        "entity",
        field="places",
        values=lambda doc, found: _names(found.places),
        nested_in="province",  # province → district → commune
    ),
    Facet(
        "org",
        {"en": "Organisation", "km": "ស្ថាប័ន"},
        {"en": "Organisations", "km": "ស្ថាប័ន"},
        "entity",
        field="organisations",
        values=lambda doc, found: list(found.organisations),
        aliases=("organisation", "organization"),
    ),
    Facet(
        "publisher",
        {"en": "Publisher", "km": "ស្ថាប័នផ្សាយ"},
        {"en": "Publisher", "km": "ស្ថាប័នផ្សាយ"},
        "entity",
        field="publishers",
        values=lambda doc, found: [doc.publisher] if doc.publisher else [],
        labels=lambda doc, found: (
            {doc.publisher: dict(doc.publisher_name)} if doc.publisher else {}
        ),
    ),
    Facet(
        "year",
        {"en": "Year", "km": "ឆ្នាំ"},
        {"en": "Years", "km": "ឆ្នាំ"},
        "date",
        field="year",
        part=lambda day: day.year,
        bounds=(1900, 2100),
        descending=True,
        timeline=True,
        shown_as="number",
    ),
    Facet(
        "month",
        {"en": "Month", "km": "ខែ"},
        {"en": "Months", "km": "ខែ"},
        "date",
        field="month",
        part=lambda day: day.month,
        bounds=(1, 12),
        within="year",
        timeline=True,
        shown_as="month_name",
    ),
)

BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}
ENTITY_FACETS: tuple[Facet, ...] = tuple(f for f in FACETS if f.kind == "entity")
DATE_FACETS: tuple[Facet, ...] = tuple(f for f in FACETS if f.kind == "date")
