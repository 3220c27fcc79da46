"""The registry of officials and organisations: loading, name resolution, data version.

The bundled facts (``indexer/data/officials.json``, ``organisations.json``) are merged
with the folder staff maintain (``PRAKAS_REGISTRY``, read by :mod:`.staff`): a person
of the folder with the name of a bundled one adds spellings to it and, when it lists
offices, replaces its offices; any other person is added. The query side imports this
module alone (resolution, never extraction).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from rapidfuzz.distance import Levenshtein

from indexer import caches, khmer
from indexer.config import default_registry
from indexer.places import DATA, LEVELS, fold_khmer, fold_latin, gazetteer

T = TypeVar("T")
_log = logging.getLogger(__name__)

# --- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Office:
    title: str
    minister: bool
    start: dt.date | None = None
    end: dt.date | None = None

    def covers(self, date: dt.date | None) -> bool:
        return date is None or (
            (self.start is None or self.start <= date) and (self.end is None or date <= self.end)
        )


@dataclass(frozen=True)
class Official:
    name: str
    latin: tuple[str, ...]
    km: tuple[str, ...]
    offices: tuple[Office, ...]

    def office_on(self, date: dt.date | None) -> Office | None:
        """The office that gives rank on ``date`` (a minister's first); None when none covers it."""
        covering = [o for o in self.offices if o.covers(date)]
        return max(covering, key=lambda o: o.minister) if covering else None


@dataclass(frozen=True)
class Organisation:
    name: str
    latin: tuple[str, ...]  # the name, other names and abbreviations
    km: tuple[str, ...]


_Named = TypeVar("_Named", Official, Organisation)  # what has spellings in both scripts


@dataclass(frozen=True)
class Registry:
    """Officials and organisations, with the lookups the extractor and the query need."""

    officials: tuple[Official, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    sources: tuple[Path, ...] = field(default=(), compare=False)

    @cached_property
    def by_name(self) -> dict[str, Official]:
        return {o.name: o for o in self.officials}

    @cached_property
    def by_latin(self) -> dict[str, Official]:
        """Folded Latin spelling → official."""
        return {fold_latin(n): o for o in self.officials for n in (o.name, *o.latin)}

    @cached_property
    def by_khmer(self) -> dict[str, Official]:
        """Folded Khmer spelling → official."""
        return {fold_khmer(n): o for o in self.officials for n in o.km}

    @cached_property
    def latin_pattern(self) -> re.Pattern[str] | None:
        """Every Latin spelling of every official, longest first."""
        spellings = sorted({n for o in self.officials for n in (o.name, *o.latin)}, key=len)
        if not spellings:
            return None
        return re.compile(r"\b(?:" + "|".join(map(re.escape, reversed(spellings))) + r")\b")

    @cached_property
    def khmer_pattern(self) -> re.Pattern[str] | None:
        """Every Khmer spelling, the space between the names optional."""
        alts = {
            r"\s*".join(re.escape(khmer.normalise(part)) for part in spelling.split())
            for o in self.officials
            for spelling in o.km
        }
        if not alts:
            return None
        return re.compile("|".join(sorted(alts, key=len, reverse=True)))

    def derived(self, build: Callable[[Registry], T]) -> T:
        """``build(self)``, computed once per registry: the extractors' compiled patterns
        follow the registry in force (the benchmark swaps it)."""
        cache = self.__dict__.setdefault("_derived", {})
        if build not in cache:
            cache[build] = build(self)
        return cache[build]


caches.note(
    "indexer.entities.registry.Registry",
    "one of each lookup and pattern per registry",
    "name lookups and compiled patterns built once per registry in force (cached_property)",
)


# --- loading -------------------------------------------------------------------------------


def _date(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def official_from_record(record: dict) -> Official:
    """A person as the bundled JSON and the staff folder write one (already validated)."""
    return Official(
        name=record["name"].strip(),
        latin=tuple(record.get("latin") or ()),
        km=tuple(record.get("km") or ()),
        offices=tuple(
            Office(
                title=str(o.get("title", "")),
                minister=bool(o["minister"]),
                start=_date(o.get("from")),
                end=_date(o.get("to")),
            )
            for o in record.get("offices") or ()
        ),
    )


def organisation_from_record(record: dict) -> Organisation:
    name = record["name"].strip()
    latin = (name, *(record.get("latin") or ()), *(record.get("abbr") or ()))
    return Organisation(name, tuple(dict.fromkeys(latin)), tuple(record.get("km") or ()))


def _spelt_both_ways(old: _Named, new: _Named, **changes: object) -> _Named:
    """``new`` with ``old``'s spellings too (old ones first, each once)."""
    latin = tuple(dict.fromkeys(old.latin + new.latin))
    km = tuple(dict.fromkeys(old.km + new.km))
    return dataclasses.replace(new, latin=latin, km=km, **changes)  # type: ignore[arg-type]


def merge(base: Registry, people: list[Official], orgs: list[Organisation]) -> Registry:
    """The staff's entries over the bundled ones (spellings added, offices replaced)."""
    officials = {o.name: o for o in base.officials}
    for person in people:
        old = officials.get(person.name)
        if old is not None:
            person = _spelt_both_ways(old, person, offices=person.offices or old.offices)
        officials[person.name] = person
    organisations = {o.name: o for o in base.organisations}
    for org in orgs:
        known = organisations.get(org.name)
        if known is not None:
            org = _spelt_both_ways(known, org)
        organisations[org.name] = org
    return Registry(tuple(officials.values()), tuple(organisations.values()), base.sources)


BUNDLED_FILES = ("officials.json", "organisations.json")


@caches.lru(None, "the bundled officials and organisations read once")
def bundled() -> Registry:
    people = json.loads((DATA / "officials.json").read_text("utf-8"))["people"]
    orgs = json.loads((DATA / "organisations.json").read_text("utf-8"))["organisations"]
    return Registry(
        tuple(official_from_record(p) for p in people),
        tuple(organisation_from_record(o) for o in orgs),
        tuple(DATA / name for name in BUNDLED_FILES),
    )


@caches.lru(None, "a registry folder merged over the bundled facts once per folder")
def load(folder: Path | None, with_bundled: bool = True) -> Registry:
    """The bundled facts (unless ``with_bundled`` is false) with ``folder`` merged over them.

    Rows the folder gets wrong are left out here (``prakas registry check`` lists them);
    one bad row does not stop the nightly index.
    """
    from indexer.entities import staff

    base = bundled() if with_bundled else Registry()
    if folder is None:
        return base
    read = staff.read_folder(folder, base)
    for problem in read.problems:
        _log.warning("registry folder: %s (left out; see prakas registry check)", problem)
    merged = merge(base, read.people, read.organisations)
    return Registry(merged.officials, merged.organisations, (*base.sources, *read.files))


_override: list[Registry] = []


def registry() -> Registry:
    """The registry in force: the override of :func:`using`, else bundled + the setting."""
    if _override:
        return _override[-1]
    return load(default_registry())


@contextmanager
def using(reg: Registry) -> Iterator[Registry]:
    """Extract with ``reg`` instead (the benchmark's text-only mode uses an empty one)."""
    _override.append(reg)
    try:
        yield reg
    finally:
        _override.pop()


# --- the data version ----------------------------------------------------------------------

_RULES = Path(__file__).resolve().parent


def rule_files() -> list[Path]:
    """The code whose change changes what is extracted: this package and the gazetteer."""
    return [*sorted(_RULES.glob("*.py")), _RULES.parent / "places.py"]


def data_version() -> str:
    """SHA-256 over the reference data and the rules: any change forces a full rebuild.

    Covers the gazetteer, the bundled registry, every file of the staff folder, the
    vocabulary and extraction rules (this package's source) and the English word
    frequencies the name test reads.
    """
    from indexer.entities.names import english_frequency_file

    digest = hashlib.sha256()
    reg = load(default_registry())
    files = [DATA / "gazetteer.json", *reg.sources, *rule_files(), english_frequency_file()]
    for path in files:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- resolution ----------------------------------------------------------------------------


def resolve_latin_name(surface: str) -> tuple[Official | None, str]:
    """A Latin-script name → the official it names, exactly or by a guarded fuzzy match;
    a two-word name in Western order ("Vandeth Chea") as the family name first, exactly."""
    table = registry().by_latin
    official, how = _resolve(fold_latin(surface), table)
    words = surface.split()
    if official is None and len(words) == 2:
        swapped = table.get(fold_latin(f"{words[1]} {words[0]}"))
        if swapped is not None:
            return swapped, "given name first"
    return official, how


def resolve_khmer_name(surface: str) -> tuple[Official | None, str]:
    """The same for a name in Khmer script."""
    return _resolve(fold_khmer(surface), registry().by_khmer)


def _resolve(key: str, table: dict[str, Official]) -> tuple[Official | None, str]:
    if key in table:
        return table[key], "registry"
    return _fuzzy(key, table), "fuzzy"


def _fuzzy(key: str, table: dict[str, Official]) -> Official | None:
    """The one official within reach of ``key``; None when none is, or when two are.

    Reach grows with length: one edit for names up to 8 letters, two beyond. A tie
    between two different officials resolves to neither (Hun Many is not Hun Manet).
    """
    limit = 1 if len(key) <= 8 else 2
    best: dict[str, tuple[int, Official]] = {}
    for candidate, official in table.items():
        if abs(len(candidate) - len(key)) > limit:
            continue
        d = Levenshtein.distance(key, candidate, score_cutoff=limit)
        if d <= limit and d < best.get(official.name, (limit + 1, official))[0]:
            best[official.name] = (d, official)
    if not best:
        return None
    ranked = sorted(best.values(), key=lambda pair: pair[0])
    if len(ranked) > 1 and ranked[1][0] == ranked[0][0]:
        return None
    return ranked[0][1]


# --- names in the reader's script ------------------------------------------------------------


@caches.lru(None, "the gazetteer's Khmer spellings by name, built once")
def _gazetteer_spellings() -> dict[tuple[str, str], str | None]:
    """(level, canonical name) → its Khmer spelling; None when same-named units differ."""
    spellings: dict[tuple[str, str], set[str]] = {}
    for unit in gazetteer().units.values():
        spellings.setdefault((unit.level, unit.name), set()).add(unit.km)
    return {key: kms.pop() if len(kms) == 1 else None for key, kms in spellings.items()}


SPELLERS = ("official", "province", "place", "organisation")  # what spells facet values


def khmer_name(source: str, canonical: str) -> str | None:
    """The Khmer spelling of a canonical facet value; None when no source knows it.

    ``source`` is what spells the facet's values (its row's ``spelt_by`` in
    :mod:`indexer.facets`): ``official`` (the registry's people), ``province`` or
    ``place`` (the gazetteer; a place, a district or commune, only when every unit of
    that name is spelt alike), ``organisation`` (the registry's). A value already in
    Khmer script is its own spelling.
    """
    if source not in SPELLERS:
        raise ValueError(f"unknown kind of entity: {source}")
    if khmer.has_khmer(canonical):
        return canonical
    if source == "official":
        official = registry().by_name.get(canonical)
        return official.km[0] if official and official.km else None
    if source == "province":
        return _gazetteer_spellings().get(("province", canonical))
    if source == "place":
        spellings = {_gazetteer_spellings().get((lvl, canonical)) for lvl in LEVELS["place"]}
        spellings.discard(None)
        return spellings.pop() if len(spellings) == 1 else None
    if source == "organisation":
        org = next((o for o in registry().organisations if o.name == canonical), None)
        full = [k for k in org.km if "." not in k] if org else []
        return full[0] if full else None
    return None
