"""Every query has a bounded cost, and the staff syntax does what docs/api.md says.

Bounds (issue 11): the adversarial class of ``bench/run.py`` answers within the time
budget on a generated corpus of 6,000 files (``bench/run.py`` measures the same class at
10,000 and 100,000), with a notice where it was cut;
the stacked-range query that took 9.4 s on the real corpus answers at once; no JSON or
HTML request carrying one gives a 500 from the real server.

Syntax (issue 14): each case of docs/api.md's query language, run on the bundled
``content/`` and (when present) the real corpus, finds what the document says it
finds — the expected announcements are computed from the files themselves, or from
the registry and gazetteer, never written down here.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from whoosh import query as Q

from bench.run import adversarial_queries
from indexer.entities.registry import registry
from indexer.facets import ENTITY_FACETS
from indexer.places import gazetteer
from indexer.schema import build_schema
from tests import counted
from tests.conftest import BLOG, CONTENT, index_written, served
from webapp import query as queries
from webapp.cache import ResultCache
from webapp.search import SearchRequest, SearchService

TOO_MANY = "matches too many words"
TOO_LONG = "took too long"
STACKED = " ".join(f"([{i} TO] OR a{i})" for i in range(8))  # 9.4 s before the bounds


def notices(result) -> str:
    return " ".join(str(n) for n in result.notices)


# --- an index and its files, side by side ----------------------------------------------


@dataclass
class Indexed:
    service: SearchService
    docs: dict[str, File]  # id → the file, read by the test
    real: bool = False  # the real corpus, not the bundled sample

    def search(self, q: str, **kw):
        """Each file a result (``unit=file``), so results compare with the files."""
        return self.service.search(SearchRequest(q=q, per_page=100, unit="file", **kw))

    def ids(self, q: str) -> set[str]:
        result = self.search(q)
        assert result.total <= 100, "the corpora here are small enough for one page"
        return {h.id for h in result.hits}

    def where(self, keep: Callable[[File], bool]) -> set[str]:
        return {i for i, d in self.docs.items() if keep(d)}


@dataclass(frozen=True)
class File:
    """One file as the test reads it itself (YAML front matter, the Markdown left as
    written), not through the indexer's reading of it (``indexer.sources``)."""

    lang: str
    date: dt.date
    title: str
    description: str
    body_text: str


def _read(root: Path) -> dict[str, File]:
    out = {}
    for path in sorted(root.glob("*/*.md")):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(head)
        lang = path.parent.name
        out[f"{lang}/{path.stem}"] = File(
            lang, meta["date"], meta["title"], meta.get("description") or "", body
        )
    return out


# The bundled sample always; the real corpus too when ../shared has it (without it these
# cases are not skipped one by one: the sample already covers each of them).
@pytest.fixture(scope="module", params=["content", *(["corpus"] if BLOG.is_dir() else [])])
def ix(request: pytest.FixtureRequest) -> Indexed:
    """The bundled sample and, when present, the real corpus."""
    real = request.param == "corpus"
    service = SearchService(request.getfixturevalue("corpus_index" if real else "content_index"))
    service.clock = lambda: 0.0  # time stands still: a busy machine cuts no search short
    return Indexed(service, _read(BLOG if real else CONTENT), real)


# --- dates: a day, a month, a year, ranges closed and open --------------------------------

