"""A Khmer file's people aligned with its English twin's.

Both files name the same people; a Khmer name the registry does not know takes the
Latin name the English version writes, matched by consonant skeleton, so both
versions land under one facet value. (Which version lends its names is the languages
table's business and the pipeline's, :mod:`indexer.announcement`; this module only
aligns two sets of entities.)

Why consonant skeletons and not a romanisation package: the one Khmer name
transliterator on PyPI, ``khmer-latin-name-transformer`` (0.0.4, 2023, no release
since), needs ``pynini``, which installs from conda, not pip; and a transliteration
gives one spelling where officials' romanisations vary (Sela/Sila, Poline/Polyne).
Comparing consonant classes, the part every romanisation keeps, pairs twins without
choosing a spelling; the canonical one is the English version's.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from indexer import khmer
from indexer.entities.types import PAIRED, Entities, Person

_KM_CONSONANT_CLASS = str.maketrans(
    {
        **dict.fromkeys("កខគឃ", "k"),
        "ង": "n",
        **dict.fromkeys("ចឆជឈ", "c"),
        **dict.fromkeys("ញណន", "n"),
        **dict.fromkeys("ដឋឌឍតថទធ", "t"),
        **dict.fromkeys("បផពភ", "p"),
        "ម": "m",
        "យ": "",  # a final "ay"/"y", which the Latin skeleton drops as well
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
                    how=PAIRED,
                    titles=person.titles,
                    royal=person.royal or target.royal,
                    rank_from=person.rank_from or target.rank_from,
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
