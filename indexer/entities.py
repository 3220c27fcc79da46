"""People, ministers, provinces, places and organisations in one announcement.

Pure functions over the text (title, description, body) and its date; the reference
data (gazetteer, registry of officials, organisations) is read once from
``indexer/data``. Every mention resolves to one canonical value:

* people: found by honorific and title patterns and "Name, Minister of X" appositions,
  in both scripts, and by the registry's spellings. A spelling the registry does not
  list resolves to an official only when it is within an edit or two of exactly one
  official's name (never between two officials); else it is kept as written.
* ministers: rank from the registry's office at the article's date, or from the text
  ("X, Deputy Prime Minister and Minister of Public Service").
* places: a province by any of its names; a district or commune by its unit word
  (Bati district, ស្រុកបាទី), resolved top-down: it implies its province only when
  its name is unique, or when a province or district named in the text decides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz.distance import Levenshtein

from indexer import khmer
from indexer.places import (
    COMMUNE_UNITS_EN,
    COMMUNE_UNITS_KM,
    DATA,
    DISTRICT_UNITS_EN,
    DISTRICT_UNITS_KM,
    Unit,
    fold_khmer,
    fold_latin,
    gazetteer,
)

# --- results ---------------------------------------------------------------------------


@dataclass
class Person:
    name: str
    minister: bool = False
    mentions: list[str] = field(default_factory=list)
    known: bool = False
    how: str = ""  # where the name resolved: registry, fuzzy, pattern


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
        return [p.name for p in self.people if p.minister]

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


# --- reference data -----------------------------------------------------------------------


@dataclass(frozen=True)
class Official:
    name: str
    latin: tuple[str, ...]
    km: tuple[str, ...]
    offices: tuple[dict, ...]

    def minister_on(self, date: dt.date | None) -> bool | None:
        """Minister rank on ``date`` per the registry; None when no office covers it."""
        covering = [
            o
            for o in self.offices
            if date is None
            or (
                dt.date.fromisoformat(o.get("from", "1900-01-01")) <= date
                and date <= dt.date.fromisoformat(o.get("to", "2999-12-31"))
            )
        ]
        if not covering:
            return None
        return any(o["minister"] for o in covering)


@dataclass(frozen=True)
class Registry:
    officials: tuple[Official, ...]
    by_latin: dict[str, Official]  # folded Latin spelling → official
    by_khmer: dict[str, Official]  # folded Khmer spelling → official
    organisations: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]


@cache
def registry() -> Registry:
    people = json.loads((DATA / "officials.json").read_text("utf-8"))["people"]
    officials = tuple(
        Official(p["name"], tuple(p.get("latin", [])), tuple(p.get("km", [])), tuple(p["offices"]))
        for p in people
    )
    by_latin = {fold_latin(n): o for o in officials for n in (o.name, *o.latin)}
    by_khmer = {fold_khmer(n): o for o in officials for n in o.km}
    orgs = json.loads((DATA / "organisations.json").read_text("utf-8"))["organisations"]
    organisations = tuple(
        (o["name"], tuple([o["name"], *o.get("latin", []), *o.get("abbr", [])]), tuple(o["km"]))
        for o in orgs
    )
    return Registry(officials, by_latin, by_khmer, organisations)


def data_version() -> str:
    """A digest of the reference data: a change forces a rebuild of the index."""
    digest = hashlib.sha256()
    for name in ("gazetteer.json", "officials.json", "organisations.json"):
        digest.update((DATA / name).read_bytes())
    digest.update(ENTITY_RULES_VERSION.encode())
    return digest.hexdigest()[:16]


ENTITY_RULES_VERSION = "2026.11.1"

# --- English patterns ------------------------------------------------------------------------

_NAME_WORD = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?"
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}})"
_HONORIFIC_EN = (
    r"(?:H\.\s?E\.|HE|H\.E|His\s+Excellency|Her\s+Excellency|Excellency|Samdech|"
    r"Lok\s+Chumteav|Oknha|Dr\.?|Mr\.?|Ms\.?|Mrs\.?|Madam|Prof\.?|Professor)"
)
# Title words that may stand between an honorific and the name.
_TITLE_WORDS_EN = (
    r"(?:Minister|Deputy|Prime|Senior|President|Governor|Ambassador|Dr\.?|Academician|"
    r"Moha|Borvor|Thipadei|Akka|Sena|Padei|Techo|Samdech|Excellency|Professor|Oknha|"
    r"Director|General|Secretary|State|Undersecretary|Under|Lok|Chumteav)"
)
_EN_HONORIFIC_NAME = re.compile(
    rf"\b(?P<before>{_HONORIFIC_EN}(?:\s+{_TITLE_WORDS_EN})*)\s+{_NAME}"
)
_ROLE_BEFORE_EN = re.compile(
    rf"\b(?P<before>(?:Deputy\s+Prime\s+Minister|Prime\s+Minister|Senior\s+Minister|Minister|"
    rf"Governor|Ambassador))\s+{_NAME}"
)
_ROLE_AFTER_EN = re.compile(
    rf"{_NAME},\s+(?:the\s+)?(?P<after>(?:Deputy\s+Prime\s+Minister|Prime\s+Minister|"
    r"Senior\s+Minister|Minister|Secretary\s+of\s+State|Under\s*[Ss]ecretary\s+of\s+State|"
    r"Governor|Ambassador|Director|Deputy\s+Director|Deputy\s+Head|Head|Principal|President|"
    r"[Rr]epresentative|Chair(?:man|person)?)\b[^.;]{0,80})"
)
_MINISTER_RANK_EN = re.compile(r"\b(?:Prime\s+Minister|Senior\s+Minister|Minister)\b")
_NOT_MINISTER_EN = re.compile(r"Secretary\s+of\s+State|Deputy\s+Minister\b|Vice[\s-]+Minister")
# Words that are never part of a person's name though capitalised.
_NOT_NAME_WORDS = frozenset(
    "The Minister Ministry Deputy Prime Province District Commune Kingdom Cambodia "
    "Royal Government High School Community Tech Center Centre Phnom Penh Takeo On "
    "In At And Of Her His Excellency Under Secretary State President Governor "
    "Ambassador Director Samdech Moha Borvor Thipadei Akka Sena Padei Techo "
    "Academician Senior Lok Chumteav Oknha Professor Dr Mr Ms Mrs Madam ".split()
)
_SCHOOL_EN = re.compile(
    r"(?:[A-Z][\w’'-]*\s+){1,8}(?:High\s+)?School\b|(?:[A-Z][\w’'-]*\s+){1,6}University\b"
)

# --- Khmer patterns ----------------------------------------------------------------------------

_KM_WORD = r"[\u1780-\u17dd]+"
_HONORIFIC_KM = (
    "(?:សម្តេចមហាបវរធិបតី|សម្តេចអគ្គមហាសេនាបតីតេជោ|សម្តេចតេជោ|សម្តេច|ឯកឧត្តម|លោកជំទាវ|លោកស្រី|អ្នកស្រី|លោក)"
)
_TITLE_WORDS_KM = (
    "(?:ឧបនាយករដ្ឋមន្ត្រី|នាយករដ្ឋមន្ត្រី|ទេសរដ្ឋមន្ត្រី|រដ្ឋមន្ត្រី|បណ្ឌិតសភាចារ្យ|បណ្ឌិត|"
    "សាស្ត្រាចារ្យ|អភិបាល|ឯកអគ្គរាជទូត|វេជ្ជបណ្ឌិត)"
)
_KM_HONORIFIC_NAME = re.compile(
    f"(?P<before>{_HONORIFIC_KM}(?:\\s*{_TITLE_WORDS_KM})*)\\s*"
    f"(?P<name>{_KM_WORD}\\s{_KM_WORD}|{_NAME_WORD}(?:\\s+{_NAME_WORD}){{1,2}})"
)
_MINISTER_RANK_KM = re.compile("(?:ឧបនាយករដ្ឋមន្ត្រី|នាយករដ្ឋមន្ត្រី|ទេសរដ្ឋមន្ត្រី|រដ្ឋមន្ត្រី)")
_SCHOOL_KM = re.compile(
    f"វិទ្យាល័យ(?:\\s*(?!វិទ្យាល័យ|ខេត្ត|ស្រុក|ឃុំ|ក្រុង|ខណ្ឌ|សង្កាត់|រាជធានី)(?:{_KM_WORD}|[0-9]+))" + "{1,4}"
)
# Khmer words that can follow an honorific but are not names: roles, "teacher", verbs.
_NOT_NAME_KM = frozenset(
    khmer.normalise(w)
    for w in (
        "បាន",
        "និង",
        "ក្នុង",
        "នៅ",
        "គ្រូ",
        "អ្នកគ្រូ",
        "រដ្ឋលេខាធិការ",
        "អនុរដ្ឋលេខាធិការ",
        "អគ្គនាយក",
        "អគ្គនាយករង",
        "ប្រធាន",
        "អនុប្រធាន",
        "នាយក",
        "នាយិកា",
        "ក្រសួង",
        "តំណាង",
        "ជាថ្នាក់ដឹកនាំ",
        "ថ្នាក់ដឹកនាំ",
        "មន្ត្រី",
        "អភិបាល",
        "អភិបាលរង",
    )
)
# Role words a Khmer name may be glued to ("សាន វឌ្ឍនារដ្ឋលេខាធិការ"): cut the name there.
_ROLE_SUFFIX_KM = re.compile(
    "(?:ឧបនាយករដ្ឋមន្ត្រី|នាយករដ្ឋមន្ត្រី|ទេសរដ្ឋមន្ត្រី|រដ្ឋមន្ត្រី|អនុរដ្ឋលេខាធិការ|"
    "រដ្ឋលេខាធិការ|អភិបាល|ប្រធាន|នាយក|តំណាង|ឯកអគ្គរាជទូត|បាន).*$"
)
_MAX_NAME_CLUSTERS = 5


def _clean_km_name(name: str) -> str | None:
    """Two Khmer words that can be a name, with a glued role word cut off; else None."""
    first, second = name.split(maxsplit=1)
    second = _ROLE_SUFFIX_KM.sub("", second)
    for word in (first, second):
        if not word or word in _NOT_NAME_KM:
            return None
        if len(list(khmer.clusters(word))) > _MAX_NAME_CLUSTERS:
            return None
    return f"{first} {second}"


# --- extraction -----------------------------------------------------------------------------


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _inside(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


class _People:
    """Collects mentions and resolves each to one canonical person."""

    def __init__(self, date: dt.date | None) -> None:
        self.date = date
        self.by_name: dict[str, Person] = {}
        self.rank_in_text: dict[str, bool] = {}

    def add(self, surface: str, official: Official | None, how: str, minister_text: bool) -> None:
        name = official.name if official else surface
        person = self.by_name.setdefault(
            name, Person(name=name, known=official is not None, how=how)
        )
        if surface not in person.mentions:
            person.mentions.append(surface)
        if minister_text:
            self.rank_in_text[name] = True
        if official is not None:
            person.known = True

    def result(self) -> list[Person]:
        reg = {o.name: o for o in registry().officials}
        for person in self.by_name.values():
            official = reg.get(person.name)
            rank = official.minister_on(self.date) if official else None
            person.minister = (
                rank if rank is not None else self.rank_in_text.get(person.name, False)
            )
        return list(self.by_name.values())


def resolve_latin_name(surface: str) -> tuple[Official | None, str]:
    """A Latin-script name → the official it names, exactly or by a guarded fuzzy match."""
    return _resolve(fold_latin(surface), registry().by_latin)


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
    best: dict[str, int] = {}
    for candidate, official in table.items():
        if abs(len(candidate) - len(key)) > limit:
            continue
        d = Levenshtein.distance(key, candidate, score_cutoff=limit)
        if d <= limit:
            best[official.name] = min(d, best.get(official.name, d))
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda kv: kv[1])
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    name = ranked[0][0]
    return next(o for o in table.values() if o.name == name)


def _clean_en_name(name: str) -> str | None:
    words = name.split()
    while words and words[-1] in _NOT_NAME_WORDS:
        words.pop()
    while words and words[0] in _NOT_NAME_WORDS:
        words.pop(0)
    if len(words) < 2:
        return None
    return " ".join(words)


_NEXT_WORD = re.compile(r"\s+([A-Z][\w’'-]*)")


def _in_longer_name(text: str, end: int) -> bool:
    """True when a capitalised word that is no title follows a name: "Hun Sen Mouy…"."""
    after = _NEXT_WORD.match(text, end)
    return bool(after and after.group(1) not in _NOT_NAME_WORDS)


@cache
def _registry_regex_latin() -> re.Pattern[str]:
    spellings = [n for o in registry().officials for n in (o.name, *o.latin)]
    return re.compile(
        r"\b(?:" + "|".join(map(re.escape, sorted(spellings, key=len, reverse=True))) + r")\b"
    )


@cache
def _registry_regex_khmer() -> re.Pattern[str]:
    """Officials' Khmer spellings, the space between the names optional."""
    alts = [
        r"\s*".join(re.escape(khmer.normalise(part)) for part in spelling.split())
        for o in registry().officials
        for spelling in o.km
    ]
    return re.compile("|".join(sorted(alts, key=len, reverse=True)))


