"""Highlighted snippets: the passage of a text that best matches a query, marked.

Marks are found by running the index's own analysers over the stored text, so a mark
lands exactly where the index matched: a stemmed English word (``inauguration`` for
``inaugurated``), a Khmer word, or a run of Khmer clusters matched by the recall net.
Offsets come from the analysers and always fall on whole clusters of the original
text, so a mark never splits what renders as one glyph. Everything is HTML-escaped.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from markupsafe import Markup, escape
from whoosh import query as Q

from indexer import caches, khmer
from indexer.analysis import NUMBER_WORDS, text_analyzer

WORD_FIELDS = frozenset({"title", "content"})
CLUSTER_FIELDS = frozenset({"content_kc"})
# one analyser for the process: its stemmer keeps a cache of the words it has seen
_ANALYZER = text_analyzer()
SNIPPET_CHARS = 260
RUN_REACH = 200  # characters of a Khmer run read on each side of a snippet's edge
HEAD_CHARS = 1500


@dataclass(frozen=True)
class Wanted:
    """What to mark: analysed words, and Khmer cluster sequences."""

    words: frozenset[str]
    cluster_runs: tuple[tuple[str, ...], ...]
    order: tuple[str, ...] = ()  # the Khmer words in the order the query has them
    names: tuple[str, ...] = ()  # a name the query means, in every spelling: marked whole

    def __bool__(self) -> bool:
        return bool(self.words or self.cluster_runs or self.names)


def wanted(query: Q.Query, names: Iterable[str] = ()) -> Wanted:
    """The terms of a query worth marking (negated parts are not). ``names``: the
    spellings, in both scripts, of a name the whole query means; then only the name
    is marked, whole, in whichever script the text writes it — never one of its
    words alone (ជា, a common word, of ជា វ៉ាន់ដេត) or a piece of a misspelling."""
    if names:
        return Wanted(frozenset(), (), (), tuple(names))
    words: set[str] = set()
    runs: list[tuple[str, ...]] = []
    order: list[str] = []

    def walk(q: Q.Query) -> None:
        if isinstance(q, Q.Not):
            return
        pairs = _cluster_pairs(q)
        if pairs:
            runs.append(_run_of(pairs))
            return
        if isinstance(q, Q.Phrase):
            if q.fieldname in CLUSTER_FIELDS:
                runs.append(tuple(q.words))
            elif q.fieldname in WORD_FIELDS:
                words.update(q.words)
            return
        if isinstance(q, Q.Term) and isinstance(q.text, str):
            if q.fieldname in WORD_FIELDS:
                words.add(q.text)
                order.append(khmer.normalise(q.text))
            return
        for child in q.children():
            walk(child)

    walk(query)
    return Wanted(frozenset(words), tuple(dict.fromkeys(runs)), tuple(dict.fromkeys(order)))


_WORD_REST = re.compile(f'[^\\s,;:!?()\\[\\]"“”{khmer.SCRIPT}]*')


@caches.lru(4096, "one small pattern per query term, compiled once")
def _candidates(term: str) -> re.Pattern[str]:
    """Starts of words that may analyse to ``term``: same first letters, the dotted form
    of an acronym (M.P.T.C.), or the spelled number (four for 4). One small pattern per
    term, cached: words repeat across searches far more than sets of words do."""
    starts = {re.escape(term[:3])}
    if term.isalpha() and len(term) <= 8:
        starts.add(r"\.".join(map(re.escape, term[:3])) + r"\.")
    starts.update(re.escape(w) for w, digit in NUMBER_WORDS.items() if digit == term)
    return re.compile(rf"(?i)(?<![^\W_])(?:{'|'.join(sorted(starts))})")


def _candidate_words(text: str, terms: frozenset[str]) -> Iterator[tuple[int, int]]:
    """Spans of the whole words of ``text`` that start like one of ``terms``."""
    for term in terms:
        pattern, pos = _candidates(term), 0
        while (m := pattern.search(text, pos)) is not None:
            rest = _WORD_REST.match(text, m.end())  # never None: the pattern may be empty
            pos = rest.end() if rest is not None else m.end()
            yield m.start(), pos


def _cluster_pairs(q: Q.Query) -> list[str]:
    """The cluster pairs of one Khmer word in the recall-net fields, in order."""
    if isinstance(q, Q.Term) and q.fieldname in CLUSTER_FIELDS:
        return [q.text]
    if (
        isinstance(q, Q.And)
        and q.subqueries
        and all(isinstance(c, Q.Term) and c.fieldname in CLUSTER_FIELDS for c in q.subqueries)
    ):
        return [c.text for c in q.subqueries]
    return []


def _run_of(pairs: list[str]) -> tuple[str, ...]:
    """Clusters of a word from its overlapping pairs: តាកែ, កែវ → តា, កែ, វ."""
    run = [p.text for p in khmer.clusters(pairs[0])]
    for pair in pairs[1:]:
        run.append([p.text for p in khmer.clusters(pair)][-1])
    return tuple(run)


def spans(text: str, want: Wanted) -> list[tuple[int, int]]:
    """Character spans of ``text`` to mark, merged and in order."""
    found: list[tuple[int, int]] = [s for name in want.names for s in _name_spans(text, name)]
    latin = {w for w in want.words if not khmer.has_khmer(w)}
    runs = [*want.cluster_runs, *_word_runs(frozenset(want.words - latin))]
    if latin:
        # Look only at words that could become a wanted term (a stem keeps the start of
        # its word); run the analyser on those alone, once per distinct word.
        for start, end in set(_candidate_words(text, frozenset(latin))):
            if not _terms_of(text[start:end]).isdisjoint(latin):
                found.append((start, end))
    if runs:
        khmer_found = _whole_words(text, _cluster_runs(text, set(runs)))
        words = [w for w in _word_runs(frozenset(want.words - latin))]
        if len(words) > 1:
            # a name of several words is marked as one unit where it stands whole;
            # then its words alone (ជា of ជា វ៉ាន់ដេត) are not marked elsewhere
            name = tuple(c for w in sorted(words, key=lambda w: _query_order(want, w)) for c in w)
            whole = _whole_words(text, _cluster_runs(text, {name}), spaced=True)
            if whole:
                khmer_found = whole
        found += khmer_found
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _name_spans(text: str, name: str) -> list[tuple[int, int]]:
    """Where ``text`` writes ``name`` whole: Khmer by its clusters, on word boundaries
    or beside spaces; Latin case-insensitively, between non-letters."""
    if khmer.has_khmer(name):
        run = tuple(c.text for c in khmer.clusters(name))
        return _whole_words(text, _cluster_runs(text, {run}), spaced=True)
    return [(m.start(), m.end()) for m in _latin_name(name).finditer(text)]


@caches.lru(1024, "a name's pattern in Latin script, compiled once")
def _latin_name(name: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in name.split()]
    return re.compile(r"(?i)(?<![^\W_])" + r"[\s\-]+".join(words) + r"(?![^\W_])")


def _query_order(want: Wanted, run: tuple[str, ...]) -> int:
    """Where a Khmer word of the query stands in it (its words are kept in order)."""
    joined = "".join(run)
    return want.order.index(joined) if joined in want.order else len(want.order)


def _whole_words(
    text: str, found: list[tuple[int, int]], spaced: bool = False
) -> list[tuple[int, int]]:
    """The spans that begin and end on word boundaries, as the index's segmenter cuts
    the text: ជា inside កម្ពុជា or ដេ inside វីដេអូ is part of another word, not a match.
    ``spaced``: a space (or a non-Khmer character) beside the span is a boundary too,
    as around a name, which the segmenter may not know."""
    if not found:
        return []
    if spaced:

        def edge(i: int) -> bool:
            return i <= 0 or i >= len(text) or not khmer.has_khmer(text[i])

        loose = [(s, e) for s, e in found if edge(s - 1) and edge(e)]
        strict = _whole_words(text, [f for f in found if f not in loose])
        return sorted(loose + strict)
    starts: set[int] = set()
    ends: set[int] = set()
    for run_start, run_end in khmer.runs(text):
        if any(run_start <= s < run_end for s, _ in found):
            for s, e in _words_of_run(text[run_start:run_end]):
                starts.add(run_start + s)
                ends.add(run_start + e)
    return [(s, e) for s, e in found if s in starts and e in ends]


@caches.lru(8192, "a run of Khmer text segmented once: results show the same runs again")
def _words_of_run(run: str) -> tuple[tuple[int, int], ...]:
    """The word spans of one run of Khmer text, as the index's segmenter cuts it: a
    page of results segments the same runs again and again (titles, common phrases),
    and ICU's dictionary break is the costly part of a snippet."""
    return tuple((w.start, w.end) for w in khmer.words(run, 0, len(run)))