D = dt.date
DATE_CASES = [
    ("date:2025-07-03", lambda d: d == D(2025, 7, 3)),
    ("date:2025-07", lambda d: D(2025, 7, 1) <= d <= D(2025, 7, 31)),
    ("date:2025", lambda d: d.year == 2025),
    ("year:2025", lambda d: d.year == 2025),
    ("date:[2025-07-01 TO 2025-07-31]", lambda d: D(2025, 7, 1) <= d <= D(2025, 7, 31)),
    ("date:[2024 TO 2025-06]", lambda d: D(2024, 1, 1) <= d <= D(2025, 6, 30)),
    ("date:[2024 TO]", lambda d: d >= D(2024, 1, 1)),
    ("date:[TO 2024-06]", lambda d: d <= D(2024, 6, 30)),
    ("date:>2025", lambda d: d >= D(2026, 1, 1)),
    ("date:>=2025", lambda d: d >= D(2025, 1, 1)),
    ("date:>=2025-01-01", lambda d: d >= D(2025, 1, 1)),
    ("date:<2024-06", lambda d: d <= D(2024, 5, 31)),
    ("date:<=2024-06", lambda d: d <= D(2024, 6, 30)),
    ("year:>2024", lambda d: d.year > 2024),
]


@pytest.mark.parametrize(("q", "keep"), DATE_CASES, ids=[c[0] for c in DATE_CASES])
def test_date_syntax_finds_the_documented_days(ix: Indexed, q: str, keep) -> None:
    result = ix.search(q)
    assert not result.notices, notices(result)
    assert {h.id for h in result.hits} == ix.where(lambda d: keep(d.date))
    assert result.total == counted.DATE_FILES[q][ix.real]


@pytest.mark.parametrize(("q", "keep"), DATE_CASES[6:], ids=[c[0] for c in DATE_CASES[6:]])
def test_open_date_ranges_combine_with_words(ix: Indexed, q: str, keep) -> None:
    word = "Takeo"
    expected = ix.ids(word) & ix.where(lambda d: keep(d.date))
    assert ix.ids(f"{word} {q}") == expected
    assert ix.ids(f"{q} {word}") == expected


def test_a_date_that_does_not_exist_is_said(ix: Indexed) -> None:
    for q in ("date:2023-02-30", "date:>2024-13", "Takeo date:[2024-02-30 TO]"):
        assert "not a real date" in notices(ix.search(q)), q


# --- entity values in either script, abbreviations, other spellings -----------------------


def _lexicon(service: SearchService, field: str) -> set[str]:
    reader = service.searcher().reader()
    return {t.decode() for t in reader.lexicon(field)}


def _same(ix: Indexed, alias: str, canonical: str) -> None:
    expected = ix.ids(canonical)
    assert expected, canonical  # the value is in the index: the case is not vacuous
    assert ix.ids(alias) == expected, (alias, canonical)


def test_organisations_by_abbreviation_and_khmer_name(ix: Indexed) -> None:
    held = _lexicon(ix.service, "organisations")
    tried = 0
    for org in registry().organisations:
        if org.name.lower() not in held:
            continue
        canonical = f'org:"{org.name}"'
        for alias in (*org.latin, *org.km):
            _same(ix, f'org:"{alias}"', canonical)
            if " " not in alias:
                _same(ix, f"org:{alias}", canonical)
                _same(ix, f"org:{alias.lower()}", canonical)
            tried += 1
    assert tried


def test_the_issue_examples_on_the_real_corpus(corpus_index: Path) -> None:
    ix = Indexed(SearchService(corpus_index), _read(BLOG))
    _same(ix, "org:ITU", 'org:"International Telecommunication Union"')
    _same(ix, "org:MPTC", 'org:"Ministry of Posts and Telecommunications"')
    _same(ix, "org:ក.ប.ទ.", "org:MPTC")
    _same(ix, "province:តាកែវ", "province:Takeo")
    _same(ix, "org:M.P.T.C.", "org:MPTC")
    _same(ix, "place:Pearam", 'place:"Pea Ream"')
    _same(ix, 'person:"ម៉ៅ សេលា"', 'person:"Mao Sela"')
    takeo = ix.search("Takeo date:>2025")
    assert takeo.total and all(h.date >= "2026-01-01" for h in takeo.hits)


