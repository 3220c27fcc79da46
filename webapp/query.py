"""Query text → a Whoosh query, for the public box and for staff.

Plain words (the public box): every word must match (stemmed English, Khmer words),
the words as a phrase rank first, and a name the registry or the gazetteer knows
(misspelt, or in another spelling) also finds the canonical entity. When no
announcement has every word, :func:`relaxed` gives the any-word reading.

Staff syntax: ``"phrases"``, ``AND``/``OR``/``NOT``, ``-word``, ``word*``,
``field:value`` (``title``, ``minister``, ``province``, ``person``, ``place``, ``org``,
``lang``, ``year``, ``date:2025``, ``date:>2025``, ``date:[2024-01-01 TO 2024-06-30]``).
An entity value in either script, an abbreviation or another spelling is read as the
canonical value the index holds (``province:តាកែវ`` → Takeo, ``org:ITU``). Text Whoosh
cannot read gets a plain-language notice and the best reading of it, never an exception.

Every query has a bounded cost (docs/api.md, "Limits"): the text is cut to
:data:`MAX_CHARS` and :data:`MAX_TERMS` words, brackets to :data:`MAX_DEPTH` levels,
and, once a reader is at hand, each range or wildcard is replaced by an ``Or`` of at
most :data:`MAX_EXPANSION` of the index's terms (:data:`MAX_EXPANDED` for the whole
query), with a notice when one was cut. The time budget of a search
(:data:`TIME_BUDGET_S`) is kept by :mod:`webapp.vector` while matching.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from whoosh import qparser
from whoosh import query as Q
from whoosh.fields import Schema
from whoosh.qparser.dateparse import DateParserPlugin, English
from whoosh.reading import IndexReader

from indexer import caches, khmer
from indexer.analysis import STOP_WORDS
from indexer.config import default_registry
from indexer.entities import synonyms
from indexer.entities.registry import registry, resolve_khmer_name, resolve_latin_name
from indexer.entities.vocabulary import SOFT_UNIT_WORDS, UNIT_PREFIX_KM, UNIT_WORD_EN
from indexer.facets import DATE_FACETS, ENTITY_FACETS, FACETS
from indexer.places import LEVELS, fold_khmer, fold_latin, gazetteer
from indexer.schema import SEARCHED
from webapp import prefix

TEXT_FIELDS = SEARCHED
FIELD_BOOSTS = {"title": 2.0, "content": 1.0, "content_kc": 0.3}
# Names staff may write before a colon → the index field.
FIELD_ALIASES = {
    "content": ["body", "description", "text"],
    # each facet by its URL name and aliases (``minister:``, ``org:``), from the table
    **{
        f.field: names
        for f in FACETS
        if f.field and (names := [n for n in (f.name, *f.aliases) if n != f.field])
    },
}
ADDRESSABLE = {
    "title",
    "description",
    "body",
    "lang",
    *(f.field for f in DATE_FACETS),
    "date",
    "tags",
    "author",
    *FIELD_ALIASES,
    *(a for v in FIELD_ALIASES.values() for a in v),
}

# --- limits: what bounds the cost of any query (measured at 100,000 announcements,
# docs/api.md "Limits", docs/performance.md "Adversarial queries") -------------------
MAX_CHARS = 400  # characters of query text
MAX_TERMS = 32  # words, counted after a Khmer run is split into its words
MAX_DEPTH = 4  # brackets inside brackets
MAX_EXPANSION = 64  # index terms one range or wildcard expands to
MAX_EXPANDED = 256  # index terms all the ranges and wildcards of one query expand to
TIME_BUDGET_S = 1.0  # matching and ranking; past it, the results found so far
PREFIX_BOOST = 0.5  # an unfinished last word's completions rank below whole words

_STAFF_SYNTAX = re.compile(
    r'["()]|\b(?:AND|OR|NOT)\b|(?:^|\s)[-+]\S|\w:\S|[*?]|[\[{][^\]}]*\b(?i:to)\b[^\]}]*[\]}]'
)
_OPERATORS = frozenset({"AND", "OR", "NOT"})
log = logging.getLogger(__name__)
_FIELD_REF = re.compile(r"(?<![\w\"])([A-Za-z_]+):")
# The recall net holds cluster pairs, not words: a range or prefix over it means nothing.
_NOT_EXPANDED = frozenset({"content_kc"})
_ENTITY_FIELDS = frozenset(f.field for f in ENTITY_FACETS)


@dataclass
class Parsed:
    """A query ready to run, with what the user should be told about it."""

    query: Q.Query
    words: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    staff: bool = False
    names: list[str] = field(default_factory=list)  # spellings of the names it means


def version() -> str:
    """What, besides the index, decides how a query is read (the staff's synonyms):
    answers cached by generation are also keyed on it."""
    return synonyms.version(default_registry())


def clean(text: str) -> str:
    """NFC, Khmer normalisation (coeng-DA, zero-width spaces…), collapsed whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cc" or c in "\t\n")
    return re.sub(r"\s+", " ", khmer.normalise(text)).strip()


#: Whoosh's English date grammar: compiled once (a millisecond a parser otherwise); its
#: parsing keeps no state, so every parser shares it
_DATES = English()


def _parser(
    schema: Schema,
    group=qparser.AndGroup,
    fields: tuple[str, ...] = TEXT_FIELDS,
    staff: bool = False,
) -> qparser.MultifieldParser:
    parser = qparser.MultifieldParser(list(fields), schema, fieldboosts=FIELD_BOOSTS, group=group)
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    # a phrase over the recall-net fields (no positions) becomes "all the pairs"
    parser.replace_plugin(qparser.PhrasePlugin(degrade=True))
    parser.add_plugin(DateParserPlugin(dateparser=_DATES, free=False))
    # -word excludes, but only at the start of a word: "12th-grade" stays one word
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    parser.remove_plugin_class(qparser.RegexPlugin)
    parser.remove_plugin_class(qparser.FuzzyTermPlugin)
    if staff:
        parser.add_plugin(qparser.GtLtPlugin())  # year:>2024 (dates: see _dates)
    else:
        parser.remove_plugin_class(qparser.WildcardPlugin)
    return parser


def parse(text: str, schema: Schema, reader: IndexReader | None = None) -> Parsed:
    """The query for ``text``; never raises on what a person can type.

    With ``reader`` (the search service always passes one), ranges and wildcards are
    expanded here, within :data:`MAX_EXPANSION` and :data:`MAX_EXPANDED`; without
    one (snippet tests, tools) they stay as Whoosh built them.
    """
    notices: list[str] = []
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        notices.append(
            _l(
                "Your search was long; only its first %(n)s characters were used.",
                n=MAX_CHARS,
            )
        )
    text = clean(text)
    words = text.split()
    counted = [i for i, w in enumerate(words) if w not in _OPERATORS]
    if len(counted) > MAX_TERMS:  # AND, OR, NOT are not words
        words = words[: counted[MAX_TERMS]]
        while words and words[-1] in _OPERATORS:
            words.pop()
        text = " ".join(words)
        notices.append(_l("Only the first %(n)s words of your search were used.", n=MAX_TERMS))
    if not words:
        return Parsed(Q.Every(), [], notices)
    if _STAFF_SYNTAX.search(text):
        try:
            parsed = _parse_staff(text, schema, notices)
        except Exception:  # a tree Whoosh's parser cannot build, whatever was typed
            log.warning("query read as plain words: %r", text, exc_info=True)
            parsed = _unreadable(text, schema, notices)
    else:
        parsed = Parsed(_plain(words, schema, notices), words, notices)
        parsed.names = entity_spellings(words)
        if reader is not None:  # search as you type: the last word may be unfinished
            parsed.query = _completed(parsed.query, words, schema, reader)
    bare = [w.lower().strip(".,;:!?\"'()") for w in words if w not in _OPERATORS]
    if parsed.query is Q.NullQuery and bare and all(w in STOP_WORDS for w in bare):
        notices.append(
            _l(
                "“%(words)s” is made only of words too common to search for (such as "
                "“the” or “of”); add a more specific word.",
                words=" ".join(words),
            )
        )
    if reader is not None and parsed.query is not Q.NullQuery:
        parsed.query = bound(parsed.query, reader, notices)
        if parsed.staff:
            parsed.words = _terms(parsed.query)
    return parsed


def khmer_words(words: list[str]) -> list[str]:
    """Words as the index sees them: a Khmer run typed without spaces is split into
    its segmented words, so ``ឯកអគ្គរាជទូតជប៉ុន`` matches both words wherever they stand."""
    out: list[str] = []
    for word in words:
        if khmer.has_khmer(word):
            pieces = [
                p.text for start, end in khmer.runs(word) for p in khmer.words(word, start, end)
            ]
            rest = khmer.KHMER_CHAR.sub(" ", word).split()
            out.extend(pieces + rest)
        else:
            out.append(word)
    return out


def _plain(words: list[str], schema: Schema, notices: list[str] | None = None) -> Q.Query:
    text = " ".join(words)
    parser = _parser(schema)
    split = khmer_words(words)
    if len(split) > MAX_TERMS:  # a long Khmer run is many words once segmented
        split = split[:MAX_TERMS]
        cut = _l("Only the first %(n)s words of your search were used.", n=MAX_TERMS)
        if notices is not None and cut not in notices:
            notices.append(cut)
    # unit words rank but are not required: "ស្រុកបាទី" also finds an announcement that
    # names Bati without the word ស្រុក
    required = [w for w in split if w.lower() not in SOFT_UNIT_WORDS] or split
    soft = [w for w in split if w not in required]
    spans = _spans(words, schema) if len(split) <= MAX_TERMS else []
    if spans:  # an abbreviation or a synonym: each such span may match either way
        main = Q.And(
            [_either(tokens, alternatives, parser, soft) for tokens, alternatives in spans]
        )
        main = main.normalize()
    else:
        main = parser.parse(_escape(" ".join(required)))
    if soft and main is not Q.NullQuery:
        main = Q.AndMaybe(main, relaxed(soft, schema))
    parts: list[Q.Query] = [main]
    if len(split) > 1:
        # the words as a phrase in the title rank first: phrase matching over whole
        # bodies is the costliest part of a search, and measured no better on relevance
        phrase = _parser(schema, fields=("title",)).parse('"' + text.replace('"', " ") + '"')
        parts.append(phrase.with_boost(2.0) if phrase is not Q.NullQuery else phrase)
    for name in entity_names(words):
        terms = analyse_phrase(name, schema)
        entity = Q.Phrase("content", terms) if len(terms) > 1 else Q.Term("content", terms[0])
        parts.append(entity.with_boost(2.0))
    parts = [p for p in parts if p is not Q.NullQuery]
    return Q.Or(parts) if len(parts) > 1 else (parts[0] if parts else Q.NullQuery)


MAX_SPAN = 6  # words of the longest synonym or organisation name looked up


def _spans(words: list[str], schema: Schema) -> list[tuple[list[str], list[Q.Query]]]:
    """The query cut into spans, each with what else it may match: an organisation's
    name or abbreviation (the registry) is also its ``org`` value, as ``org:MPTC``
    finds it; a term of a staff synonyms group is also each other term of the group.
    Longest spans first, left to right; words between them are spans of their own with
    no alternative. Empty when no span has an alternative (the query as typed)."""
    table = synonyms.current(default_registry())
    orgs = registry().derived(_organisations)
    out: list[tuple[list[str], list[Q.Query]]] = []
    found = False
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + MAX_SPAN), i, -1):
            typed = " ".join(words[i:j])
            alternatives = _alternatives(typed, table, orgs, schema)
            if alternatives:
                out.append((words[i:j], alternatives))
                found, i = True, j
                break
        else:
            if out and not out[-1][1]:
                out[-1][0].append(words[i])
            else:
                out.append(([words[i]], []))
            i += 1
    return out if found else []


