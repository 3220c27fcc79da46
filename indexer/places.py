"""Cambodia's provinces, districts and communes: loading and romanisation folding.

Names reach us in many romanisations (Peaream, Pearam, Param and the gazetteer's
"Pea Ream"; Kompong/Kampong; Takéo/Takeo). :func:`fold_latin` reduces a Latin name to
a key on which those spellings agree; each step is a small rule with a test. Khmer
names are compared after :func:`indexer.khmer.normalise`, the analyser's own rules.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

from indexer import caches, khmer

DATA = Path(__file__).resolve().parent / "data"
# the gazetteer's levels a facet's values are units of, by what spells them (its row's
# ``spelt_by``): a province facet holds provinces, a place facet districts and communes
LEVELS = {"province": ("province",), "place": ("district", "commune")}

# --- folding rules, one small function each ----------------------------------------


def strip_accents(text: str) -> str:
    """Takéo → Takeo."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def drop_separators(text: str) -> str:
    """Pea Ream = Pea-Ream = PeaReam: spaces, hyphens and apostrophes go."""
    return re.sub(r"[\s\-'’.]+", "", text)


def fold_kampong(text: str) -> str:
    """Kompong = Kampong (and Kg. is its abbreviation)."""
    return re.sub(r"^(kompong|kg)", "kampong", text)


def fold_nasal(text: str) -> str:
    """ង before ក/គ is written ng or n: Svay Dangkum = Svay Dankum."""
    return re.sub(r"ng(?=[kg])", "n", text)


def collapse_doubles(text: str) -> str:
    """Battambang = Batambang, Mondulkiri's 'll' spellings: doubled letters count once."""
    return re.sub(r"(.)\1+", r"\1", text)


def fold_vowel_runs(text: str) -> str:
    """A run of vowels keeps its last vowel: Peaream = Pearam = Param, Samraong = Samrong.

    Khmer vowels are romanised as digraphs (ea, ao, ou, ae) or single letters by
    different writers; the last letter of the run is the one they agree on most.
    """
    return re.sub(r"[aeiou]+", lambda m: m.group()[-1], text)


# the folding rules in the order they apply (each sees the one before's output)
LATIN_RULES: tuple[Callable[[str], str], ...] = (
    strip_accents,
    str.lower,
    drop_separators,
    fold_kampong,
    fold_nasal,
    collapse_doubles,
    fold_vowel_runs,
)


def fold_latin(name: str) -> str:
    """The matching key of a romanised place (or person) name: every rule, in order."""
    return reduce(lambda text, rule: rule(text), LATIN_RULES, name)


def fold_khmer(name: str) -> str:
    """The matching key of a Khmer name: analyser normalisation, spaces dropped."""
    return re.sub(r"\s+", "", khmer.normalise(name))


# --- the gazetteer -----------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    code: str
    name: str  # canonical English/Latin name
    km: str
    level: str  # province | district | commune

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def district_code(self) -> str:
        return self.code[:4]


@dataclass
class Gazetteer:
    provinces: dict[str, Unit]  # code → unit
    province_names: dict[str, list[str]]  # code → every Latin name in use
    by_latin: dict[tuple[str, str], list[Unit]]  # (level, folded) → units
    by_khmer: dict[tuple[str, str], list[Unit]]  # (level, folded Khmer) → units
    units: dict[str, Unit]  # code → unit

    def province_of(self, unit: Unit) -> Unit:
        return self.provinces[unit.province_code]

    def named(self, name: str, levels: tuple[str, ...]) -> list[Unit]:
        """The units of these levels whose canonical name is ``name``, by code."""
        return sorted(
            (u for u in self.units.values() if u.name == name and u.level in levels),
            key=lambda u: u.code,
        )

    def parents(self, unit: Unit) -> list[Unit]:
        """The units ``unit`` lies in, the province first (its code's prefixes)."""
        return [self.units[c] for c in (unit.province_code, unit.district_code) if c != unit.code]

    def narrowed(self, places: list[str], provinces: set[str], districts: set[str]) -> list[str]:
        """Of ``places`` (district and commune names), those the chosen provinces hold:
        their districts, and the communes of the chosen districts, in the order given."""
        kept = []
        for name in places:
            for unit in self.named(name, LEVELS["place"]):
                province, *district = self.parents(unit)
                if province.name in provinces and (
                    unit.level == "district" or (district and district[0].name in districts)
                ):
                    kept.append(name)
                    break
        return kept

    def within(self, unit: Unit, level: str) -> list[Unit]:
        """The units of ``level`` inside ``unit`` (a province's districts), by code."""
        return sorted(
            (u for u in self.units.values() if u.level == level and u.code.startswith(unit.code)),
            key=lambda u: u.code,
        )


@caches.lru(None, "the gazetteer read from its JSON once per process")
def gazetteer() -> Gazetteer:
    raw = json.loads((DATA / "gazetteer.json").read_text("utf-8"))
    provinces: dict[str, Unit] = {}
    names: dict[str, list[str]] = {}
    by_latin: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    by_khmer: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    units: dict[str, Unit] = {}
    for row in raw["provinces"]:
        unit = Unit(row["code"], row["name"], row["km"], "province")
        provinces[unit.code] = units[unit.code] = unit
        names[unit.code] = [row["name"], *row["aliases"]]
        for n in names[unit.code]:
            by_latin[("province", fold_latin(n))].append(unit)
        by_khmer[("province", fold_khmer(row["km"]))].append(unit)
    for table, level in (("districts", "district"), ("communes", "commune")):
        for row in raw[table]:
            english = row.get("aliases", [])
            unit = Unit(row["code"], english[0] if english else row["name"], row["km"], level)
            units[unit.code] = unit
            for n in (row["name"], *english):
                by_latin[(level, fold_latin(n))].append(unit)
            by_khmer[(level, fold_khmer(row["km"]))].append(unit)
    return Gazetteer(provinces, names, dict(by_latin), dict(by_khmer), units)