@caches.lru(65536, "a word of text through the analyser once (words repeat, Zipf)")
def _terms_of(word: str) -> frozenset[str]:
    """The index terms of one word of text; words repeat across documents (Zipf), so
    each distinct word goes through the analyser's Python filter chain once."""
    return frozenset(t.text for t in _ANALYZER(word, mode="index"))


# The cluster pattern of indexer.khmer, captured, so one C-level split gives every
# cluster and every gap between them: offsets are running sums of their lengths.
_CLUSTER_SPLIT = re.compile(f"({khmer._RAW_CLUSTER.pattern})")
_SEP = "\x00"


@caches.lru(256, "a query's Khmer words as clusters, once per query")
def _word_runs(words: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    """The normalised clusters of each Khmer word of a query (once per query)."""
    return tuple(tuple(c.text for c in khmer.clusters(w)) for w in words)


@caches.lru(512, "the clusters of texts shown lately: the same announcements top many searches")
def _cluster_table(text: str) -> tuple[str, array, array]:
    """The normalised clusters of ``text`` joined by a separator, with each cluster's
    span in the original. Kept for the texts shown lately: the same announcements
    answer many Khmer searches."""
    parts = _CLUSTER_SPLIT.split(text)  # gap, cluster, gap, cluster, …, gap
    ends = list(itertools.accumulate(map(len, parts)))
    starts, stops = ends[0::2][:-1], ends[1::2]
    norms = list(map(khmer.normalise_cluster, parts[1::2]))
    if "" in norms:  # a cluster of invisibles only is no cluster (as khmer.clusters)
        keep = [i for i, n in enumerate(norms) if n]
        norms = [norms[i] for i in keep]
        starts, stops = [starts[i] for i in keep], [stops[i] for i in keep]
    return _SEP + _SEP.join(norms) + _SEP, array("i", starts), array("i", stops)


def _cluster_runs(text: str, runs: set[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Spans of ``text`` whose normalised clusters are one of ``runs``.

    Khmer words are matched as runs of clusters: cheaper than segmenting the text, and
    a match lands on whole clusters of the original. The text's clusters, normalised,
    are joined with a separator and each run is found with ``str.find``; no Python
    loop visits every cluster."""
    if not khmer.has_khmer(text):
        return []
    joined, starts, stops = _cluster_table(text)
    found: list[tuple[int, int]] = []
    for run in runs:
        needle = _SEP + _SEP.join(run) + _SEP
        pos, index, counted = joined.find(needle), 0, 0
        while pos >= 0:
            index += joined.count(_SEP, counted, pos)  # clusters before this match
            counted = pos
            found.append((starts[index], stops[index + len(run) - 1]))
            pos = joined.find(needle, pos + 1)
    return found


def snippet(text: str, want: Wanted, size: int = SNIPPET_CHARS) -> Markup:
    """The densest window of ``text`` around the marks, escaped, marks in ``<mark>``."""
    marks = []
    if want:
        # most matches are early: read the opening first, the rest only if it has none
        marks = spans(text[:HEAD_CHARS], want)
        if not marks and len(text) > HEAD_CHARS:
            marks = spans(text, want)
    if not marks:
        return Markup(escape(_trim(text, 0, size)))
    best, best_count = marks[0][0], 0
    for i, (start, _) in enumerate(marks):
        count = sum(1 for s, e in marks[i:] if e <= start + size)
        if count > best_count:
            best, best_count = start, count
    begin = _word_edge(text, max(0, best - size // 4), -1)
    end = _word_edge(text, min(len(text), begin + size), 1)
    for start, stop in marks:  # a mark is shown whole or not at all
        if start < end < stop:
            end = stop
    out: list[str] = ["…" if begin > 0 else ""]
    cursor = begin
    for start, stop in marks:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        out.append(str(escape(text[cursor:start])))
        out.append(f"<mark>{escape(text[start:stop])}</mark>")
        cursor = stop
    out.append(str(escape(text[cursor:end])))
    if end < len(text):
        out.append("…")
    return Markup("".join(out).replace("\n", " "))


def _word_edge(text: str, pos: int, step: int) -> int:
    """``pos`` moved to the nearest word boundary before it (``step`` -1, a window's
    start) or after it (+1, its end), so a snippet never starts or ends inside a word:
    in Khmer, written without spaces, the boundaries of the index's segmenter; else a
    space within 40 characters, or at least a cluster's edge."""
    if pos <= 0 or pos >= len(text):
        return max(0, min(pos, len(text)))
    if khmer.has_khmer(text[pos - 1]) and khmer.has_khmer(text[pos]):  # inside a Khmer run
        run_start, run_end = pos, pos
        while run_start > max(0, pos - RUN_REACH) and khmer.has_khmer(text[run_start - 1]):
            run_start -= 1
        while run_end < min(len(text), pos + RUN_REACH) and khmer.has_khmer(text[run_end]):
            run_end += 1
        edges = {run_start, run_end}
        for s, e in _words_of_run(text[run_start:run_end]):
            edges.update((run_start + s, run_start + e))
        before = [e for e in edges if e <= pos]
        after = [e for e in edges if e >= pos]
        return max(before) if step < 0 else min(after)
    if step < 0:
        space = text.rfind(" ", max(0, pos - 40), pos)
        if space >= 0:
            return space + 1
        return 0 if pos <= 40 else _cluster_edge(text, pos, -1)
    space = text.find(" ", pos, pos + 40)
    if space >= 0:
        return space
    return len(text) if pos + 40 >= len(text) else _cluster_edge(text, pos, 1)


def _cluster_edge(text: str, pos: int, step: int) -> int:
    while 0 < pos < len(text) and (
        unicodedata.category(text[pos]) in ("Mn", "Mc") or text[pos - 1] == "\u17d2"
    ):
        pos += step
    return pos


def _trim(text: str, start: int, size: int) -> str:
    piece = text[start : start + size]
    return piece + ("…" if len(text) > start + size else "")