def _alternatives(
    typed: str, table: dict[str, tuple[str, ...]], orgs: dict[str, str], schema: Schema
) -> list[Q.Query]:
    out: list[Q.Query] = []
    org = orgs.get(_org_key(typed))
    if org is not None and "organisations" in schema:
        analyzer = schema["organisations"].analyzer
        terms = [Q.Term("organisations", t.text) for t in analyzer(org, mode="query")]
        out.extend(terms[:1])
    for other in table.get(synonyms.key(typed), ()):
        out.append(_parser(schema).parse(_escape(other)))
    return [q for q in out if q is not Q.NullQuery]


def _either(
    tokens: list[str],
    alternatives: list[Q.Query],
    parser: qparser.MultifieldParser,
    soft: list[str],
) -> Q.Query:
    """A span as typed (its unit words soft, as the whole query's), or any alternative."""
    split = khmer_words(tokens)
    required = [w for w in split if w not in soft] or split
    typed = parser.parse(_escape(" ".join(required)))
    options = [q for q in (typed, *alternatives) if q is not Q.NullQuery]
    return options[0] if len(options) == 1 else Q.Or(options)


def _completed(query: Q.Query, words: list[str], schema: Schema, reader: IndexReader) -> Q.Query:
    """``query``, or also the words with the last one completed (:mod:`webapp.prefix`),
    ranked below what the words find as typed."""
    done = prefix.complete(words, schema, reader, MAX_EXPANSION)
    if done is None:
        return query
    ends = Q.Or(
        [Q.Term(f, t, boost=FIELD_BOOSTS[f]) for t in done.terms for f in ("title", "content")]
    )
    head = _plain(done.head, schema) if done.head else Q.NullQuery
    extra = (Q.And([head, ends]) if head is not Q.NullQuery else ends).with_boost(PREFIX_BOOST)
    return extra if query is Q.NullQuery else Q.Or([query, extra])


