"""Search as you type: the unfinished last word of a public query → the index terms it
may complete to.

People press Enter before a word is finished (``inaug``, ``telecom``,
``បច្ចេកវិទ្យ``). When the last word of a plain query is not a whole word of the index,
it is read as a prefix of the words the index holds, so the search finds what the
finished word finds. The rules (docs/api.md, "Search as you type"):

* Latin script: at least :data:`MIN_LATIN` letters, not a stop word. The prefix is
  looked up among the index's stemmed terms and among the unstemmed words of titles
  and summaries (``inaugurat`` is no prefix of the stem ``inaugur``, but is one of
  *inauguration*, whose stem is then searched).
* Khmer: the last Khmer run, cut to whole clusters of what was typed (a trailing coeng
  waiting for its consonant is dropped), at least :data:`MIN_KHMER` clusters. A run
  typed without spaces is tried whole and then from each of its word boundaries, so
  ``ក្រសួងបច្ចេកវិទ្យ`` reads ក្រសួង as a word and បច្ចេកវិទ្យ as the prefix. A prefix
  never splits a consonant stack of the word it completes to (``ក`` is no prefix of
  ``ក្រសួង``), while the vowel of its last cluster may follow (Khmer is typed
  consonants first: ``បច្ចេកវិទ្យ`` → ``បច្ចេកវិទ្យា``).
* At most ``limit`` terms (the query's expansion limit), the most frequent first, read
  from at most :data:`MAX_SCAN` index terms: a short prefix costs no more than a long one.

Pure over the reader: no side effects, nothing cached.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from whoosh.fields import Schema
from whoosh.reading import IndexReader, TermInfo

from indexer import khmer
from indexer.analysis import STOP_WORDS, word_analyzer

MIN_LATIN = 3  # letters of an unfinished Latin word
MIN_KHMER = 2  # clusters of an unfinished Khmer word
MAX_SCAN = 1024  # index terms read for one prefix, whatever it is
FIELD = "content"  # every searched word of an announcement is a term of this field
VOCABULARY = "words"  # unstemmed words of titles and summaries
_WORDS = word_analyzer()


@dataclass(frozen=True)
class Completion:
    """The words typed before the prefix (searched as whole words) and the index terms
    the prefix completes to."""

    head: list[str]
    prefix: str
    terms: list[str]


def complete(
    words: list[str], schema: Schema, reader: IndexReader, limit: int
) -> Completion | None:
    """How the last of ``words`` completes, or None when it is a whole word of the
    index, too short, a stop word, or the prefix of nothing."""
    if not words:
        return None
    last = words[-1]
    if khmer.has_khmer(last):
        return _khmer(words[:-1], last, reader, limit)
    return _latin(words[:-1], last, schema, reader, limit)


def _latin(
    head: list[str], last: str, schema: Schema, reader: IndexReader, limit: int
) -> Completion | None:
    typed = [t.text for t in _WORDS(last, mode="query")]
    if len(typed) != 1 or not typed[0].isalpha():
        return None
    prefix = typed[0]
    if len(prefix) < MIN_LATIN or prefix in STOP_WORDS or _is_word(last, schema, reader):
        return None
    found: dict[str, int] = {}
    analyzer = schema[FIELD].analyzer
    for word, _ in _scan(reader, VOCABULARY, prefix):
        for t in analyzer(word, mode="query"):
            found.setdefault(t.text, reader.doc_frequency(FIELD, t.text))
    for term, info in _scan(reader, FIELD, prefix):
        found.setdefault(term, info.doc_frequency())
    return _chosen(head, prefix, found, limit)


def _khmer(head: list[str], last: str, reader: IndexReader, limit: int) -> Completion | None:
    spans = list(khmer.runs(last))
    if not spans or spans[-1][1] != len(last) or khmer.KHMER_CHAR.sub("", last[: spans[-1][0]]):
        return None  # only a word that is one Khmer run
    pieces = list(khmer.words(last, 0, len(last)))
    clusters = list(khmer.clusters(last))
    while clusters and not _whole(clusters[-1].text):
        clusters.pop()
    end = clusters[-1].end if clusters else 0
    for i, piece in enumerate(pieces):
        tail = [c.text for c in clusters if c.start >= piece.start and c.end <= end]
        prefix = "".join(tail)
        if len(tail) < MIN_KHMER:
            return None
        if reader.doc_frequency(FIELD, prefix):
            return None  # the run ends with a whole word of the index
        found = {
            term: info.doc_frequency()
            for term, info in _scan(reader, FIELD, prefix)
            if not term[len(prefix) :].startswith(khmer.COENG)
        }
        if found:
            return _chosen([*head, *(p.text for p in pieces[:i])], prefix, found, limit)
    return None


def _whole(cluster: str) -> bool:
    """A cluster as typed in full: it starts with a letter and waits for no consonant."""
    return not cluster.endswith(khmer.COENG) and "\u1780" <= cluster[0] <= "\u17b3"


def _is_word(word: str, schema: Schema, reader: IndexReader) -> bool:
    terms = [t.text for t in schema[FIELD].analyzer(word, mode="query")]
    return not terms or any(reader.doc_frequency(FIELD, t) for t in terms)


def _scan(reader: IndexReader, fieldname: str, prefix: str) -> Iterator[tuple[str, TermInfo]]:
    """Terms of ``fieldname`` that start with ``prefix`` (not ``prefix`` itself), at
    most :data:`MAX_SCAN` of them."""
    if fieldname not in reader.schema:
        return iter(())
    found = (
        (t.decode("utf-8") if isinstance(t, bytes) else t, info)
        for t, info in reader.iter_prefix(fieldname, prefix)
    )
    return islice(((t, i) for t, i in found if t != prefix), MAX_SCAN)


def _chosen(head: list[str], prefix: str, found: dict[str, int], limit: int) -> Completion | None:
    ranked = sorted((t for t, n in found.items() if n), key=lambda t: (-found[t], t))
    return Completion(head, prefix, ranked[:limit]) if ranked else None
