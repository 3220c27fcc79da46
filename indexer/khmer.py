"""Khmer text: normalisation rules, orthographic clusters and word segmentation.

The same Khmer word reaches us typed several ways that look identical on screen. Each
rule below is a small named function; :func:`normalise_cluster` applies them in order
to one orthographic cluster (a base letter and the marks that render on it), and the
same function serves documents, queries and the entity gazetteer, so every side of a
match agrees on spelling.

Word segmentation: ICU's dictionary-based word break (through ``icu4py``, which bundles
ICU). We compared three segmenters on the real corpus (``bench/segmenters.py``):

* ``khmercut`` (CRF, Apache-2.0, 20 MB model): the best word boundaries around names
  and unit words (ខេត្ត|តាកែវ), but about 85,000 characters/s: a 100,000-announcement
  build would spend most of an hour in it.
* ``khmer-tokenizer`` (Rust core): publishes no wheel, and its source build needs
  crates.io, which this deployment's machines cannot reach, so it cannot be installed.
* ICU word break (``icu4py``, MIT, bundled ICU 42 MB, Unicode licence data): about
  10 million characters/s, maintained with ICU's Khmer dictionary. It sometimes keeps a
  unit word on a name (ខេត្តតាកែវ) or splits a rare name; because documents and
  queries are segmented by the same code, a name typed alone still matches as a phrase,
  and the cluster field (:func:`clusters`) is the recall net for the rest.

ICU won on speed by two orders of magnitude with recall made whole by the cluster
field, so the word field uses ICU.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import reduce

from icu4py.breakers import WordBreaker

from indexer import caches, khmer_words

COENG = "\u17d2"
RO = "\u179a"

# Characters that change nothing on screen: zero-width space/non-joiner/joiner, word
# joiner, BOM, and the inherent vowels U+17B4/U+17B5 that Unicode says not to use.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u17b4\u17b5"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")

_BASE = "\u1780-\u17b3\u17dc"  # consonants, independent vowels, avakrahasanya
_MARK = "\u17b6-\u17d1\u17d3\u17dd"  # dependent vowels and signs (not coeng)
_DIGITS_KM = "\u17e0-\u17e9"

# One raw cluster in text as typed: a base (or stray marks from damaged text) followed by
# coeng+letter pairs, marks and invisibles in any order.
_RAW_CLUSTER = re.compile(
    f"(?:[{_BASE}]|[{_MARK}{COENG}])(?:[{INVISIBLE}]*(?:{COENG}[{_BASE}]|[{_MARK}]))*"
)
# The script's two blocks (Khmer, and Khmer symbols: lunar dates); a run of word
# characters (letters, vowels and signs: no punctuation, no digits). Every pattern that
# asks "is this Khmer?" is built from these.
SCRIPT = "\u1780-\u17ff\u19e0-\u19ff"
WORD_CHARS = "\u1780-\u17dd"
KHMER_LETTER = re.compile(f"[{SCRIPT}]")
KHMER_CHAR = re.compile(f"[{SCRIPT}{INVISIBLE}]")  # with the invisibles typed among them
KHMER_DIGIT_TABLE = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


# --- the rules, one function each ---------------------------------------------------


def remove_invisible(text: str) -> str:
    """Drop zero-width characters, the BOM and the inherent vowels U+17B4/U+17B5."""
    return _INVISIBLE_RE.sub("", text)


def fold_coeng_da(text: str) -> str:
    """Coeng-DA (្ដ) and coeng-TA (្ត) render alike and writers use either: use ្ត."""
    return text.replace("\u17d2\u178a", "\u17d2\u178f")


def compose_split_vowels(text: str) -> str:
    """Two-part vowels typed as their halves (េ + ី, េ + ា) become the single letter."""
    return text.replace("\u17c1\u17b8", "\u17be").replace("\u17c1\u17b6", "\u17c4")


_VOWEL_VARIANTS = str.maketrans({"\u17ac": "\u17ab", "\u17ae": "\u17ad", "\u17b2": "\u17b1"})


def fold_independent_vowels(text: str) -> str:
    """ឬ/ឫ, ឮ/ឭ and ឲ/ឱ are written for one another (ឬស្សីកែវ for ឫស្សីកែវ): fold each pair."""
    return text.translate(_VOWEL_VARIANTS)


def fold_khmer_digits(text: str) -> str:
    """Khmer digits ០–៩ equal Arabic 0–9, so ២០២៤ finds 2024 and back."""
    return text.translate(KHMER_DIGIT_TABLE)


def _mark_rank(unit: str) -> int:
    if unit == "\u17cc":  # robat sits on the base
        return 0
    if unit.startswith(COENG):
        return 2 if unit == COENG + RO else 1  # coeng-RO after the other subscript
    if unit in "\u17c9\u17ca":  # register shifters
        return 3
    if "\u17b6" <= unit <= "\u17c5":  # dependent vowels after the subscripts
        return 4
    return 5  # nikahit, reahmuk and the other signs last


def reorder_cluster(cluster: str) -> str:
    """Canonical mark order inside one cluster.

    Base, robat, subscripts (coeng-RO last), register shifter, vowel, other signs: the
    order Unicode's Khmer encoding model and fonts expect. Keyboards let people type
    ្រ before ្ត or a vowel before the subscript; on screen both look the same.
    """
    if len(cluster) <= 2:
        return cluster
    units: list[str] = []
    i = 1
    while i < len(cluster):
        if cluster[i] == COENG and i + 1 < len(cluster):
            units.append(cluster[i : i + 2])
            i += 2
        else:
            units.append(cluster[i])
            i += 1
    units.sort(key=_mark_rank)  # stable: equal ranks keep the writer's order
    return cluster[0] + "".join(units)


# the rules in the order they apply (each sees the one before's output)
CLUSTER_RULES: tuple[Callable[[str], str], ...] = (
    remove_invisible,
    fold_independent_vowels,
    fold_coeng_da,
    reorder_cluster,
    compose_split_vowels,
)


@caches.lru(65536, "a cluster normalised once: clusters repeat endlessly")
def normalise_cluster(raw: str) -> str:
    """All rules on one raw cluster; cached, since clusters repeat endlessly."""
    return reduce(lambda text, rule: rule(text), CLUSTER_RULES, raw)


def normalise(text: str) -> str:
    """The normalised form of any text: Khmer clusters fixed, digits folded, rest kept."""
    text = _RAW_CLUSTER.sub(lambda m: normalise_cluster(m.group()), text)
    return fold_khmer_digits(remove_invisible(text))


def has_khmer(text: str) -> bool:
    return KHMER_CHAR.search(text) is not None


# --- clusters and words with offsets into the original text -----------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """A normalised unit of Khmer text and the span it came from in the original."""

    text: str
    start: int
    end: int


def clusters(text: str, start: int = 0, end: int | None = None) -> Iterator[Piece]:
    """Normalised orthographic clusters of ``text[start:end]``, with original offsets.

    A mark is never separated from its base, so highlighting by these spans never
    splits what renders as one glyph.
    """
    for m in _RAW_CLUSTER.finditer(text, start, len(text) if end is None else end):
        norm = normalise_cluster(m.group())
        if norm:
            yield Piece(norm, m.start(), m.end())


_KHMER_RUN = re.compile(
    # a dotted abbreviation (ក.ប.ទ., like M.P.T.C.) is one run, read as one word
    f"(?:[{_BASE}][{_MARK}{COENG}{INVISIBLE}]*\\.){{2,}}|(?:[{_BASE}{_MARK}{COENG}{INVISIBLE}])+"
)


def runs(text: str) -> Iterator[tuple[int, int]]:
    """Spans of unbroken Khmer script (clusters and invisibles, no spaces)."""
    for m in _KHMER_RUN.finditer(text):
        yield m.start(), m.end()


def segment(norm: str) -> list[tuple[int, int]]:
    """Word boundaries of normalised Khmer text (ICU's dictionary word break)."""
    if len(norm) <= 1:
        return [(0, len(norm))] if norm else []
    return list(WordBreaker(norm, "km").segments())


# Words ICU's dictionary glues to the name that follows them (ខេត្តតាកែវ, ឯកឧត្តមជា):
# administrative unit words and titles (:mod:`indexer.khmer_words`). Split off, the name
# is a word of its own.
PREFIX_WORDS = tuple(
    sorted(
        dict.fromkeys(normalise(w) for w in khmer_words.GLUED_BEFORE_NAME), key=len, reverse=True
    )
)


def _split_prefix(word: list[Piece]) -> list[list[Piece]]:
    """Split a leading unit word or title off a segmented word, cluster-exact."""
    text = "".join(p.text for p in word)
    if not text.startswith(PREFIX_WORDS):  # most words: one C-level test, no loop
        return [word]
    for prefix in PREFIX_WORDS:
        if text.startswith(prefix) and len(text) > len(prefix):
            taken, n = 0, 0
            while taken < len(prefix):
                taken += len(word[n].text)
                n += 1
            if taken == len(prefix) and len(word) - n >= 2:
                return [word[:n], *_split_prefix(word[n:])]
    return [word]


def words(text: str, start: int, end: int) -> Iterator[Piece]:
    """Khmer words of one run ``text[start:end]``, snapped to whole clusters.

    The run is normalised cluster by cluster, segmented, and each word's span mapped
    back through its clusters to the original text.
    """
    pieces = list(clusters(text, start, end))
    if not pieces:
        return
    if text[end - 1] == ".":  # dotted abbreviation: the letters are the word
        yield Piece("".join(p.text for p in pieces), start, end)
        return
    norm = "".join(p.text for p in pieces)
    owner: list[int] = []
    for index, piece in enumerate(pieces):
        owner.extend([index] * len(piece.text))
    last = -1
    for s, e in segment(norm):
        first_c, last_c = owner[s], owner[e - 1]
        if last_c <= last:
            continue
        first_c = max(first_c, last + 1)
        last = last_c
        for part in _split_prefix(pieces[first_c : last_c + 1]):
            yield Piece("".join(p.text for p in part), part[0].start, part[-1].end)