def relaxed(words: list[str], schema: Schema) -> Q.Query:
    """Any of the words, ranked: the fallback when no announcement has them all."""
    return _parser(schema, qparser.OrGroup.factory(0.9)).parse(_escape(" ".join(words)))


def _escape(text: str) -> str:
    # Plain words reach the parser as words: no operator or syntax survives.
    return re.sub(r'[:"()\[\]{}^~*?\\<>=]|(?<!\S)[-+]', " ", text)


def analyse_phrase(name: str, schema: Schema) -> list[str]:
    return [t.text for t in schema["content"].analyzer(name, mode="query")] or [name]


def _place_key(text: str) -> tuple[str, dict]:
    """The gazetteer key of a place name typed with or without its unit word."""
    if khmer.has_khmer(text):
        return fold_khmer(UNIT_PREFIX_KM.sub("", text)), gazetteer().by_khmer
    return fold_latin(UNIT_WORD_EN.sub("", text)), gazetteer().by_latin


def entity_names(words: list[str]) -> list[str]:
    """Canonical names the query may mean: officials (by any spelling within reach)
    and places of the gazetteer (by folded romanisation or Khmer spelling)."""
    return [name for name, _ in _entities(tuple(words), id(registry()))]


def entity_spellings(words: list[str]) -> list[str]:
    """Every spelling, in both scripts, of the names the query means: what a snippet
    marks, so a Latin query marks ជា វ៉ាន់ដេត in a Khmer text and the reverse."""
    return list(
        dict.fromkeys(
            s for _, spellings in _entities(tuple(words), id(registry())) for s in spellings
        )
    )


