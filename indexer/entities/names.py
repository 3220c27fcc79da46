"""Is this a name? The shape of a person's name in both scripts.

A name is two or three capitalised words (given and family names, with initials and
a suffix allowed: ``David L. Almirol Jr.``), none of them a title, honorific, unit or
portfolio word. Found beside a title alone (no honorific), it must also not read as
English: a headline's title-case phrase ("Senior Minister Opens Digital Health…")
is made of common English words, a Cambodian name is not. "Common" is measured on
the English word frequencies of ``pyspellchecker`` (subtitles and books, 1.6 billion
words), not on a list we keep.

A Khmer name is two words (family and given name, 1–5 clusters each) that are not
honorifics, titles or function words.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from indexer import caches, khmer
from indexer.entities import vocabulary as V
from indexer.places import fold_latin, gazetteer

# One capitalised name word: Chea, Pornmoniroth, McDonald, O’Brien, Jean-Pierre.
NAME_WORD = r"(?!(?:Jr|Sr)\b)(?:[A-Z]['’])?[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z]?[a-z]+)?"
_INITIAL = r"[A-Z]\."
_SUFFIX = r"(?:Jr\.?|Sr\.?|II|III|IV)(?![\w])"
# Two or three name words, initials between them, a suffix after; NAME as group "name".
LATIN_NAME = rf"{NAME_WORD}(?:\s+(?:{_INITIAL}\s+)*{NAME_WORD}){{1,2}}(?:,?\s+{_SUFFIX})?"
NAME = rf"(?P<name>{LATIN_NAME})"
# "Common English": at least this many occurrences in the frequency list (about one in
# 1.6 million words): opens 34k, rice 26k, farmers 10k; Hun 174, Manet 57, Chea 0.
COMMON_ENGLISH = 1000

_SUFFIXES = frozenset(s.rstrip(".") for s in V.NAME_SUFFIXES_EN)
_NOT_NAME_WORDS = frozenset(
    word.rstrip(".")
    for phrase in (
        V.HONORIFICS_EN
        + V.ROYAL_TITLES_EN
        + V.STYLE_WORDS_EN
        + V.MINISTER_TITLES_EN
        + V.NOT_MINISTER_TITLES_EN
        + V.OFFICE_TITLES_EN
        + V.PORTFOLIO_WORDS_EN
    )
    for word in phrase.replace("-", " ").split()
) | frozenset(
    "The A An On In At And Of For With To From By His Her Their Our Its This That "
    "Ministry Province District Commune Kingdom Cambodia Cambodian Royal Government "
    "Phnom Penh Community Tech Center Centre High School University Mr Ms".split()
)


def english_frequency_file() -> Path:
    return Path(str(files("spellchecker") / "resources" / "en.json.gz"))


@caches.lru(None, "the English word list read once")
def _frequencies() -> dict[str, int]:
    from spellchecker import WordFrequency

    table = WordFrequency()
    table.load_dictionary(english_frequency_file())
    return table.dictionary


def is_name_word(word: str, lower_words: frozenset[str] = frozenset()) -> bool:
    """A capitalised word that may be part of a name: no title, and not English."""
    return word.rstrip(".") not in _NOT_NAME_WORDS and not is_english(word, lower_words)


def is_english(word: str, lower_words: frozenset[str] = frozenset()) -> bool:
    """Common in English, or written in lower case elsewhere in the same text."""
    key = word.lower().strip(".’'")
    return key in lower_words or family_frequency(key) >= COMMON_ENGLISH


_INFLECTIONS = ("ing", "ed", "es", "s", "d", "e")


def family_frequency(word: str) -> int:
    """How often English writes ``word`` or another inflection of its stem: "presides"
    counts "preside" and "presided" too (a headline's verb is rarely in its common form)."""
    table = _frequencies()
    stems = {word} | {
        word[: -len(x)] for x in _INFLECTIONS if word.endswith(x) and len(word) > len(x) + 2
    }
    forms = {stem + x for stem in stems for x in ("", *_INFLECTIONS)}
    return sum(table.get(form, 0) for form in forms)


def is_place(name: str) -> bool:
    key = fold_latin(name)
    return any(
        (level, key) in gazetteer().by_latin for level in ("province", "district", "commune")
    )


def latin_name(raw: str, *, strict: bool, lower_words: frozenset[str] = frozenset()) -> str | None:
    """The person's name in a capitalised run, or None when it is no name.

    Title and other non-name words are trimmed from both ends, and an English word of
    four letters or more from the end of three ("Chea Vandeth Opens"; "Men Sam An"
    keeps its short syllable). ``strict`` (found beside a title alone) also refuses a
    run that is English throughout, or a place. A word is English when it is common
    in English or ``lower_words`` (the text's own lower-case words) holds it.
    """
    words = raw.replace(",", " ").split()
    while words and words[-1].rstrip(".") in _NOT_NAME_WORDS:
        words.pop()
    while words and words[0].rstrip(".") in _NOT_NAME_WORDS:
        words.pop(0)
    core = [w for w in words if not _is_initial(w) and w.rstrip(".") not in _SUFFIXES]
    # a headline's verb after a three-word run: "Mao Sela Chaired", "Dith Tina Visits"
    while len(core) > 2 and len(core[-1]) >= 4 and is_english(core[-1], lower_words):
        last = core.pop()
        words = words[: len(words) - 1 - words[::-1].index(last)]
    if strict and all(is_english(w, lower_words) for w in core):
        return None
    if len(core) < 2 or any(w.rstrip(".") in _NOT_NAME_WORDS for w in core):
        return None
    name = " ".join(words)
    if is_place(name) and (strict or (len(core) == 2 and fold_latin(name) in _province_keys())):
        return None
    return name


def _is_initial(word: str) -> bool:
    return bool(re.fullmatch(_INITIAL, word))


@caches.lru(None, "the provinces' matching keys, from the gazetteer")
def _province_keys() -> frozenset[str]:
    return frozenset(key for level, key in gazetteer().by_latin if level == "province")


# --- Khmer ---------------------------------------------------------------------------------

MAX_NAME_CLUSTERS = 5
_GLUED = re.compile(V.alternation(V.GLUED_AFTER_NAME_KM) + ".*$")
_NOT_NAME_START = re.compile(V.alternation(V.NOT_NAME_START_KM))


def clean_khmer_name(name: str) -> str | None:
    """Two Khmer words that can be a name, a glued title cut off; else None."""
    first, second = name.split(maxsplit=1)
    second = _GLUED.sub("", second)
    for word in (first, second):
        if not word or word in V.NOT_NAME_KM or _NOT_NAME_START.match(word):
            return None
        if len(list(khmer.clusters(word))) > MAX_NAME_CLUSTERS:
            return None
    return f"{first} {second}"