def _people_en(doc: _Text, found: _People) -> None:
    text, schools = doc.text, doc.schools_en
    candidates: list[tuple[str, int, int, bool]] = []
    for m in _EN_HONORIFIC_NAME.finditer(text):
        rank = bool(_MINISTER_RANK_EN.search(m.group("before")))
        candidates.append((m.group("name"), m.start("name"), m.end("name"), rank))
    for m in _ROLE_BEFORE_EN.finditer(text):
        rank = bool(_MINISTER_RANK_EN.search(m.group("before")))
        candidates.append((m.group("name"), m.start("name"), m.end("name"), rank))
    for m in _ROLE_AFTER_EN.finditer(text):
        after = re.split(r",|;|\s+and\s+(?:His|Her|H\.?E)", m.group("after"))[0]
        rank = bool(_MINISTER_RANK_EN.search(after)) and not _NOT_MINISTER_EN.match(after)
        candidates.append((m.group("name"), m.start("name"), m.end("name"), rank))
    # The registry's own spellings, wherever they stand, unless inside a longer proper
    # noun ("Hun Sen Mouy Mithona is a high school").
    for m in _registry_regex_latin().finditer(text):
        if not _in_longer_name(text, m.end()):
            candidates.append((m.group(), m.start(), m.end(), False))
    for raw, start, end, rank in candidates:
        if _inside(start, end, schools):
            continue
        name = _clean_en_name(raw)
        if name is None:
            continue
        official, how = resolve_latin_name(name)
        if official is None and len(name.split()) == 3:
            # "Minister Chea Vandeth Said" over-reach: try the first two words
            two = " ".join(name.split()[:2])
            official, how = resolve_latin_name(two)
            if official is not None:
                name = two
        found.add(name, official, how if official else "pattern", rank)