@caches.lru(
    1024,
    "the entities a query names, once per query and registry (search and snippets ask)",
)
def _entities(words: tuple[str, ...], registry_id: int) -> list[tuple[str, tuple[str, ...]]]:
    """(canonical name, its spellings) of each entity the whole query names; once per
    query and registry in force (``registry_id``; the search and its snippets both ask)."""
    out: list[tuple[str, tuple[str, ...]]] = []
    text = " ".join(words)
    if khmer.has_khmer(text):
        official, _ = resolve_khmer_name(text) if len(words) <= 2 else (None, "")
        if official is None and len(words) == 1:
            official, _ = resolve_khmer_name(text)
    else:
        official = resolve_latin_name(text)[0] if 2 <= len(words) <= 3 else None
    if official is not None:
        out.append((official.name, (official.name, *official.latin, *official.km)))
    key, table = _place_key(text)
    for level in ("province", "district", "commune"):
        for unit in table.get((level, key), [])[:1]:
            out.append((unit.name, (unit.name, unit.km)))
    return list({name: (name, spellings) for name, spellings in out}.values())


# --- entity values: what staff type → the canonical values the index holds ------------


def _org_key(name: str) -> str:
    """An organisation's spelling without case, dots or spaces: ``M.P.T.C.`` = ``mptc``,
    ``ក.ប.ទ.`` = ``កបទ``."""
    return re.sub(r"[\s.]+", "", khmer.normalise(name)).lower()


def _organisations(reg) -> dict[str, str]:
    """Every spelling of every organisation (the name, other names, abbreviations, in
    both scripts) → its canonical name; once per registry."""
    table: dict[str, str] = {}
    for org in reg.organisations:
        for spelling in (org.name, *org.latin, *org.km):
            table.setdefault(_org_key(spelling), org.name)
    return table


