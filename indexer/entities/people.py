"""People and ministers in both scripts, resolved to one canonical name each.

Found by an honorific or royal style before a name ("H.E. Dr. Mam Bunheng",
"ឯកឧត្តមបណ្ឌិត …"), by an office before it ("Agriculture Minister Dith Tina",
"Minister of Health Chheang Ra", "ឧបនាយករដ្ឋមន្ត្រី ស សុខា"), by an apposition after
it ("Sok Sambath, Deputy Prime Minister and …", "… រដ្ឋមន្ត្រីក្រសួង…"), and by the
registry's spellings anywhere. A spelling the registry does not list resolves to an
official only within an edit or two of exactly one official's name; else it is kept
as written.

Minister rank comes from the registry's office at the article's date; when the
registry is silent (no entry, or no office covering the date), from the text: a
minister title beside the name (never for royalty, a secretary of state or a
deputy minister).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from indexer import khmer
from indexer.entities import vocabulary as V
from indexer.entities.names import LATIN_NAME, NAME, clean_khmer_name, is_name_word, latin_name
from indexer.entities.registry import (
    Official,
    Registry,
    registry,
    resolve_khmer_name,
    resolve_latin_name,
)
from indexer.entities.text import KM_WORD, Text, inside
from indexer.entities.types import Person
from indexer.places import fold_khmer

# --- Latin-script patterns -------------------------------------------------------------------

_PORTFOLIO = V.alternation(V.PORTFOLIO_WORDS_EN)
# "Education, Youth and Sport", "Relations with the National Assembly"
PORTFOLIO_PHRASE = (
    rf"{_PORTFOLIO}(?:(?:\s*,\s*(?:and\s+)?|\s+(?:and|&|of|with|for)\s+)(?:the\s+)?{_PORTFOLIO})*"
)
_MINISTER = V.alternation(V.MINISTER_TITLES_EN)
_NOT_MINISTER = V.alternation(V.NOT_MINISTER_TITLES_EN)
# An office written before a name: "Minister of Health", "Health Minister", "Governor".
_OFFICE = (
    rf"(?:(?:{PORTFOLIO_PHRASE})\s+)?"
    rf"{V.alternation(V.MINISTER_TITLES_EN + V.NOT_MINISTER_TITLES_EN + V.OFFICE_TITLES_EN)}"
    rf"(?:\s+of\s+(?:the\s+)?{PORTFOLIO_PHRASE})?"
)
_STYLE = V.alternation(V.HONORIFICS_EN + V.ROYAL_TITLES_EN + V.STYLE_WORDS_EN)
_CHAIN = rf"(?:{_STYLE}|{_OFFICE})(?:\s+and\s+{_OFFICE})?"
# 1. An honorific or royal style, then titles, then the name: strong evidence.
HONORIFIC_NAME_EN = re.compile(
    rf"(?<![\w.])(?P<before>"
    rf"{V.alternation(V.COMPOUND_STYLES_EN + V.HONORIFICS_EN + V.ROYAL_TITLES_EN)}"
    rf"(?:\s+{_CHAIN})*+)\s+{NAME}"
)
# 2. An office before the name, honorifics between them or not ("Minister of Health
# Prof. Chheang Ra"); an office alone ("Senior Minister Opens…") must pass the name test.
OFFICE_NAME_EN = re.compile(
    rf"\b(?P<before>(?:{PORTFOLIO_PHRASE}\s+)?(?:{_MINISTER}|{_NOT_MINISTER})"
    rf"(?:\s+of\s+(?:the\s+)?{PORTFOLIO_PHRASE})?(?:\s+and\s+{_OFFICE})?|Governor|Ambassador)"
    rf"(?:\s+{V.alternation(V.HONORIFICS_EN)})*\s+{NAME}"
)
# 3. The name, then its office: "Sok Sambath, Deputy Prime Minister and Minister of …"
_AFTER_TITLES = V.alternation(V.MINISTER_TITLES_EN + V.NOT_MINISTER_TITLES_EN + V.OFFICE_TITLES_EN)
NAME_OFFICE_EN = re.compile(rf"{NAME},\s+(?:the\s+)?(?P<after>(?i:{_AFTER_TITLES})\b[^.;]{{0,80}})")
_RANK_AT_START = re.compile(rf"(?:the\s+)?{_MINISTER}\b")
_NOT_RANK_AT_START = re.compile(rf"(?:the\s+)?{_NOT_MINISTER}\b")
_MINISTER_IN = re.compile(rf"\b{_MINISTER}\b")
_NOT_MINISTER_IN = re.compile(rf"\b{_NOT_MINISTER}\b")
_ROYAL_EN = re.compile(rf"\b{V.alternation(V.ROYAL_TITLES_EN)}\b")
_DEPUTY_BEFORE = re.compile(r"(?:Deputy|Vice)[\s-]+$")
_WORDS = r"(?:[\w’'-]+\s+)"
_HOMAGE_NOUN = V.alternation(V.HOMAGE_NOUNS_EN)
HOMAGE_EN = re.compile(
    rf"\b(?:under|led\s+by)\s+the\s+{_WORDS}{{0,4}}?{_HOMAGE_NOUN}"
    rf"(?:\s+and\s+{_WORDS}{{0,3}}?{_HOMAGE_NOUN})?\s+of\s+"
)
HOMAGE_KM = re.compile(rf"{V.alternation(V.HOMAGE_KM)}[^។]{{0,60}}?របស់")
HOMAGE_REACH = 100  # the name comes within this many characters of the formula
_NEXT_WORD = re.compile(r"\s+([A-Z][\w’'-]*)")


def _rank_in(before: str) -> bool:
    """A minister title among the words before a name, other than "Deputy Minister"…"""
    return bool(_MINISTER_IN.search(_NOT_MINISTER_IN.sub(" ", before)))


# --- Khmer-script patterns ----------------------------------------------------------------------

_KM_CHAIN_WORD = V.alternation(
    V.HONORIFICS_KM
    + V.ROYAL_TITLES_KM
    + V.MINISTER_TITLES_KM
    + V.NOT_MINISTER_TITLES_KM
    + V.OFFICE_TITLES_KM,
    spaces=r"\s*",
)
_KM_STARTER = V.alternation(V.HONORIFICS_KM + V.ROYAL_TITLES_KM + V.MINISTER_TITLES_KM)
_KM_MINISTER = re.compile(V.alternation(V.MINISTER_TITLES_KM))
_KM_NOT_MINISTER = re.compile(V.alternation(V.NOT_MINISTER_TITLES_KM))
_KM_ROYAL = re.compile(V.alternation(V.ROYAL_TITLES_KM))
_KM_TITLES = V.MINISTER_TITLES_KM + V.NOT_MINISTER_TITLES_KM + V.OFFICE_TITLES_KM
_KM_TITLE_AFTER = re.compile(
    rf"\s*(?P<title>(?P<office>{V.alternation(_KM_TITLES)})(?:{V.MINISTRY_KM}{KM_WORD})?)"
)


def _khmer_pattern(reg: Registry) -> re.Pattern[str]:
    """Honorifics and titles, a ministry (the registry's Khmer names, or one word after
    ក្រសួង), then a name of two Khmer words or a Latin name."""
    ministries = [
        khmer.normalise(k) for o in reg.organisations for k in o.km if k.startswith(V.MINISTRY_KM)
    ]
    ministry = (
        rf"(?:{V.alternation(ministries)}|{V.MINISTRY_KM}{KM_WORD})"
        if ministries
        else (rf"{V.MINISTRY_KM}{KM_WORD}")
    )
    return re.compile(
        rf"(?P<before>(?>{_KM_STARTER})(?:\s*(?>{_KM_CHAIN_WORD}|{ministry}))*+)\s*"
        rf"(?P<name>{KM_WORD}\s{KM_WORD}|{LATIN_NAME})"
    )


# --- collecting -------------------------------------------------------------------------------


@dataclass
class Found:
    """Mentions collected from one text, resolved to people at the end."""

    date: dt.date | None
    lower_words: frozenset[str] = frozenset()
    by_name: dict[str, Person] = field(default_factory=dict)
    rank_in_text: dict[str, str] = field(default_factory=dict)  # name → the title that gave it
    # where each name is written: (which text, offset); "t" the text, "n" its Khmer-normal form
    where: dict[str, set[tuple[str, int]]] = field(default_factory=dict)
    homage: list[tuple[str, int]] = field(default_factory=list)  # where formulas of homage end

    def add(
        self,
        surface: str,
        official: Official | None,
        how: str,
        *,
        title: str = "",
        rank: bool = False,
        royal: bool = False,
        at: tuple[str, int] | None = None,
    ) -> None:
        name = official.name if official else surface
        if at is not None:
            self.where.setdefault(name, set()).add(at)
        person = self.by_name.setdefault(name, Person(name=name, how=how))
        if surface not in person.mentions:
            person.mentions.append(surface)
        title = " ".join(title.split())
        if title and title not in person.titles:
            person.titles.append(title)
        if rank and not royal:
            self.rank_in_text.setdefault(name, title)
        person.royal = person.royal or royal
        person.known = person.known or official is not None

    def in_homage(self) -> set[str]:
        """The names written only in formulas of homage: each formula takes the first
        name written within reach after it."""
        claimed: set[tuple[str, tuple[str, int]]] = set()
        for text, end in self.homage:
            near = [
                (at[1], name, at)
                for name, places in self.where.items()
                for at in places
                if at[0] == text and end <= at[1] < end + HOMAGE_REACH
            ]
            if near:  # the first name, however many patterns found it there
                first = min(near)[1]
                claimed.update((name, at) for _, name, at in near if name == first)
        return {
            name
            for name, places in self.where.items()
            if places and all((name, at) in claimed for at in places)
        }

    def people(self) -> list[Person]:
        reg = registry()
        homage = self.in_homage()
        for person in self.by_name.values():
            person.homage = person.name in homage
            official = reg.by_name.get(person.name)
            office = official.office_on(self.date) if official else None
            if office is not None:
                person.minister = office.minister
                person.rank_from = f"registry: {office.title}" if office.minister else ""
            elif person.name in self.rank_in_text and not person.royal:
                person.minister = True
                person.rank_from = f"text: {self.rank_in_text[person.name]}"
        return list(self.by_name.values())


Span = tuple[str, int]  # a name as written, and where


def _name(m: re.Match[str]) -> Span:
    return m.group("name"), m.start("name")


def _add_latin(
    found: Found, span: Span, *, strict: bool, title: str, rank: bool, royal: bool = False
) -> bool:
    """Add the person the text at ``span`` names; False when it is no name."""
    raw, start = span
    name = latin_name(raw, strict=strict, lower_words=found.lower_words)
    if name is None:
        return False
    official, how = resolve_latin_name(name)
    if official is None and len(name.split()) == 3:
        # "Minister Chea Vandeth Said" over-reach: try the first two words
        two = " ".join(name.split()[:2])
        official, how = resolve_latin_name(two)
        if official is not None:
            name = two
    how = how if official else "pattern"
    found.add(name, official, how, title=title, rank=rank, royal=royal, at=("t", start))
    return True


def people_latin(doc: Text, found: Found) -> None:
    """People written in Latin script (English files, and Latin names in Khmer ones)."""
    text, schools = doc.text, doc.schools_en
    taken: list[tuple[int, int]] = []

    def take(m: re.Match[str]) -> bool:
        if inside(m.start("name"), m.end("name"), schools):
            return False
        before = m.group("before")
        royal = bool(_ROYAL_EN.search(before))
        rank = _rank_in(before)
        if not _add_latin(found, _name(m), strict=False, title=before, rank=rank, royal=royal):
            return False
        taken.append((m.start("name"), m.end("name")))
        return True

    found.homage += [("t", m.end()) for m in HOMAGE_EN.finditer(text)]
    _scan(HONORIFIC_NAME_EN, text, take)
    for m in OFFICE_NAME_EN.finditer(text):
        before = m.group("before")
        rank = _rank_in(before) and not _DEPUTY_BEFORE.search(text, 0, m.start())
        if inside(m.start("name"), m.end("name"), schools + ([] if rank else taken)):
            continue  # a name an honorific found already gains only a rank from its office
        _add_latin(found, _name(m), strict=True, title=before, rank=rank)
    for m in NAME_OFFICE_EN.finditer(text):
        if inside(m.start("name"), m.end("name"), schools):
            continue
        after = re.split(r",|;|\s+and\s+(?:His|Her|H\.?E)", m.group("after"))[0]
        rank = bool(_RANK_AT_START.match(after)) and not _NOT_RANK_AT_START.match(after)
        strict = not inside(m.start("name"), m.end("name"), taken)
        span = _name(m)
        # "…Vibol Panha Sar Sokha, Deputy Prime Minister": the name an honorific found
        # within the run, not the run
        for s, e in taken:
            if m.start("name") < s and e == m.end("name"):
                span, strict = (text[s:e], s), False
        _add_latin(found, span, strict=strict, title=after, rank=rank)
    # The registry's own spellings, wherever they stand, unless inside a longer proper
    # noun ("Hun Sen Mouy Mithona is a high school").
    pattern = registry().latin_pattern
    for m in pattern.finditer(text) if pattern else ():
        if inside(m.start(), m.end(), schools) or _in_longer_name(text, m.end(), doc.lower_words):
            continue
        found.add(m.group(), resolve_latin_name(m.group())[0], "registry", at=("t", m.start()))


def _in_longer_name(text: str, end: int, lower_words: frozenset[str]) -> bool:
    """True when a capitalised word that is no title follows a name: "Hun Sen Mouy…"."""
    after = _NEXT_WORD.match(text, end)
    return bool(after and is_name_word(after.group(1), lower_words))


def people_khmer(doc: Text, found: Found) -> None:
    """People written after a Khmer honorific or title, and the registry's Khmer spellings."""
    norm, schools = doc.norm, doc.schools_km
    reg = registry()
    found.homage += [("n", m.end()) for m in HOMAGE_KM.finditer(norm)]
    _scan(reg.derived(_khmer_pattern), norm, lambda m: _take_khmer(m, doc, found))
    pattern = reg.khmer_pattern
    for m in pattern.finditer(norm) if pattern else ():
        if not inside(m.start(), m.end(), schools):
            found.add(
                m.group(), reg.by_khmer[fold_khmer(m.group())], "registry", at=("n", m.start())
            )