def _people_km(doc: _Text, found: _People) -> None:
    norm, schools = doc.norm, doc.schools_km
    reg = registry()
    for m in _KM_HONORIFIC_NAME.finditer(norm):
        name = m.group("name")
        if _inside(m.start("name"), m.end("name"), schools):
            continue
        if khmer.has_khmer(name):
            cleaned = _clean_km_name(name)
            if cleaned is None:
                continue
            name = cleaned
            official, how = resolve_khmer_name(name)
        else:
            cleaned = _clean_en_name(name)
            if cleaned is None:
                continue
            name = cleaned
            official, how = resolve_latin_name(name)
        after = norm[m.end() : m.end() + 40].lstrip()
        rank = bool(_MINISTER_RANK_KM.search(m.group("before"))) or bool(
            _MINISTER_RANK_KM.match(after)
        )
        found.add(name, official, how if official else "pattern", rank)
    for m in _registry_regex_khmer().finditer(norm):
        if not _inside(m.start(), m.end(), schools):
            found.add(m.group(), reg.by_khmer[fold_khmer(m.group())], "registry", False)


# --- places --------------------------------------------------------------------------------


@cache
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


@cache
def _province_regex_khmer() -> tuple[re.Pattern[str], dict[str, str]]:
    """All provinces' Khmer names in one pattern. A short or ambiguous name (កែប, and
    កណ្តាល, which also means "middle") counts only after its unit word."""
    groups, names = [], {}
    for code, unit in gazetteer().provinces.items():
        name = fold_khmer(unit.km)
        short = len(list(khmer.clusters(name))) < 3 or name == fold_khmer("កណ្តាល")
        unit_word = f"(?P<u{code}>ខេត្ត|រាជធានី|ក្រុង)\\s*"
        prefix = unit_word if short else f"(?:{unit_word})?"
        groups.append(f"(?P<p{code}>{prefix}{re.escape(name)})")
        names[f"p{code}"] = unit.name
    return re.compile("(?:" + "|".join(groups) + ")(?![\u17b6-\u17d3\u17dd])"), names