_SPELT_BY = {f.field: f.spelt_by for f in ENTITY_FACETS}  # index field → what spells it


def canonical_values(fieldname: str, value: str) -> list[str]:
    """The canonical values a typed entity value stands for, by the same registry and
    gazetteer the indexer resolves mentions with; empty when none is known."""
    spelt_by = _SPELT_BY.get(fieldname, "")
    if spelt_by == "official":
        resolve = resolve_khmer_name if khmer.has_khmer(value) else resolve_latin_name
        official, _ = resolve(value)
        return [official.name] if official is not None else []
    if spelt_by == "organisation":
        name = registry().derived(_organisations).get(_org_key(value))
        return [name] if name else []
    levels = LEVELS.get(spelt_by)
    if levels is None:
        return []
    key, table = _place_key(value)
    return list(dict.fromkeys(u.name for level in levels for u in table.get((level, key), [])))


def _resolve_entities(query: Q.Query, schema: Schema) -> Q.Query:
    """``province:តាកែវ``, ``org:ITU``, ``minister:"chea vandet"`` → the values indexed."""
    if isinstance(query, Q.Term) and query.fieldname in _ENTITY_FIELDS:
        names = canonical_values(query.fieldname, query.text)
        analyzer = schema[query.fieldname].analyzer
        texts = list(dict.fromkeys(t.text for n in names for t in analyzer(n, mode="query")))
        if not texts or texts == [query.text]:
            return query
        terms = [Q.Term(query.fieldname, t, boost=query.boost) for t in texts]
        return terms[0] if len(terms) == 1 else Q.Or(terms)
    return query.apply(lambda q: _resolve_entities(q, schema))


# --- dates: a day, a month, a year, a range, an open range ----------------------------

_DATE_VALUE = r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?"
_DATE_CLAUSE = re.compile(
    rf"(?<![\w\"])date:(?:(?P<op>>=|<=|=>|=<|>|<)(?P<value>{_DATE_VALUE})(?![\w-])"
    rf"|\[\s*(?P<start>{_DATE_VALUE})?\s*(?i:to)\s*(?P<end>{_DATE_VALUE})?\s*\]"
    rf"|(?P<one>{_DATE_VALUE})(?![\w-]))"
)


