"""Provinces, districts and communes named in one announcement (the gazetteer is
:mod:`indexer.places`).

A province by any of its names; a district or commune by its unit word (Bati
district, ស្រុកបាទី), resolved top-down: it implies its province only when its name
is unique, or when a province or district named in the text decides.
"""

from __future__ import annotations

import re

from indexer import caches, khmer
from indexer.entities.text import KM_WORD, Text, inside
from indexer.entities.types import Place
from indexer.entities.vocabulary import (
    COMMUNE_UNITS_EN,
    COMMUNE_UNITS_KM,
    DISTRICT_UNITS_EN,
    DISTRICT_UNITS_KM,
    PROVINCE_UNITS_KM,
    alternation,
)
from indexer.places import Unit, fold_khmer, fold_latin, gazetteer


@caches.lru(None, "every province's Latin names in one pattern, compiled once")
def _province_regex_latin() -> tuple[re.Pattern[str], dict[str, str]]:
    """All provinces' Latin names in one pattern; the group name gives the province."""
    gaz = gazetteer()
    groups, names = [], {}
    for code, unit in gaz.provinces.items():
        alts = set()
        for n in gaz.province_names[code]:
            words = [re.escape(w) for w in n.replace("é", "e").split()]
            alts.add(r"[\s-]*".join(words).replace("e", "[eé]"))
            alts.add(r"[\s-]*".join(w.upper() for w in words))
        groups.append(f"(?P<p{code}>" + "|".join(sorted(alts, key=len, reverse=True)) + ")")
        names[f"p{code}"] = unit.name
    # every name starts with a capital: positions without one fail at once
    return re.compile(r"\b(?=[A-Z])(?:" + "|".join(groups) + r")\b"), names


@caches.lru(None, "the provinces' folded Khmer names, folded once")
def _province_names_khmer() -> tuple[tuple[str, str], ...]:
    """(code, folded Khmer name) of every province: a match needs the name verbatim."""
    return tuple((code, fold_khmer(unit.km)) for code, unit in gazetteer().provinces.items())


