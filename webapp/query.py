"""Query text → a Whoosh query, for the public box and for staff.

Plain words (the public box): every word must match (stemmed English, Khmer words),
the words as a phrase rank first, and a name the registry or the gazetteer knows
(misspelt, or in another spelling) also finds the canonical entity. When no
announcement has every word, :func:`relaxed` gives the any-word reading.

Staff syntax: ``"phrases"``, ``AND``/``OR``/``NOT``, ``-word``, ``field:value``
(``title``, ``minister``, ``province``, ``person``, ``place``, ``org``, ``lang``,
``year``, ``date:[2024-01-01 TO 2024-06-30]``). Text Whoosh cannot read gets a
plain-language notice and the best reading of it, never an exception.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from whoosh import qparser
from whoosh import query as Q
from whoosh.fields import Schema
from whoosh.qparser.dateparse import DateParserPlugin

from indexer import khmer
from indexer.entities.registry import resolve_khmer_name, resolve_latin_name
from indexer.entities.vocabulary import SOFT_UNIT_WORDS, UNIT_PREFIX_KM, UNIT_WORD_EN
from indexer.facets import FACETS
from indexer.places import fold_khmer, fold_latin, gazetteer

TEXT_FIELDS = ("title", "content", "content_kc")
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
    "year",
    "month",
    "date",
    "tags",
    "author",
    *FIELD_ALIASES,
    *(a for v in FIELD_ALIASES.values() for a in v),
}
MAX_CHARS = 400
MAX_TERMS = 32
_STAFF_SYNTAX = re.compile(r'["()]|\b(?:AND|OR|NOT)\b|(?:^|\s)[-+]\S|\w:\S|[*?]')
_FIELD_REF = re.compile(r"(?<![\w\"])([A-Za-z_]+):")


@dataclass
class Parsed:
    """A query ready to run, with what the user should be told about it."""

    query: Q.Query
    words: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    staff: bool = False


def clean(text: str) -> str:
    """NFC, Khmer normalisation (coeng-DA, zero-width spaces…), collapsed whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cc" or c in "\t\n")
    return re.sub(r"\s+", " ", khmer.normalise(text)).strip()


def _parser(
    schema: Schema, group=qparser.AndGroup, fields: tuple[str, ...] = TEXT_FIELDS
) -> qparser.MultifieldParser:
    parser = qparser.MultifieldParser(list(fields), schema, fieldboosts=FIELD_BOOSTS, group=group)
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    # a phrase over the recall-net fields (no positions) becomes "all the pairs"
    parser.replace_plugin(qparser.PhrasePlugin(degrade=True))
    parser.add_plugin(DateParserPlugin(free=False))
    # -word excludes, but only at the start of a word: "12th-grade" stays one word
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.remove_plugin_class(qparser.RegexPlugin)
    parser.remove_plugin_class(qparser.FuzzyTermPlugin)
    return parser


def parse(text: str, schema: Schema) -> Parsed:
    """The query for ``text``; never raises on what a person can type."""
    notices: list[str] = []
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        notices.append(f"Your search was long; only its first {MAX_CHARS} characters were used.")
    text = clean(text)
    words = text.split()
    if len(words) > MAX_TERMS:
        words = words[:MAX_TERMS]
        text = " ".join(words)
        notices.append(f"Only the first {MAX_TERMS} words of your search were used.")
    if not words:
        return Parsed(Q.Every(), [], notices)
    if _STAFF_SYNTAX.search(text):
        return _parse_staff(text, schema, notices)
    return Parsed(_plain(words, schema), words, notices)


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


def _plain(words: list[str], schema: Schema) -> Q.Query:
    text = " ".join(words)
    parser = _parser(schema)
    split = khmer_words(words)
    # unit words rank but are not required: "ស្រុកបាទី" also finds an announcement that
    # names Bati without the word ស្រុក
    required = [w for w in split if w.lower() not in SOFT_UNIT_WORDS] or split
    soft = [w for w in split if w not in required]
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


def relaxed(words: list[str], schema: Schema) -> Q.Query:
    """Any of the words, ranked: the fallback when no announcement has them all."""
    return _parser(schema, qparser.OrGroup.factory(0.9)).parse(_escape(" ".join(words)))