def _period(value: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``2025``, ``2025-07`` or ``2025-07-22``; ValueError
    for a day or month that does not exist."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        after = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return first, after - dt.timedelta(days=1)
    day = dt.date(*parts)
    return day, day


def _date_clause(match: re.Match[str], notices: list[str]) -> str:
    """One ``date:`` clause as the whole days it covers: ``date:>2025`` is after 2025
    (from 2026-01-01), ``date:>=2025`` from 2025-01-01, ``date:<2024-06`` before June
    2024 (to 2024-05-31), ``date:<=2024-06`` to 2024-06-30."""
    low: dt.date | None = None
    high: dt.date | None = None
    try:
        if match.group("op"):
            first, last = _period(match.group("value"))
            op = match.group("op")
            if op == ">":
                low = last + dt.timedelta(days=1)
            elif op in (">=", "=>"):
                low = first
            elif op == "<":
                high = first - dt.timedelta(days=1)
            else:
                high = last
        elif match.group("one"):
            low, high = _period(match.group("one"))
        else:
            low = _period(match.group("start"))[0] if match.group("start") else None
            high = _period(match.group("end"))[1] if match.group("end") else None
    except (ValueError, OverflowError):
        bad = match.group("value") or match.group("one") or match.group(0)
        notices.append(_l("%(date)s is not a real date; that part could not be read.", date=bad))
        return " "
    if low is None and high is None:
        return " "
    return f"date:[{low.isoformat() if low else ''} to {high.isoformat() if high else ''}]"


def _dates(text: str, notices: list[str]) -> str:
    return _DATE_CLAUSE.sub(lambda m: _date_clause(m, notices), text)


# --- staff syntax ---------------------------------------------------------------------

# A trailing * is a prefix search (tele*); any other * or ? is not a wildcard we run.
_PREFIX = re.compile(r"(?<=[^\s*?:\"()\[\]])\*(?=[\s)]|$)")


def _balance(text: str, notices: list[str]) -> str:
    """Brackets paired, and nested at most :data:`MAX_DEPTH` deep."""
    depth = 0
    out = []
    dropped = deep = 0
    stack: list[bool] = []  # for each open bracket: was it kept?
    for ch in text:
        if ch == "(":
            depth += 1
            keep = depth <= MAX_DEPTH
            stack.append(keep)
            if keep:
                out.append(ch)
            else:
                deep += 1
            continue
        if ch == ")":
            if not stack:
                dropped += 1
                continue
            depth -= 1
            if stack.pop():
                out.append(ch)
            continue
        out.append(ch)
    if stack:
        dropped += len(stack)
        out.append(")" * sum(stack))
    if dropped:
        notices.append(_l("Brackets did not pair up; the unpaired ones were ignored."))
    if deep:
        notices.append(
            _l(
                "Brackets were nested more than %(n)s deep; the inner ones were ignored.",
                n=MAX_DEPTH,
            )
        )
    return "".join(out)


_ENTITY_NAMES = {
    name.lower(): f.field for f in ENTITY_FACETS for name in (f.field, f.name, *f.aliases)
}
_UNQUOTED = re.compile(
    r"(?<![\w\"])([A-Za-z_]+):([^\s\"()\[\]{}:]+)((?:\s+(?!\S*:)[^\s\"()\[\]{}]+){1,5})"
)


def _join_values(text: str, notices: list[str]) -> str:
    """``minister:Chea Vandeth`` → ``minister:"Chea Vandeth"`` when the words after the
    colon name a value the registry or the gazetteer knows (the longest such run);
    when the first word alone names nothing and no run does, a notice says how to
    quote a value of several words. Operators, ``-word`` and ``field:`` end a run."""

    def join(m: re.Match[str]) -> str:
        name, first, rest = m.group(1), m.group(2), m.group(3)
        field = _ENTITY_NAMES.get(name.lower())
        if field is None:
            return m.group(0)
        words = []
        for word in rest.split():
            if word in _OPERATORS or word[0] in "-+":
                break
            words.append(word)
        for n in range(len(words), 0, -1):
            value = " ".join([first, *words[:n]])
            if canonical_values(field, value):
                return " ".join([f'{name}:"{value}"', *rest.split()[n:]])
        if words and not canonical_values(field, first):
            notices.append(
                _l(
                    "No value of %(field)s is “%(value)s”. To search for a value of several "
                    "words, put it in quotation marks: %(example)s",
                    field=name,
                    value=first,
                    example=f'{name}:"{first} {words[0]}"',
                )
            )
        return m.group(0)

    return _UNQUOTED.sub(join, text)


def _parse_staff(text: str, schema: Schema, notices: list[str]) -> Parsed:
    text = _join_values(_dates(text, notices), notices)
    unknown = sorted({f for f in _FIELD_REF.findall(text) if f.lower() not in ADDRESSABLE})
    if unknown:
        notices.append(
            _l(
                "Unknown field(s) %(fields)s: searched as words instead. Fields you can use: "
                "title, %(facets)s, year, date.",
                fields=", ".join(unknown),
                facets=", ".join(f.name for f in FACETS if f.field),
            )
        )
        for f in unknown:
            text = re.sub(rf"(?<![\w\"]){re.escape(f)}:", f"{f} ", text)
    if text.count('"') % 2:
        notices.append(_l("A quotation mark was not closed; it was ignored."))
        text = text[::-1].replace('"', "", 1)[::-1]
    text = _balance(text, notices)
    prefixed = _PREFIX.sub("\x00", text)
    if re.search(r"(?<!\S)[*?]|[*?](?=\S)|\*", prefixed):
        notices.append(
            _l("Wildcards work only at the end of a word (tele*); the others were ignored.")
        )
    text = re.sub(r"[*?]", " ", prefixed).replace("\x00", "*")
    query = _parser(schema, staff=True).parse(text)  # if it raises: parse() reads plain words
    if _has_error(query):
        notices.append(
            _l("Part of that search could not be read (a date, perhaps); it was left out.")
        )
        query = _drop_errors(query)
    if query is not Q.NullQuery:
        query = _resolve_entities(query, schema)
    return Parsed(query, _terms(query), notices, staff=True)


def _unreadable(text: str, schema: Schema, notices: list[str]) -> Parsed:
    notices.append(_l("That search could not be read as written; it was searched as plain words."))
    words = _escape(text).split()[:MAX_TERMS]
    query = _plain(words, schema, notices) if words else Q.Every()
    return Parsed(query, words, notices, staff=True)


def _terms(query: Q.Query) -> list[str]:
    if query is Q.NullQuery:
        return []
    return [t for _, t in query.iter_all_terms() if isinstance(t, str)]


def _has_error(query: Q.Query) -> bool:
    return bool(getattr(query, "error", None)) or any(_has_error(q) for q in query.children())


def _drop_errors(query: Q.Query) -> Q.Query:
    if getattr(query, "error", None):
        return Q.NullQuery
    if query.is_leaf():
        return query
    return _pruned(query.apply(_drop_errors))


# --- bounded expansion ----------------------------------------------------------------


def bound(query: Q.Query, reader: IndexReader, notices: list[str]) -> Q.Query:
    """``query`` with every range and wildcard replaced by an ``Or`` of the index terms
    it stands for: at most :data:`MAX_EXPANSION` each (in index order) and
    :data:`MAX_EXPANDED` in all, so no query can open thousands of postings. A node
    that was cut is named in a notice. (``Every`` over one field — an open range whose
    bound analyses to nothing — reads every posting of that field in Whoosh: it is
    expanded the same way.)"""
    nodes = sum(1 for q in _leaves(query) if _expands(q, reader))
    limit = min(MAX_EXPANSION, MAX_EXPANDED // max(nodes, 1))
    cut: list[str] = []

    def expand(q: Q.Query) -> Q.Query:
        if isinstance(q, Q.Every) and q.fieldname:
            q = Q.TermRange(q.fieldname, None, None, boost=q.boost)
        if not isinstance(q, Q.MultiTerm):
            return _pruned(q.apply(expand))
        if not _expands(q, reader):
            return Q.NullQuery
        found = [t for _, t in itertools.islice(q.expanded_terms(reader), limit + 1)]
        if len(found) > limit:
            cut.append(_shown(q))
            found = found[:limit]
        if not found:
            return q  # matches nothing, and costs no more than the scan just made
        fieldname = q.field()
        field = reader.schema[fieldname]
        terms = [Q.Term(fieldname, field.from_bytes(b), boost=q.boost) for b in found]
        return terms[0] if len(terms) == 1 else Q.Or(terms)

    out = expand(query)
    if cut:
        notices.append(
            _l(
                "%(what)s matches too many words; only the first %(n)s of them (in "
                "alphabetical order) were searched.",
                what=", ".join(dict.fromkeys(cut)),
                n=limit,
            )
        )
    return out


def _pruned(q: Q.Query) -> Q.Query:
    """A compound node without the parts that expanded to nothing, by Whoosh's own
    rules (its ``normalize`` does this too, but compares every pair of a long ``Or``)."""
    if isinstance(q, Q.BinaryQuery):
        a, b = q.a, q.b
        if a is Q.NullQuery and (b is Q.NullQuery or isinstance(q, Q.AndNot)):
            return Q.NullQuery
        if a is Q.NullQuery or b is Q.NullQuery:
            return b if a is Q.NullQuery else a
        return q
    if not isinstance(q, Q.CompoundQuery):
        return q
    kept = [c for c in q.subqueries if c is not Q.NullQuery]
    if len(kept) == len(q.subqueries):
        return q
    if len(kept) <= 1:
        return kept[0] if kept else Q.NullQuery
    out = copy.copy(q)
    out.subqueries = kept
    return out


def _leaves(query: Q.Query):
    if isinstance(query, Q.MultiTerm | Q.Every) or query.is_leaf():
        yield query
    else:
        for child in query.children():
            yield from _leaves(child)


def _expands(q: Q.Query, reader: IndexReader) -> bool:
    """A range or wildcard over a field it makes sense to expand over."""
    if isinstance(q, Q.Every):
        q = Q.TermRange(q.fieldname, None, None) if q.fieldname else q
    if not isinstance(q, Q.MultiTerm):
        return False
    fieldname = q.field()
    return fieldname in reader.schema and fieldname not in _NOT_EXPANDED


def _shown(q: Q.Query) -> str:
    """A multi-term node as staff would have typed it."""
    if isinstance(q, Q.Prefix):
        return f"{q.text}*"
    if isinstance(q, Q.TermRange):
        return f"[{q.start or ''} TO {q.end or ''}]".replace("[ TO", "[TO").replace("TO ]", "TO]")
    return str(q)