@caches.lru(256, "the pattern of the provinces a text names: the same few sets recur")
def _province_regex_khmer(codes: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """The named provinces' Khmer names in one pattern (only those whose name the text
    holds: 25 alternations tried at every position of a Khmer text cost milliseconds).
    A short or ambiguous name (កែប, and កណ្តាល, which also means "middle") counts only
    after its unit word."""
    groups, names = [], {}
    units = alternation(PROVINCE_UNITS_KM)
    provinces = gazetteer().provinces
    for code, name in _province_names_khmer():
        if code not in codes:
            continue
        short = len(list(khmer.clusters(name))) < 3 or name == fold_khmer("កណ្តាល")
        unit_word = f"(?P<u{code}>{units})\\s*"
        prefix = unit_word if short else f"(?:{unit_word})?"
        groups.append(f"(?P<p{code}>{prefix}{re.escape(name)})")
        names[f"p{code}"] = provinces[code].name
    return re.compile("(?:" + "|".join(groups) + ")(?![\u17b6-\u17d3\u17dd])"), names


_PLACE_WORDS = r"(?:(?:[A-Z][\w’'-]*|[0-9]+)\s+){1,3}"
# "Bati district", and lists before a plural unit: "Chhuk and Banteay Meas districts".
_UNIT_WORD_EN = re.compile(
    rf"\b{alternation(DISTRICT_UNITS_EN + COMMUNE_UNITS_EN)}\b", re.IGNORECASE
)
# The names before a unit word, read backwards from it (finding the unit words first is
# much faster than trying a name pattern at every position of the text).
_NAMES_BEFORE_UNIT = re.compile(rf"(?:{_PLACE_WORDS}(?:(?:,\s+|and\s+){_PLACE_WORDS})*)$")
_PLACE_AFTER_UNIT_EN = re.compile(
    r"\b(?P<unit>Srok|Khum|Sangkat|Khan|Krong)\s+(?P<name>(?:[A-Z][\w’'-]*\s*){1,3})"
)
_PLACE_KM = re.compile(
    f"(?P<unit>{alternation(DISTRICT_UNITS_KM + COMMUNE_UNITS_KM)})\\s*(?P<name>{KM_WORD}[0-9]*)"
)


def _level(unit_word: str) -> str:
    w = unit_word.lower()
    if unit_word[0].isupper() and unit_word.lower() in ("city", "town"):
        w = "district"
    return "commune" if w in COMMUNE_UNITS_EN or unit_word in COMMUNE_UNITS_KM else "district"


def _lookup_latin(words: list[str], level: str) -> tuple[str, list[Unit]] | None:
    gaz = gazetteer()
    for n in range(len(words), 0, -1):  # longest name ending at the unit word
        surface = " ".join(words[-n:])
        units = gaz.by_latin.get((level, fold_latin(surface)))
        if units:
            return surface, units
    return None


def _lookup_khmer(text: str, level: str) -> tuple[str, list[Unit]] | None:
    gaz = gazetteer()
    pieces = [p.text for p in khmer.clusters(text)]
    if digits := re.search(r"[0-9]+$", text):
        pieces.append(digits.group())
    for n in range(len(pieces), 0, -1):  # longest cluster-aligned prefix
        surface = "".join(pieces[:n])
        units = gaz.by_khmer.get((level, surface))
        if units:
            return surface, units
    return None


def find_places(doc: Text, provinces: dict[str, list[str]]) -> list[Place]:
    """Districts and communes, each resolved to its province where the text allows."""
    found: list[tuple[str, str, list[Unit]]] = []  # (surface, level, candidates)
    text = doc.text
    m: re.Match[str] | None  # the match of each of the loops below
    if doc.has_khmer:
        for m in _PLACE_KM.finditer(doc.norm):
            level = _level(m.group("unit"))
            hit = _lookup_khmer(m.group("name"), level)
            if hit:
                found.append((m.group("unit") + hit[0], level, hit[1]))
    for unit in _UNIT_WORD_EN.finditer(text):
        m = _NAMES_BEFORE_UNIT.search(text, max(0, unit.start() - 160), unit.start())
        if m is None:
            continue
        level = _level(unit.group())
        for part in re.split(r",\s+|\s+and\s+", m.group().strip()):
            words = [w for w in part.split() if w[0].isupper() or w.isdigit()]
            hit = _lookup_latin(words, level)
            if hit:
                found.append((f"{hit[0]} {unit.group()}", level, hit[1]))
    for m in _PLACE_AFTER_UNIT_EN.finditer(text):
        words = m.group("name").split()
        level = "commune" if m.group("unit") in ("Khum", "Sangkat") else "district"
        for n in range(len(words), 0, -1):
            hit = _lookup_latin(words[:n], level)
            if hit:
                found.append((f"{m.group('unit')} {hit[0]}", level, hit[1]))
                break
    return _resolve_places(found, provinces)


def _resolve_places(
    found: list[tuple[str, str, list[Unit]]], provinces: dict[str, list[str]]
) -> list[Place]:
    """Top-down: a named province or district decides between same-named places."""
    gaz = gazetteer()
    named_provinces = {u.code for u in gaz.provinces.values() if u.name in provinces}
    districts = {c[0].code for _, level, c in found if level == "district" and len(c) == 1} | {
        u.code
        for _, level, c in found
        if level == "district"
        for u in c
        if u.province_code in named_provinces
    }
    by_key: dict[tuple[str, str], Place] = {}
    for surface, level, candidates in found:
        choice = candidates
        if len(choice) > 1 and level == "commune":
            choice = [u for u in candidates if u.district_code in districts] or choice
        if len(choice) > 1:
            choice = [u for u in choice if u.province_code in named_provinces] or choice
        province: str | None
        district: str | None
        if len(choice) == 1:
            unit = choice[0]
            province = gaz.province_of(unit).name
            district = gaz.units[unit.district_code].name if level == "commune" else None
            key = (unit.code, level)
        else:
            unit = choice[0]
            province = district = None
            key = (unit.name, level)
        place = by_key.setdefault(key, Place(unit.name, level, province, district))
        if surface not in place.mentions:
            place.mentions.append(surface)
    return list(by_key.values())


def find_provinces(doc: Text) -> dict[str, list[str]]:
    """Provinces named anywhere (datelines too), except as an eponym inside a school's name."""
    found: dict[str, list[str]] = {}
    pattern, names = _province_regex_latin()
    for m in pattern.finditer(doc.text):
        if not inside(m.start(), m.end(), doc.schools_en):
            evidence = found.setdefault(names[str(m.lastgroup)], [])
            if m.group() not in evidence:
                evidence.append(m.group())
    if doc.has_khmer and (
        named := tuple(code for code, name in _province_names_khmer() if name in doc.norm)
    ):
        pattern, names = _province_regex_khmer(named)
        for m in pattern.finditer(doc.norm):
            outer = m.lastgroup or ""  # p<code>: it closes after its u<code> group
            if not m.group(f"u{outer[1:]}") and inside(m.start(), m.end(), doc.schools_km):
                continue  # an eponym: វិទ្យាល័យព្រះសីហនុ is a school, not the province
            evidence = found.setdefault(names[outer], [])
            if m.group() not in evidence:
                evidence.append(m.group())
    return found
