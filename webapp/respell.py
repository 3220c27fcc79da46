"""Respelling a query the index cannot answer: each unknown word → the nearest word the
index holds, names first, then frequent words.

Pure, apart from the two things a generation lends it: its vocabulary (the ``words``
field's terms with their document frequencies, and the names of its facet values,
built once per generation by :func:`vocabulary`) and a test for "a word of the index"
(the search service's look-up in the stemmed fields).

The rules (docs/api.md, "Respelling"):

* a word is left as typed when it is a word of the index, a name the registry or the
  gazetteer knows, a stop word, a unit word (``Khet``, ``ស្រុក``), a number, or shorter
  than :data:`MIN_LATIN` letters (:data:`MIN_KHMER` clusters). A Khmer run that the
  segmenter cuts into words and a lone cluster is not taken for words of the index:
  that is how a misspelt Khmer word segments;
* otherwise its candidates are the vocabulary's words within an edit distance
  (:func:`max_distance`; transpositions count one): Latin by letters, Khmer by
  clusters, so a vowel sign is never separated from its consonant. A stop word is
  never a candidate;
* the best candidate is the nearest; at the same distance a name beats a word, then
  the more frequent word wins.

Whether the respelling replaces what was typed is :func:`verdict`'s: counted by the
search service in the same generation, with the same filters.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from indexer import caches, khmer
from indexer.analysis import STOP_WORDS
from indexer.entities.registry import Registry, registry
from indexer.entities.vocabulary import (
    DISTRICT_UNITS_EN,
    PROVINCE_UNITS_EN,
    SOFT_UNIT_WORDS,
    UNIT_WORDS_KM,
)
from indexer.places import fold_khmer, fold_latin, gazetteer
from webapp.vector import Deadline

MIN_LATIN = 4  # letters: "Kak", "to" are never respelt
MIN_KHMER = 2  # clusters
FAR = 5  # a respelling that finds this many times more replaces what was typed
PUNCTUATION = ".,;:!?\"'()“”‘’"
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_CODES = 0xF0000  # Khmer clusters are compared as one private-use character each
UNIT_WORDS = frozenset(
    {*SOFT_UNIT_WORDS, *PROVINCE_UNITS_EN, *DISTRICT_UNITS_EN, *map(khmer.normalise, UNIT_WORDS_KM)}
)


def max_distance(units: int) -> int:
    """Edits allowed in a word of ``units`` letters (Latin) or clusters (Khmer): one up
    to five, two from six (a three-cluster Khmer word allows one)."""
    return 1 if units <= 5 else 2


@dataclass(frozen=True)
class Entry:
    frequency: int  # announcements whose titles or summaries have it
    name: bool  # a name of a facet value (official, place, organisation)


class Vocabulary:
    """One generation's words, bucketed by length for the candidate scan; Khmer words
    are kept as strings of cluster codes."""

    def __init__(self, entries: dict[str, Entry]) -> None:
        self.entries = entries
        self.clusters: dict[str, str] = {}  # Khmer cluster → its code
        self._latin: dict[int, list[str]] = defaultdict(list)
        self._khmer: dict[int, list[tuple[str, str]]] = defaultdict(list)  # (codes, word)
        for word in entries:
            if khmer.has_khmer(word):
                codes = self.encode(word, grow=True)
                self._khmer[len(codes)].append((codes, word))
            else:
                self._latin[len(word)].append(word)

    def __contains__(self, word: str) -> bool:
        return word in self.entries

    def encode(self, word: str, grow: bool = False) -> str:
        """A Khmer word as one character per cluster; a cluster the vocabulary has not
        seen gets a code of its own that matches nothing."""
        out = []
        unseen: dict[str, str] = {}
        for piece in khmer.clusters(word):
            code = self.clusters.get(piece.text)
            if code is None:
                if grow:
                    code = self.clusters[piece.text] = chr(_CODES + len(self.clusters))
                else:
                    code = unseen.setdefault(
                        piece.text, chr(_CODES + len(self.clusters) + len(unseen))
                    )
            out.append(code)
        return "".join(out)

    def candidates(self, word: str) -> list[tuple[int, str]]:
        """(distance, word) of the vocabulary's words near ``word`` (lower case)."""
        if khmer.has_khmer(word):
            codes = self.encode(word)
            limit = max_distance(len(codes))
            pool = [
                pair
                for n in range(len(codes) - limit, len(codes) + limit + 1)
                for pair in self._khmer.get(n, ())
            ]
            found = process.extract(
                codes, [c for c, _ in pool], scorer=OSA.distance, score_cutoff=limit, limit=None
            )
            return [(int(d), pool[i][1]) for _, d, i in found]
        limit = max_distance(len(word))
        latin = [
            w
            for n in range(len(word) - limit, len(word) + limit + 1)
            for w in self._latin.get(n, ())
        ]
        found = process.extract(word, latin, scorer=OSA.distance, score_cutoff=limit, limit=None)
        return [(int(d), w) for w, d, _ in found]

    def best(self, word: str) -> str | None:
        """The respelling of one unknown word, or None when nothing is near enough."""
        ranked = sorted(
            (d, not self.entries[w].name, -self.entries[w].frequency, w)
            for d, w in self.candidates(word)
            if w != word
        )
        return ranked[0][3] if ranked else None