def _scan(pattern: re.Pattern[str], text: str, take: Callable[[re.Match[str]], bool]) -> None:
    """Matches left to right; after one ``take`` refuses, the search resumes at its name,
    which may itself start the true match ("…គតិបណ្ឌិតរបស់ សម្តេច… ហ៊ុន ម៉ាណែត")."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        pos = m.end() if take(m) else m.start("name")


def _take_khmer(m: re.Match[str], doc: Text, found: Found) -> bool:
    raw = m.group("name")
    if inside(m.start("name"), m.end("name"), doc.schools_km):
        return False
    before = m.group("before")
    if khmer.has_khmer(raw):
        name = clean_khmer_name(raw)
        if name is None:
            return False
        official, how = resolve_khmer_name(name)
        glued = raw[len(name) :]
    else:
        name = latin_name(raw, strict=False, lower_words=doc.lower_words)
        if name is None:
            return False
        official, how = resolve_latin_name(name)
        glued = raw[raw.find(name) + len(name) :]
    rest = glued + doc.norm[m.end() : m.end() + 40]
    after = _KM_TITLE_AFTER.match(rest)
    after_title = after.group("title") if after else ""
    rank = bool(_KM_MINISTER.search(_KM_NOT_MINISTER.sub(" ", before))) or bool(
        after and _KM_MINISTER.fullmatch(after.group("office"))
    )
    title = " ".join(t for t in (before, after_title) if t)
    royal = bool(_KM_ROYAL.search(before))
    how = how if official else "pattern"
    at = ("n", m.start("name"))
    found.add(name, official, how, title=title, rank=rank, royal=royal, at=at)
    return True


def find_people(doc: Text, date: dt.date | None) -> list[Person]:
    found = Found(date, doc.lower_words)
    people_latin(doc, found)
    if doc.has_khmer:
        people_khmer(doc, found)
    return found.people()
