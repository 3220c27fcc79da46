"""The facets: one table that the schema, the build, the facet counts, the URL
parameters, the query fields, the pages, the API, the CSV and the CLI all iterate.

Adding a facet is one row here (and, for a new kind of entity, its extraction in
:mod:`indexer.entities`); nothing else names facets one by one. ``docs/architecture.md``
walks through it.

Kinds:

* ``entity``: canonical values an announcement names (one per line in ``field``); a
  filter keeps the announcements that name any selected value;
* ``language``: the language of each version; a filter keeps those versions;
* ``date``: derived from the announcement's date (year, month); no field of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from indexer.entities.types import PAIRED

if TYPE_CHECKING:
    from indexer.documents import Announcement
    from indexer.entities import Entities

Kind = Literal["entity", "language", "date"]
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

    @property
    def column(self) -> str:
        """The index field with the exact values the facet counts read."""
        return f"facet_{self.field}" if self.kind == "entity" else self.field


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
    ),
    Facet(
        "province",
        {"en": "Province", "km": "ខេត្ត"},
        {"en": "Provinces", "km": "ខេត្ត"},
        "entity",
        field="provinces",
        values=lambda doc, found: list(found.provinces),
    ),
    Facet(
        "lang",
        {"en": "Language", "km": "ភាសា"},
        {"en": "Languages", "km": "ភាសា"},
        "language",
        field="lang",
        values=lambda doc, found: [doc.lang],
        aliases=("language",),
    ),
    Facet(
        "person",
        {"en": "Person", "km": "បុគ្គល"},
        {"en": "People", "km": "បុគ្គល"},
        "entity",
        field="people",
        values=lambda doc, found: _names(found.people),
        labels=_paired,
    ),
    Facet(
        "place",
        {"en": "Place", "km": "ទីកន្លែង"},
        {"en": "Places", "km": "ទីកន្លែង"},
        "entity",
        field="places",
        values=lambda doc, found: _names(found.places),
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
    Facet("year", {"en": "Year", "km": "ឆ្នាំ"}, {"en": "Years", "km": "ឆ្នាំ"}, "date"),
    Facet("month", {"en": "Month", "km": "ខែ"}, {"en": "Months", "km": "ខែ"}, "date"),
)

BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}
ENTITY_FACETS: tuple[Facet, ...] = tuple(f for f in FACETS if f.kind == "entity")