_UNIT_EN = "|".join(DISTRICT_UNITS_EN + COMMUNE_UNITS_EN)
_PLACE_WORDS = r"(?:(?:[A-Z][\w’'-]*|[0-9]+)\s+){1,3}"
# "Bati district", and lists before a plural unit: "Chhuk and Banteay Meas districts".
_UNIT_WORD_EN = re.compile(rf"\b(?:{_UNIT_EN})\b", re.IGNORECASE)
# The names before a unit word, read backwards from it (finding the unit words first is
# much faster than trying a name pattern at every position of the text).
_NAMES_BEFORE_UNIT = re.compile(rf"(?:{_PLACE_WORDS}(?:(?:,\s+|and\s+){_PLACE_WORDS})*)$")
_PLACE_AFTER_UNIT_EN = re.compile(
    r"\b(?P<unit>Srok|Khum|Sangkat|Khan|Krong)\s+(?P<name>(?:[A-Z][\w’'-]*\s*){1,3})"
)
_PLACE_KM = re.compile(
    "(?P<unit>"
    + "|".join(DISTRICT_UNITS_KM + COMMUNE_UNITS_KM)
    + ")\\s*(?P<name>[\u1780-\u17dd]+[0-9]*)"
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


def _places(doc: _Text, provinces: dict[str, list[str]]) -> list[Place]:
    found: list[tuple[str, str, list[Unit]]] = []  # (surface, level, candidates)
    text = doc.text
    m: re.Match[str] | None  # the match of each of the three loops below
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


def _provinces(doc: _Text) -> dict[str, list[str]]:
    """Provinces named anywhere (datelines too), except as an eponym inside a school's name."""
    found: dict[str, list[str]] = {}
    pattern, names = _province_regex_latin()
    for m in pattern.finditer(doc.text):
        if not _inside(m.start(), m.end(), doc.schools_en):
            evidence = found.setdefault(names[str(m.lastgroup)], [])
            if m.group() not in evidence:
                evidence.append(m.group())
    if doc.has_khmer:
        pattern, names = _province_regex_khmer()
        for m in pattern.finditer(doc.norm):
            outer = m.lastgroup or ""  # p<code>: it closes after its u<code> group
            if not m.group(f"u{outer[1:]}") and _inside(m.start(), m.end(), doc.schools_km):
                continue  # an eponym: វិទ្យាល័យព្រះសីហនុ is a school, not the province
            evidence = found.setdefault(names[outer], [])
            if m.group() not in evidence:
                evidence.append(m.group())
    return found


@cache
def _organisation_patterns() -> tuple[re.Pattern[str], dict[str, str], list[tuple[str, str, str]]]:
    latin: dict[str, str] = {}
    khmer_names: list[tuple[str, str, str]] = []
    for name, spellings, km in registry().organisations:
        for spelling in spellings:
            latin[spelling] = name
        for spelling in km:
            khmer_names.append((khmer.normalise(spelling), spelling, name))
    alternation = "|".join(re.escape(s) for s in sorted(latin, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b"), latin, khmer_names


def _organisations(doc: _Text) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    pattern, latin, khmer_names = _organisation_patterns()
    for m in pattern.finditer(doc.text):
        mentions = found.setdefault(latin[m.group()], [])
        if m.group() not in mentions:
            mentions.append(m.group())
    if doc.has_khmer:
        for norm, spelling, name in khmer_names:
            if norm in doc.norm:
                found.setdefault(name, []).append(spelling)
    return found


@dataclass(frozen=True)
class _Text:
    """One announcement's text, with what every rule needs computed once."""

    text: str
    norm: str  # Khmer-normalised (the same text when there is no Khmer)
    has_khmer: bool
    schools_en: list[tuple[int, int]]
    schools_km: list[tuple[int, int]]

    @classmethod
    def of(cls, text: str) -> _Text:
        has_km = khmer.has_khmer(text)
        norm = khmer.normalise(text) if has_km else text
        schools_km = _spans(_SCHOOL_KM, norm) if has_km else []
        return cls(text, norm, has_km, _spans(_SCHOOL_EN, text), schools_km)


def extract(
    title: str, description: str, body: str, lang: str, date: dt.date | None = None
) -> Entities:
    """Every entity of one announcement, canonical and de-duplicated."""
    doc = _Text.of("\n\n".join(t for t in (title, description, body) if t))
    people = _People(date)
    _people_en(doc, people)
    if doc.has_khmer:
        _people_km(doc, people)
    provinces = _provinces(doc)
    places = _places(doc, provinces)
    for place in places:
        if place.province and place.province not in provinces:
            provinces[place.province] = [f"via {place.level} {place.mentions[0]}"]
    return Entities(
        people=people.result(),
        provinces=provinces,
        places=places,
        organisations=_organisations(doc),
    )


# --- pairing a Khmer file with its English twin ------------------------------------------

_KM_CONSONANT_CLASS = str.maketrans(
    {
        **dict.fromkeys("កខគឃ", "k"),
        "ង": "n",
        **dict.fromkeys("ចឆជឈ", "c"),
        **dict.fromkeys("ញណន", "n"),
        **dict.fromkeys("ដឋឌឍតថទធ", "t"),
        **dict.fromkeys("បផពភ", "p"),
        "ម": "m",
        "យ": "y",
        "រ": "",
        **dict.fromkeys("លឡ", "l"),
        "វ": "v",
        "ស": "s",
        "ហ": "",
        "អ": "",
    }
)
_LATIN_DIGRAPHS = (("ch", "c"), ("kh", "k"), ("th", "t"), ("ph", "p"), ("gh", "k"), ("ng", "n"))


def km_skeleton(name: str) -> str:
    """Consonant classes of a Khmer name: តាន់ សូដានី → tsn… (vowels, r and h dropped)."""
    letters = [c for c in khmer.normalise(name) if "\u1780" <= c <= "\u17a2"]
    return "".join(letters).translate(_KM_CONSONANT_CLASS)


def latin_skeleton(name: str) -> str:
    """The same classes for a romanised name: Tan Sodany → tsn…"""
    text = name.lower()
    for digraph, single in _LATIN_DIGRAPHS:
        text = text.replace(digraph, single)
    text = text.translate(str.maketrans("dgbjzwqfx", "tkpcsvkps"))
    return re.sub(r"[^a-z]|[aeiouyrh]", "", text.replace("y", "y"))


def align_with_twin(found: Entities, twin: Entities) -> Entities:
    """Give a Khmer file's unknown people the Latin names its English twin uses.

    Both files name the same people; a Khmer name the registry does not know is matched
    to the one unknown English name whose consonant skeleton is closest (at least 0.75
    similar, and clearly the best), so both versions land under one facet value.
    """
    latin = [p for p in twin.people if not p.known and not khmer.has_khmer(p.name)]
    if not latin:
        return found
    merged: dict[str, Person] = {}
    for person in found.people:
        if not person.known and khmer.has_khmer(person.name):
            target = _closest(km_skeleton(person.name), latin)
            if target is not None:
                person = Person(
                    name=target.name,
                    minister=person.minister or target.minister,
                    mentions=person.mentions,
                    known=False,
                    how="paired with the English version",
                )
        merged.setdefault(person.name, person)
    found.people = list(merged.values())
    return found


def _closest(skeleton: str, people: list[Person]) -> Person | None:
    scored = sorted(
        ((Levenshtein.normalized_similarity(skeleton, latin_skeleton(p.name)), p) for p in people),
        key=lambda sp: sp[0],
        reverse=True,
    )
    best_score, best = scored[0]
    if best_score < 0.75 or (len(scored) > 1 and scored[1][0] > best_score - 0.2):
        return None
    return best
