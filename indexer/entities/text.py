"""One announcement's text, with what every rule needs computed once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from indexer import khmer
from indexer.entities.vocabulary import UNIT_WORDS_KM, alternation
from indexer.khmer_words import SCHOOL

KM_WORD = f"[{khmer.WORD_CHARS}]+"
_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-z]+(?![\w’'-])")
_SCHOOL_EN = re.compile(
    r"(?:[A-Z][\w’'-]*\s+){1,8}(?:High\s+)?School\b|(?:[A-Z][\w’'-]*\s+){1,6}University\b"
)
_SCHOOL_KM = re.compile(
    f"{SCHOOL}(?:\\s*(?!{SCHOOL}|{alternation(UNIT_WORDS_KM)})(?:{KM_WORD}|[0-9]+))" + "{1,4}"
)


# Two or more words in capitals, each with a vowel: "HUN MANET", "PHNOM PENH" (a single
# capitalised word is an acronym: TRC, MPTC).
_CAPITALS_RUN = re.compile(
    r"\b[A-Z][A-Z’'-]*[AEIOUY][A-Z’'-]*(?:\s+[A-Z][A-Z’'-]*[AEIOUY][A-Z’'-]*\b)+"
)
_CAPITAL_WORD = re.compile(r"[A-Z][A-Z’'-]+")


def title_case_capitals(text: str) -> str:
    """Names written in capitals as names are written: "HUN MANET" → "Hun Manet".
    Same length, so every offset into the text stays true."""
    return _CAPITALS_RUN.sub(
        lambda m: _CAPITAL_WORD.sub(lambda w: w.group()[0] + w.group()[1:].lower(), m.group()),
        text,
    )


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def inside(start: int, end: int, within: Iterable[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in within)


@dataclass(frozen=True)
class Text:
    """Title, summary and body as one text; schools, whose names hold eponyms, marked."""

    text: str
    norm: str  # Khmer-normalised (the same text when there is no Khmer)
    has_khmer: bool
    schools_en: list[tuple[int, int]]
    schools_km: list[tuple[int, int]]
    # Latin words the text writes in lower case: "chaired" in the body says the
    # headline's "Chaired" is a verb, not a name
    lower_words: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Text:
        text = title_case_capitals(text)
        has_km = khmer.has_khmer(text)
        norm = khmer.normalise(text) if has_km else text
        schools_km = spans(_SCHOOL_KM, norm) if has_km else []
        lower = frozenset(_LOWER_WORD.findall(text))
        return cls(text, norm, has_km, spans(_SCHOOL_EN, text), schools_km, lower)