def test_provinces_and_places_by_khmer_name_and_romanisation(ix: Indexed) -> None:
    gaz = gazetteer()
    provinces = {u.name: u for u in gaz.provinces.values()}
    for value in ix.service.facet_values("province"):
        unit = provinces[value]
        _same(ix, f"province:{unit.km}", f'province:"{value}"')
        _same(ix, f"province:ខេត្ត{unit.km}", f'province:"{value}"')
        for alias in gaz.province_names[unit.code]:
            _same(ix, f'province:"{alias}"', f'province:"{value}"')
    by_name = {u.name: u for u in gaz.units.values() if u.level != "province"}
    places = [v for v in ix.service.facet_values("place") if v in by_name]
    assert places
    for value in places:
        _same(ix, f"place:{by_name[value].km.replace(' ', '')}", f'place:"{value}"')


def test_officials_by_khmer_spelling_and_misspelling(ix: Indexed) -> None:
    officials = {o.name: o for o in registry().officials}
    tried = 0
    for facet, field in (("minister", "minister"), ("person", "person")):
        for value in ix.service.facet_values(facet):
            official = officials.get(value)
            if official is None:
                continue
            for spelling in (*official.km, *official.latin, value.lower()):
                _same(ix, f'{field}:"{spelling}"', f'{field}:"{value}"')
                tried += 1
    assert tried
    _same(ix, 'minister:"chea vandet"', 'minister:"Chea Vandeth"')  # one letter off


# --- words: phrases, operators, fields, wildcards, stop words ---------------------------------


def _text(doc) -> str:
    return " ".join((doc.title, doc.description, doc.body_text))


def test_boolean_operators_and_grouping(ix: Indexed) -> None:
    a, b, c = ix.ids("Takeo"), ix.ids("training"), ix.ids("digital")
    assert a and b and c
    assert ix.ids("Takeo AND training") == a & b == ix.ids("Takeo training")
    assert ix.ids("Takeo OR training") == a | b
    assert ix.ids("Takeo NOT training") == a - b == ix.ids("Takeo -training")
    assert ix.ids("(Takeo OR training) AND digital") == (a | b) & c
    # with a date, the query is Whoosh's to match, not numpy's: the same sets
    since = ix.where(lambda d: d.date >= D(2024, 1, 1))
    assert ix.ids("Takeo -training date:[2024 TO]") == (a - b) & since
    assert ix.ids("(Takeo OR training) NOT digital date:[2024 TO]") == ((a | b) - c) & since


def test_phrase_and_title_field(ix: Indexed) -> None:
    phrase = ix.ids('"digital literacy"')
    assert phrase == ix.where(lambda d: re.search(r"(?i)\bdigital\s+literacy", _text(d)))
    assert phrase
    titled = ix.ids("title:digital")
    assert titled == ix.where(lambda d: re.search(r"(?i)\bdigital", d.title))
    assert ix.ids("lang:km") == ix.where(lambda d: d.lang == "km")


def _searchable(ix: Indexed) -> dict[str, str]:
    """What an announcement's text fields hold: its title, summary and body, and the
    canonical names of its entities (read back from the index's stored fields)."""
    out = {}
    for stored in ix.service.searcher().all_stored_fields():
        names = " ".join(stored.get(f.field) or "" for f in ENTITY_FACETS)
        out[stored["id"]] = " ".join((_text(ix.docs[stored["id"]]), names))
    return out


def test_trailing_wildcard_finds_words_that_begin_so(ix: Indexed) -> None:
    result = ix.search("tele*")
    found = {h.id for h in result.hits}
    texts = _searchable(ix)
    assert found == {i for i, text in texts.items() if re.search(r"(?i)\btele", text)}
    assert found >= ix.ids("telecommunications") and found
    reader = ix.service.searcher().reader()
    words = max(len(list(reader.expand_prefix(f, "tele"))) for f in ("title", "content"))
    assert (TOO_MANY in notices(result)) == (words > queries.MAX_EXPANSION)


def test_a_range_over_the_vocabulary_is_cut_with_a_notice(ix: Indexed) -> None:
    reader = ix.service.searcher().reader()
    assert len([t for t in reader.lexicon("content") if b"a" <= t <= b"z"]) > 64
    result = ix.search("[a TO z]")
    assert TOO_MANY in notices(result) and result.total > 0