def vocabulary(terms: Iterable[tuple[str, int]], names: Iterable[str]) -> Vocabulary:
    """The candidates of a generation: ``terms`` (word, document frequency) of its
    titles and summaries, and ``names`` (its facet values, in every script it writes
    them). Stop words, numbers and words too short to respell are left out."""
    entries: dict[str, Entry] = {}
    for word, frequency in terms:
        if _eligible(word):
            entries[word] = Entry(frequency, False)
    for name in names:
        for word in _name_words(name):
            key = word.lower()
            if _eligible(key):
                old = entries.get(key)
                entries[key] = Entry(old.frequency if old else 1, True)
    known_name("")  # the registry's and the gazetteer's names, read now, not in a search
    return Vocabulary(entries)


def _eligible(word: str) -> bool:
    if word in STOP_WORDS or word in UNIT_WORDS:
        return False
    if khmer.has_khmer(word):
        return not khmer.KHMER_CHAR.sub("", word) and len(list(khmer.clusters(word))) >= MIN_KHMER
    return len(word) >= MIN_LATIN and word.isalpha()


def _name_words(name: str) -> list[str]:
    """The words of a name: Latin words as written, Khmer words as the index segments them."""
    out = _LATIN_WORD.findall(khmer.KHMER_CHAR.sub(" ", name))
    for start, end in khmer.runs(name):
        out += [p.text for p in khmer.words(name, start, end)]
    return out


# --- names the registry and the gazetteer know, in any generation --------------------


def _registry_words(reg: Registry) -> frozenset[str]:
    spellings = [
        *(s for o in reg.officials for s in (o.name, *o.latin, *o.km)),
        *(s for o in reg.organisations for s in (o.name, *o.latin, *o.km)),
    ]
    return frozenset(w.lower() for s in spellings for w in (*_name_words(s), *s.split()))


@caches.lru(None, "the gazetteer's words a respelling may offer, built once")
def _gazetteer_words() -> frozenset[str]:
    g = gazetteer()
    names = [*(n for ns in g.province_names.values() for n in ns)]
    names += [u.name for u in g.units.values()] + [u.km for u in g.units.values()]
    return frozenset(w.lower() for n in names for w in _name_words(n))


def prepare() -> None:
    """Build the names' word sets now (a tenth of a second, once a process), so the
    first search with a word to respell does not pay for them."""
    registry().derived(_registry_words)
    _gazetteer_words()


def known_name(word: str) -> bool:
    """A word of a name the registry or the gazetteer knows (``Takeo``, ``កំពត``,
    ``Vandeth``, ``MPTC``), as written or as the gazetteer folds romanisations."""
    key = word.lower()
    if key in registry().derived(_registry_words) or key in _gazetteer_words():
        return True
    g = gazetteer()
    table, folded = (
        (g.by_khmer, fold_khmer(word))
        if khmer.has_khmer(word)
        else (
            g.by_latin,
            fold_latin(word),
        )
    )
    return any((level, folded) in table for level in ("province", "district", "commune"))


