"""Whoosh analysers for English and Khmer, in Whoosh's tokenizer | filter idiom.

One text field holds both scripts: :class:`ScriptTokenizer` sends each run of Khmer
script to the Khmer word segmenter (:mod:`indexer.khmer`) and everything else to an
English word pattern, so ``MPTC`` inside a Khmer sentence and ``ខេត្តតាកែវ`` inside an
English one are both indexed by the right rules. The English filters that follow are
harmless to Khmer tokens (Khmer has no case, accents or English suffixes).

:func:`khmer_cluster_analyzer` feeds the second Khmer field: orthographic clusters,
the recall net for words the segmenter splits differently in a query and a document.

Token offsets always point into the original text, on whole clusters, so highlights
land on what the reader sees.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.analysis.filters import CharsetFilter
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

from indexer import caches, khmer

_APOSTROPHES = "'’‘ʼ"
# Latin-script words: dotted acronyms (M.P.T.C.), words with inner apostrophes
# (Cambodia’s) and hyphens (Wi-Fi, Strategy-Phase), numbers in either digit set.
_W = r"(?:[^\W_]|[\u0300-\u036f])"  # a letter or digit, or a combining accent (NFD text)
_LATIN_WORD = re.compile(
    r"(?:[^\W\d_]\.){2,}"
    rf"|[^\W_]{_W}*(?:[{_APOSTROPHES}](?=[^\W_]){_W}+)*"
    rf"(?:-[^\W_]{_W}*(?:[{_APOSTROPHES}](?=[^\W_]){_W}+)*)*"
)


class _SpanTokenizer(Tokenizer):
    """Whoosh's tokenizer protocol over ``spans(value)``: (text, start, end) triples.

    The subclasses say what the tokens are; this says how Whoosh receives them, with
    offsets always into the original text.
    """

    def spans(self, value: str) -> Iterable[tuple[str, int, int]]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for text, start, end in self.spans(value):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class ScriptTokenizer(_SpanTokenizer):
    """Khmer runs → Khmer words; other text → Latin-script words and numbers."""

    def spans(self, value: str) -> Iterable[tuple[str, int, int]]:
        return _pieces(value)


@caches.lru(16, "a text read by more than one field (a title by title and words) segmented once")
def _pieces(value: str) -> tuple[tuple[str, int, int], ...]:
    """Words of a text with their spans. Cached: the same text is read by more than one
    field (a title by ``title`` and ``words``)."""
    return tuple(_scan(value))


def _scan(value: str) -> Iterator[tuple[str, int, int]]:
    cursor = 0
    for run_start, run_end in khmer.runs(value):
        yield from _latin(value, cursor, run_start)
        for text, start, end in _run_words(value[run_start:run_end]):
            yield text, run_start + start, run_start + end
        cursor = run_end
    yield from _latin(value, cursor, len(value))


@caches.lru(8192, "a Khmer run's words: runs repeat across fields and documents")
def _run_words(run: str) -> tuple[tuple[str, int, int], ...]:
    """The Khmer words of one unbroken run, offsets within the run. A run's words do
    not depend on what surrounds it, and runs repeat: a title is read again inside
    ``content``, and announcements share their set phrases."""
    return tuple((w.text, w.start, w.end) for w in khmer.words(run, 0, len(run)))


def _latin(value: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    for m in _LATIN_WORD.finditer(value, start, end):
        text = unicodedata.normalize("NFC", m.group())
        if "." in text:
            text = text.replace(".", "")
        yield khmer.fold_khmer_digits(text), m.start(), m.end()


class KhmerClusterTokenizer(_SpanTokenizer):
    """Pairs of neighbouring Khmer clusters (orthographic syllables): the recall net.

    ``តាកែវ`` gives ``តាកែ``, ``កែវ``; a query for it asks for both pairs, which
    ``ខេត្តតាកែវ`` and ``ខេត្ត តាកែវ`` contain however the segmenter splits them. Pairs
    need no positions (two pairs rarely meet by chance), so the field is cheap to
    build and to search; a pair may span a space but not punctuation or Latin text.
    """

    def spans(self, value: str) -> Iterator[tuple[str, int, int]]:
        previous = None
        for piece in khmer.clusters(value):
            gap = value[previous.end : piece.start] if previous is not None else None
            if gap is not None and not gap.strip(khmer.INVISIBLE + " \t\n"):
                yield previous.text + piece.text, previous.start, piece.end
            previous = piece


class PossessiveFilter(Filter):
    """``Cambodia’s``, ``Cambodia's`` and ``Cambodias`` become one word.

    The possessive ending goes, other apostrophes are dropped (``o’clock`` → ``oclock``);
    stemming then folds the plural-looking ``cambodias``.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if any(a in text for a in _APOSTROPHES):
                for a in _APOSTROPHES:
                    text = text.replace(a + "s", "") if text.endswith(a + "s") else text
                    text = text.replace(a, "")
                t.text = text
            yield t


class CompoundFilter(Filter):
    """Hyphenated words are findable whole and by part.

    Indexing ``Wi-Fi`` gives ``wifi`` and, at the same position, ``wi`` then ``fi``;
    a query for ``Wi-Fi`` asks for the joined ``wifi`` only, which ``WiFi`` also gives.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0
        for t in tokens:
            if t.positions:
                t.pos += shift
            if "-" not in t.text:
                yield t
                continue
            parts = [p for p in t.text.split("-") if p]
            whole = "".join(parts)
            t.text = whole
            yield t
            if t.mode == "query" or len(parts) < 2:
                continue
            base = t.pos if t.positions else 0
            for i, part in enumerate(parts):
                t.text = part
                if t.positions:
                    t.pos = base + i
                yield t
            shift += len(parts) - 1


NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}


class NumberWordFilter(Filter):
    """English number words up to twenty are their digits: "four core functions" finds
    "4 Core Functions"."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = NUMBER_WORDS.get(t.text, t.text)
            yield t


STOP_WORDS = frozenset(stoplists["en"]) - set(NUMBER_WORDS)


def text_analyzer() -> Filter:
    """English + Khmer words: the main searchable fields."""
    return (
        ScriptTokenizer()
        | PossessiveFilter()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | NumberWordFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | CompoundFilter()
        | StemFilter(lang="en", cachesize=50000)
    )


def word_analyzer() -> Filter:
    """Words as written (lower case, no stemming, no stop words): spelling suggestions."""
    return ScriptTokenizer() | PossessiveFilter() | LowercaseFilter() | CompoundFilter()


def khmer_cluster_analyzer() -> Filter:
    """Pairs of Khmer clusters: the recall net field."""
    return KhmerClusterTokenizer()


def analyse(text: str, mode: str = "index") -> list[str]:
    """Terms of ``text`` as the main fields index them (for tests and suggestions)."""
    return [t.text for t in text_analyzer()(text, mode=mode)]