def test_other_wildcards_are_ignored_with_a_notice(ix: Indexed) -> None:
    for q in ("*ing", "te*t", "te?t", "*"):
        assert "end of a word" in notices(ix.search(q)), q
    assert not ix.search("ICT?").notices  # a question mark that ends a question


def test_stop_words_alone_are_explained(ix: Indexed) -> None:
    for q in ("the", "the of", "THE"):
        result = ix.search(q)
        assert result.total == 0 and "too common" in notices(result), q
    assert ix.ids("the Takeo") == ix.ids("Takeo")
    assert "too common" not in notices(ix.search("the Takeo"))


def test_nesting_is_limited_with_a_notice(ix: Indexed) -> None:
    deep = "(" * 9 + "Takeo" + ")" * 9
    result = ix.search(deep)
    assert "nested more than" in notices(result)
    assert {h.id for h in result.hits} == ix.ids("Takeo")


# --- bounds: the adversarial class at 6,000 files ---------------------------------------------

# Which adversarial queries must be cut, whatever the corpus: more than 64 index terms
# fall in these ranges and prefixes at 6,000 files.
MUST_CUT = {"stacked open ranges", "ranges over the vocabulary", "16 one-letter prefixes, AND"}
# The one notice each query gets on this corpus (none for the others): the OR of the 16
# prefixes is cut as their AND is; 32 words are read of a longer query; brackets are
# flattened below 4 levels.
NOTICE = {
    **{name: TOO_MANY for name in [*MUST_CUT, "16 one-letter prefixes, OR"]},
    "32 common Khmer words": "Only the first 32 words of your search were used.",
    "Khmer run of 40 words": "Only the first 32 words of your search were used.",
    "nesting 15 deep": "nested more than 4 deep",
}


@pytest.fixture(scope="module")
def large(large_index: Path) -> SearchService:
    service = SearchService(large_index, result_cache=0)  # each search computed
    service.clock = lambda: 0.0  # time stands still: no search is cut by a busy machine
    service.search(SearchRequest(q="digital"))  # open the searcher as a server would
    return service


@pytest.mark.large
@pytest.mark.parametrize("name", list(adversarial_queries()))
def test_adversarial_queries_answer_within_the_budget(large: SearchService, name: str) -> None:
    """Each adversarial query is bounded in what it expands to, and answers whole with
    time standing still. How long each takes is measured by ``bench/run.py`` (its
    adversarial class), not asserted here: a busy machine is no broken search; that the
    deadline stops a search is the next test's, by the clock."""
    q = adversarial_queries()[name]
    result = large.search(SearchRequest(q=q))
    said = notices(result)
    if name in NOTICE:
        assert len(result.notices) == 1 and NOTICE[name] in said, (name, said)
    else:
        assert result.notices == [], (name, said)


