"""One announcement → its entities: the extractors run in order over one :class:`Text`."""

from __future__ import annotations

import datetime as dt

from indexer.entities.organisations import find_organisations
from indexer.entities.people import find_people
from indexer.entities.places import find_places, find_provinces
from indexer.entities.text import Text
from indexer.entities.types import Entities


def extract(
    title: str, description: str, body: str, lang: str, date: dt.date | None = None
) -> Entities:
    """Every entity of one announcement, canonical and de-duplicated."""
    doc = Text.of("\n\n".join(t for t in (title, description, body) if t))
    provinces = find_provinces(doc)
    places = find_places(doc, provinces)
    for place in places:
        if place.province and place.province not in provinces:
            provinces[place.province] = [f"via {place.level} {place.mentions[0]}"]
    return Entities(
        people=find_people(doc, date),
        provinces=provinces,
        places=places,
        organisations=find_organisations(doc),
    )
