"""What the extractor returns: people, places and organisations of one announcement."""

from __future__ import annotations

from dataclasses import dataclass, field

PAIRED = "paired with the Latin-script version"  # Person.how of a name given its twin's


@dataclass
class Person:
    name: str
    minister: bool = False
    mentions: list[str] = field(default_factory=list)
    known: bool = False  # the registry knows the name
    how: str = ""  # where the name resolved: registry, fuzzy, pattern, paired…
    titles: list[str] = field(default_factory=list)  # honorifics and offices seen beside it
    royal: bool = False  # named with a royal style: a person, never a minister
    rank_from: str = ""  # why a minister: "registry: <office>" or "text: <title>"
    homage: bool = False  # named only in a formula of homage ("under the leadership of …")


@dataclass
class Place:
    name: str
    level: str
    province: str | None
    district: str | None = None
    mentions: list[str] = field(default_factory=list)


@dataclass
class Entities:
    people: list[Person] = field(default_factory=list)
    provinces: dict[str, list[str]] = field(default_factory=dict)  # name → evidence
    places: list[Place] = field(default_factory=list)
    organisations: dict[str, list[str]] = field(default_factory=dict)  # name → mentions

    @property
    def ministers(self) -> list[str]:
        """Everyone of minister rank the text names (as the gold annotations count them)."""
        return [p.name for p in self.people if p.minister]

    @property
    def office_holders(self) -> list[str]:
        """The ministers the text presents in office in this announcement: the Minister
        facet. A minister named only in a formula of homage is a person, not one of them."""
        return [p.name for p in self.people if p.minister and not p.homage]

    def as_json(self) -> dict:
        return {
            "people": [
                {"name": p.name, "minister": p.minister, "mentions": p.mentions}
                for p in self.people
            ],
            "ministers": self.ministers,
            "provinces": list(self.provinces),
            "places": [
                {"name": p.name, "level": p.level, "province": p.province} for p in self.places
            ],
            "organisations": list(self.organisations),
        }