@pytest.mark.large
def test_the_deadline_stops_a_search_in_its_match_loop(
    large: SearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a budget far below what the query needs, the search answers at the budget
    with what it found and says so; with the real budget the same query completes."""
    q = " OR ".join(f"{c}*" for c in "abcdefghiklmnopr") + ' "digital technology"'
    monkeypatch.setattr(large, "results", ResultCache(0))  # both searches computed
    monkeypatch.setattr(large, "clock", lambda: 0.0)  # time stands still: never cut
    full = large.search(SearchRequest(q=q))
    assert TOO_LONG not in notices(full)
    ticks = iter(range(10**9))
    # each reading of the clock is 10 ms later: the 1 s budget passes at the 101st
    # reading (of about 256 terms' and a phrase's), whatever the machine's speed
    monkeypatch.setattr(large, "clock", lambda: next(ticks) / 100)
    cut = large.search(SearchRequest(q=q))
    assert TOO_LONG in notices(cut)
    assert cut.total < full.total


def test_the_stacked_range_query_is_bounded_on_the_real_corpus(corpus_index: Path) -> None:
    """Its ranges are cut to the expansion limit (the notice says so) and it finds what
    its words find; its time is the benchmark's (bench/run.py), not a test's."""
    service = SearchService(corpus_index)
    service.clock = lambda: 0.0  # a busy machine does not cut it short
    result = service.search(SearchRequest(q=STACKED))
    assert TOO_MANY in notices(result) and TOO_LONG not in notices(result)
    assert result.total > 0


def test_adversarial_requests_never_500(content_index: Path) -> None:
    """The real server, JSON and HTML, every adversarial query and the stacked ranges."""
    with served(content_index) as base:
        for q in [*adversarial_queries().values(), STACKED, "(" * 200, "date:>" * 60]:
            qs = urllib.parse.urlencode({"q": q})
            for path in ("/api/search?", "/search?"):
                try:
                    with urllib.request.urlopen(base + path + qs, timeout=30) as r:
                        status, body = r.status, r.read()
                except urllib.error.HTTPError as exc:
                    status, body = exc.code, exc.read()
                assert status == 200, (path, q, status, body[:300])
                if path.startswith("/api"):
                    assert isinstance(json.loads(body)["notices"], list)


SYNTAX = [*'()[]{}"*?:<>=-+^~ /\\', "AND", "OR", "NOT", " TO ", "date:", "year:", "title:"]
SYNTAX += ["org:", "province:", "place:", "tele", "2025", "2024-06", "ក", "a", "Takeo", " "]


def test_no_query_text_raises(content_index: Path) -> None:
    """Seeded strings of the syntax's pieces: every one is answered (these once raised
    in the parser's error recovery, a TypeError from an AndNot rebuilt without a side)."""
    service = SearchService(content_index)
    rng = random.Random(11)
    texts = [' "(-title:org:-ORANDdate:date:TakeoNOTNOT^2025atele=^=TO', ":date:-)TOក+a)TO})*-~"]
    texts += ["".join(rng.choice(SYNTAX) for _ in range(rng.randint(1, 40))) for _ in range(200)]
    for q in texts:
        for sort in ("relevance", "newest"):
            result = service.search(SearchRequest(q=q, sort=sort))
            assert result.total >= 0 and len(result.hits) <= 10, q


# --- the limits at their edges: what is just within is read whole -----------------------


def _said(parsed) -> list[str]:
    return [str(n) for n in parsed.notices]


def test_400_characters_are_read_whole_and_the_401st_is_not() -> None:
    schema = build_schema()
    whole = queries.parse("a" * 400, schema)
    assert (whole.words, _said(whole)) == (["a" * 400], [])
    cut = queries.parse("a" * 399 + " b", schema)  # 401 characters: the b is past the limit
    assert cut.words == ["a" * 399]
    assert _said(cut) == ["Your search was long; only its first 400 characters were used."]


def test_32_words_are_read_whole_and_the_33rd_is_not() -> None:
    schema = build_schema()
    words = [f"w{i}" for i in range(33)]
    whole = queries.parse(" ".join(words[:32]), schema)
    assert (whole.words, _said(whole)) == (words[:32], [])
    cut = queries.parse(" ".join(words), schema)
    assert (cut.words, _said(cut)) == (
        words[:32],
        ["Only the first 32 words of your search were used."],
    )
    # AND, OR, NOT are not words: 32 words and an AND are all read
    anded = queries.parse(" AND ".join(words[:32]), schema)
    assert _said(anded) == []
    # an operator the cut leaves last goes with the word it joined
    dangling = queries.parse(" ".join(words[:32]) + " AND w32", schema)
    assert (dangling.words, _said(dangling)) == (
        words[:32],
        ["Only the first 32 words of your search were used."],
    )


@pytest.mark.parametrize(
    ("typed", "read", "said"),
    [
        ("((((a))))", "((((a))))", []),  # 4 deep: kept
        (
            "(((((a)))))",
            "((((a))))",
            ["Brackets were nested more than 4 deep; the inner ones were ignored."],
        ),
        ("a) (b", "a (b)", ["Brackets did not pair up; the unpaired ones were ignored."]),
        ("(a (b)", "(a (b))", ["Brackets did not pair up; the unpaired ones were ignored."]),
        (  # five left open: the four kept are closed, the fifth was never written
            "(((((a",
            "((((a))))",
            [
                "Brackets did not pair up; the unpaired ones were ignored.",
                "Brackets were nested more than 4 deep; the inner ones were ignored.",
            ],
        ),
    ],
)
def test_brackets_are_paired_and_kept_to_4_deep(typed: str, read: str, said: list[str]) -> None:
    notices: list = []
    assert queries._balance(typed, notices) == read
    assert [str(n) for n in notices] == said


@pytest.mark.parametrize(
    ("words", "names"),
    [
        # an official is read from two or three Latin words (a fuzzy spelling too), not
        # from one or from four, though the registry would resolve both
        (["Chea", "Vandeth"], ["Chea Vandeth"]),
        (["Chea", "Vandet"], ["Chea Vandeth"]),
        (["Hang", "Chuon", "Naron"], ["Hang Chuon Naron"]),
        (["CheaVandeth"], []),
        (["Hang", "Chuon", "Naron", "A"], []),
        # in Khmer, from one or two words, not three
        (["ជា", "វ៉ាន់ដេត"], ["Chea Vandeth"]),
        (["ជាវ៉ាន់ដេត"], ["Chea Vandeth"]),
        (["ជា", "វ៉ាន់ដេត", "ក"], []),
        # a place with or without its unit word, in either script
        (["Siem", "Reap", "province"], ["Siem Reap"]),
        (["ខេត្តសៀមរាប"], ["Siem Reap"]),
        (["Kampot"], ["Kampot"]),
    ],
)
def test_the_names_a_query_may_mean(words: list[str], names: list[str]) -> None:
    assert queries.entity_names(words) == names


def test_a_khmer_run_of_32_words_is_read_whole_and_of_33_is_not() -> None:
    """A run typed without spaces counts its segmented words: ក្រសួង (ministry) 32
    times is 32 words, 33 times one too many."""
    schema = build_schema()
    assert _said(queries.parse("ក្រសួង" * 32, schema)) == []
    cut = queries.parse("ក្រសួង" * 33, schema)
    assert _said(cut) == ["Only the first 32 words of your search were used."]


@pytest.fixture(scope="module")
def hundred_words(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    """One announcement of the 100 words qabb, qabc, … qatt: consonants from
    bcdfgkmnpt, which no stemmer shortens."""
    words = " ".join(f"qa{a}{b}" for a in "bcdfgkmnpt" for b in "bcdfgkmnpt")
    page = f"---\ntitle: Word list\ndate: 2020-06-15\n---\n\n{words}\n"
    return SearchService(index_written(tmp_path_factory, {"en/wordlist": page}))


@pytest.mark.parametrize(
    ("end", "terms", "said"),
    [
        ("qamf", 64, []),  # qabb…qakt (60) and qamb…qamf (4): exactly MAX_EXPANSION
        (
            "qamg",
            64,
            [
                "[qabb TO qamg] matches too many words; only the first 64 of them (in "
                "alphabetical order) were searched."
            ],
        ),
    ],
)
def test_a_range_of_64_terms_is_read_whole_and_of_65_is_cut(
    hundred_words: SearchService, end: str, terms: int, said: list[str]
) -> None:
    reader = hundred_words.snapshot().searcher.reader()
    notices: list = []
    bounded = queries.bound(Q.TermRange("content", "qabb", end), reader, notices)
    assert len([q for q in bounded.leaves() if isinstance(q, Q.Term)]) == terms
    assert [str(n) for n in notices] == said