def _escape(text: str) -> str:
    # Plain words reach the parser as words: no operator or syntax survives.
    return re.sub(r'[:"()\[\]{}^~*?\\]|(?<!\S)[-+]', " ", text)


def analyse_phrase(name: str, schema: Schema) -> list[str]:
    return [t.text for t in schema["content"].analyzer(name, mode="query")] or [name]


def entity_names(words: list[str]) -> list[str]:
    """Canonical names the query may mean: officials (by any spelling within reach)
    and places of the gazetteer (by folded romanisation or Khmer spelling)."""
    names: list[str] = []
    text = " ".join(words)
    if khmer.has_khmer(text):
        official, _ = resolve_khmer_name(text) if len(words) <= 2 else (None, "")
        if official is None and len(words) == 1:
            official, _ = resolve_khmer_name(text)
        key = fold_khmer(UNIT_PREFIX_KM.sub("", text))
        table = gazetteer().by_khmer
    else:
        official = resolve_latin_name(text)[0] if 2 <= len(words) <= 3 else None
        key = fold_latin(UNIT_WORD_EN.sub("", text))
        table = gazetteer().by_latin
    if official is not None:
        names.append(official.name)
    for level in ("province", "district", "commune"):
        for unit in table.get((level, key), [])[:1]:
            names.append(unit.name)
    return list(dict.fromkeys(names))


_ONE_DAY = re.compile(r"\b(date|year):(\d{4}-\d{1,2}-\d{1,2})\b")


def _one_day(match: re.Match[str], notices: list[str]) -> str:
    """``date:2024-05-01`` is that whole day; a day that does not exist is left out."""
    try:
        day = dt.date.fromisoformat(match.group(2))
    except ValueError:
        notices.append(f"{match.group(2)} is not a real date; that part could not be read.")
        return " "
    return f"date:[{day.isoformat()} to {day.isoformat()}]"


def _parse_staff(text: str, schema: Schema, notices: list[str]) -> Parsed:
    text = _ONE_DAY.sub(lambda m: _one_day(m, notices), text)
    unknown = sorted({f for f in _FIELD_REF.findall(text) if f.lower() not in ADDRESSABLE})
    if unknown:
        notices.append(
            f"Unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: searched as "
            f"words instead. Fields you can use: title, "
            f"{', '.join(f.name for f in FACETS if f.field)}, year, date."
        )
        for f in unknown:
            text = re.sub(rf"(?<![\w\"]){re.escape(f)}:", f"{f} ", text)
    if text.count('"') % 2:
        notices.append("A quotation mark was not closed; it was ignored.")
        text = text[::-1].replace('"', "", 1)[::-1]
    depth = 0
    balanced = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                continue
            depth -= 1
        balanced.append(ch)
    if depth or len(balanced) != len(text):
        notices.append("Brackets did not pair up; the unpaired ones were ignored.")
        text = "".join(balanced) + ")" * depth
    if re.search(r"(?<!\S)[*?]|\*\S*\*", text):
        notices.append("Wildcards are not supported; they were ignored.")
    text = re.sub(r"[*?]", " ", text)
    parser = _parser(schema)
    try:
        query = parser.parse(text)
    except Exception:
        notices.append("That search could not be read as written; it was searched as plain words.")
        words = _escape(text).split()
        return Parsed(_plain(words, schema) if words else Q.Every(), words, notices, staff=True)
    if _has_error(query):
        notices.append("Part of that search could not be read (a date, perhaps); it was left out.")
        query = _drop_errors(query)
    words = [t for _, t in query.iter_all_terms() if isinstance(t, str)] if query else []
    return Parsed(query, words, notices, staff=True)


def _has_error(query: Q.Query) -> bool:
    return bool(getattr(query, "error", None)) or any(_has_error(q) for q in query.children())


def _drop_errors(query: Q.Query) -> Q.Query:
    if getattr(query, "error", None):
        return Q.NullQuery
    if isinstance(query, Q.CompoundQuery):
        kept = [_drop_errors(q) for q in query.subqueries]
        kept = [q for q in kept if q is not Q.NullQuery]
        return type(query)(kept) if kept else Q.NullQuery
    return query