# --- a query ---------------------------------------------------------------------------


def _kept(core: str, vocab: Vocabulary | None, is_word: Callable[[str], bool]) -> bool:
    """Whether a word stays as typed (the rules of the module's docstring)."""
    key = core.lower()
    if not core or key in STOP_WORDS or key in UNIT_WORDS or (vocab and key in vocab):
        return True
    if khmer.has_khmer(core):
        if khmer.KHMER_CHAR.sub("", core) or len(list(khmer.clusters(core))) < MIN_KHMER:
            return True  # mixed scripts, digits or one cluster: nothing to compare
        pieces = [p.text for s, e in khmer.runs(core) for p in khmer.words(core, s, e)]
        if len(pieces) > 1 and any(len(list(khmer.clusters(p))) < MIN_KHMER for p in pieces):
            # a misspelt word segments into words and stray clusters, each of which the
            # index has: only a name keeps it
            return known_name(core)
    elif len(core) < MIN_LATIN or not core.isalpha():
        return True
    return known_name(core) or is_word(key)


def _unit_prefix(core: str) -> tuple[str, str]:
    """A Khmer unit word or title typed joined to the word after it (ខេត្តតាកេវ):
    (the prefix, the rest), so the rest is what is compared."""
    norm = khmer.normalise(core)
    for prefix in khmer.PREFIX_WORDS:
        if norm.startswith(prefix) and len(norm) > len(prefix):
            return prefix, norm[len(prefix) :]
    return "", norm


def _parts(word: str) -> tuple[str, str]:
    """(a Khmer unit word typed joined to it, the word to compare) of a typed word."""
    core = word.strip(PUNCTUATION)
    return _unit_prefix(core) if khmer.has_khmer(core) else ("", core)


def unknown(words: Sequence[str], is_word: Callable[[str], bool]) -> list[str]:
    """The words a respelling would look up, by every rule but the vocabulary's: when
    there are none, the vocabulary is not needed (nor built)."""
    return [w for w in words if not _kept(_parts(w)[1], None, is_word)]


def respell(
    words: Sequence[str],
    vocab: Vocabulary,
    is_word: Callable[[str], bool],
    deadline: Deadline | None = None,
) -> str | None:
    """The query with each unknown word respelt, or None when no word changes (or the
    deadline passes first: a respelling half made is not offered)."""
    out: list[str] = []
    changed = False
    for word in words:
        if deadline is not None and deadline.over():
            return None
        prefix, core = _parts(word)
        new = None if _kept(core, vocab, is_word) else vocab.best(core.lower())
        if new is None:
            out.append(word)
        else:
            lead = word[: len(word) - len(word.lstrip(PUNCTUATION))]
            trail = word[len(word.rstrip(PUNCTUATION)) :]
            out.append(lead + prefix + _cased(core, new) + trail)
            changed = True
    if deadline is not None and deadline.over():
        return None
    return " ".join(out) if changed else None


def _cased(typed: str, word: str) -> str:
    """``word`` in the case ``typed`` was written in (Tekeo → Takeo, MPTS → MPTC)."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    return word.capitalize() if typed[:1].isupper() else word


def verdict(typed: int, relaxed: bool, respelled: int) -> str | None:
    """What to do with a respelling whose words all match in ``respelled``
    announcements where the query as typed found ``typed`` (``relaxed``: with only
    some of its words): ``"show"`` its results instead, ``"offer"`` it as a link, or
    None. Shown when the words found nothing or :data:`FAR` times fewer; when only
    some words matched, shown unless it finds :data:`FAR` times fewer (all the words
    of a respelling beat some of the words as typed); never offered when it finds
    fewer than the results shown."""
    if respelled == 0:
        return None
    if typed == 0 or respelled >= FAR * typed or (relaxed and respelled * FAR >= typed):
        return "show"
    return "offer" if respelled > typed else None
