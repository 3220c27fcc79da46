"""The deliberate bugs issue 27 names, each caught: ``.ci/named-mutants`` applies each
as a one-line mutant and runs this file, which must fail on every one of them.

Expected values are written out by hand (dates, counts, spans, letters), not computed
by the code under test; time is a clock the test moves, never the wall clock."""

from __future__ import annotations

import datetime as dt
import itertools
import string
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict
from whoosh import query as Q

from indexer import khmer
from indexer.schema import build_schema
from tests.conftest import index_written
from webapp import query as queries
from webapp import respell, vector
from webapp.params import BadParameter, parse_request
from webapp.search import SearchRequest, SearchService
from webapp.snippets import SNIPPET_CHARS, snippet, spans, wanted

UTC = dt.UTC
END_OF_DAY = dt.time(23, 59, 59, 999999, tzinfo=UTC)

# The days around the edges of a year and of December, one announcement each.
DAYS = ("2024-11-30", "2024-12-01", "2024-12-31", "2025-01-01", "2025-12-31", "2026-01-01")
# Five prefixes of 80 made-up words each: five wildcards of more than MAX_EXPANSION terms.
PREFIXES = ("qa", "qe", "qi", "qo", "qu")
FILLER = [
    p + a + b
    for p in PREFIXES
    for a, b in itertools.islice(itertools.product(string.ascii_lowercase[:10], repeat=2), 80)
]


def _page(day: str, title: str, body: str) -> str:
    return f"---\ntitle: {title}\ndate: {day}\n---\n\n{body}\n"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {
        f"en/notice-{day}": _page(day, f"Harbour notice {day}", "The harbour opens.")
        for day in DAYS
    }
    files["en/wordlist"] = _page("2020-06-15", "Word list", " ".join(FILLER))
    return index_written(tmp_path_factory, files)


@pytest.fixture(scope="module")
def service(index: Path) -> SearchService:
    return SearchService(index, result_cache=0)


def _dates(service: SearchService, q: str) -> list[str]:
    result = service.search(SearchRequest(q=q, per_page=50, sort="oldest"))
    return sorted(hit.date[:10] for hit in result.hits)


# --- 1, 2: date ranges, to the day ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("date:>2025", dt.datetime(2026, 1, 1, tzinfo=UTC), None),
        ("date:>=2025", dt.datetime(2025, 1, 1, tzinfo=UTC), None),
        ("date:<2025", None, dt.datetime.combine(dt.date(2024, 12, 31), END_OF_DAY)),
        ("date:<=2025", None, dt.datetime.combine(dt.date(2025, 12, 31), END_OF_DAY)),
        (
            "date:2025",
            dt.datetime(2025, 1, 1, tzinfo=UTC),
            dt.datetime.combine(dt.date(2025, 12, 31), END_OF_DAY),
        ),
        (
            "date:2024-12",
            dt.datetime(2024, 12, 1, tzinfo=UTC),
            dt.datetime.combine(dt.date(2024, 12, 31), END_OF_DAY),
        ),
        ("date:>2024-12", dt.datetime(2025, 1, 1, tzinfo=UTC), None),
        ("date:<2024-12", None, dt.datetime.combine(dt.date(2024, 11, 30), END_OF_DAY)),
    ],
)
def test_a_date_clause_covers_its_whole_days_and_no_more(
    text: str, low: dt.datetime | None, high: dt.datetime | None
) -> None:
    parsed = queries.parse(text, build_schema())
    assert parsed.notices == []
    assert isinstance(parsed.query, Q.DateRange)
    assert (parsed.query.startdate, parsed.query.enddate) == (low, high)


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("harbour date:>2025", ["2026-01-01"]),
        ("harbour date:<2025", ["2024-11-30", "2024-12-01", "2024-12-31"]),
        ("harbour date:2025", ["2025-01-01", "2025-12-31"]),
        ("harbour date:2024-12", ["2024-12-01", "2024-12-31"]),
        ("harbour date:[2024-12 to 2025-01]", ["2024-12-01", "2024-12-31", "2025-01-01"]),
    ],
)
def test_a_date_clause_finds_the_announcements_of_its_days(
    service: SearchService, q: str, found: list[str]
) -> None:
    assert _dates(service, q) == found


# --- 3: the overall expansion cap ------------------------------------------------------


def test_five_wildcards_share_the_overall_cap(service: SearchService) -> None:
    """MAX_EXPANDED (256) over five wildcards is 51 terms each, below MAX_EXPANSION (64):
    255 terms in all, and the notice says 51."""
    assert (queries.MAX_EXPANSION, queries.MAX_EXPANDED) == (64, 256)
    searcher = service.snapshot().searcher
    notices: list[str] = []
    query = Q.Or([Q.Wildcard("content", p + "*") for p in PREFIXES])
    bounded = queries.bound(query, searcher.reader(), notices)
    terms = [q for q in bounded.leaves() if isinstance(q, Q.Term)]
    assert len(terms) == 255
    assert {t.text[:2] for t in terms} == set(PREFIXES)
    assert [str(n) for n in notices] == [
        "content:qa*, content:qe*, content:qi*, content:qo*, content:qu* matches too "
        "many words; only the first 51 of them (in alphabetical order) were searched."
    ]


# --- 4, 5: the deadline, in Whoosh's loop and in the numpy path -------------------------


class Clock:
    """Time the test moves: ``now`` until set, or one tick of ``step`` a reading."""

    def __init__(self, step: float = 0.0) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_a_match_loop_stops_at_its_32nd_step_past_the_deadline() -> None:
    clock = Clock()
    deadline = vector.Deadline(1.0, clock)
    clock.now = 2.0
    for _ in range(31):
        deadline.step()  # the clock is read every 32nd step only
    with pytest.raises(vector.OutOfTime):
        deadline.step()
    assert deadline.ran_out


def _past(seconds: float = 1.0) -> vector.Deadline:
    clock = Clock()
    deadline = vector.Deadline(seconds, clock)
    clock.now = seconds + 1
    return deadline


def test_whoosh_opens_no_postings_past_the_deadline(service: SearchService) -> None:
    searcher = service.snapshot().searcher
    term = Q.Term("content", "harbour")
    assert len(vector.docs_until(searcher, term, None)) == 6
    deadline = _past()
    assert vector.docs_until(searcher, term, deadline).tolist() == []
    assert deadline.ran_out


def _evaluator(service: SearchService, deadline: vector.Deadline) -> vector.Evaluator:
    snap = service.snapshot()
    return vector.Evaluator(
        snap.searcher, snap.lengths, snap.columns.alive, snap.postings, deadline
    )


def test_the_numpy_path_reads_no_term_past_the_deadline(service: SearchService) -> None:
    term = Q.Term("content", "harbour")
    mask, _ = _evaluator(service, vector.Deadline(1.0, Clock())).run(term)
    assert int(mask.sum()) == 6
    deadline = _past()
    mask, scores = _evaluator(service, deadline).run(term)
    assert (int(mask.sum()), float(scores.sum())) == (0, 0.0)
    assert deadline.ran_out


def test_the_numpy_path_stops_a_phrase_between_its_words(service: SearchService) -> None:
    """The clock passes the deadline after the phrase is started (the deadline's own
    reading, the phrase's first check: two ticks of 0.6 s of a 1 s budget): the phrase
    reads no word and matches nothing."""
    phrase = Q.Phrase("content", ["harbour", "open"])
    mask, _ = _evaluator(service, vector.Deadline(1.0, Clock())).run(phrase)
    assert int(mask.sum()) == 6
    deadline = vector.Deadline(1.0, Clock(step=0.6))
    mask, _ = _evaluator(service, deadline).run(phrase)
    assert int(mask.sum()) == 0
    assert deadline.ran_out


# --- 6, 7: Khmer marks inside the words and the window -----------------------------------


def test_a_khmer_mark_ends_where_a_word_ends() -> None:
    """ការ (work) is the start of ការពារ (to protect), one word: not marked there."""
    want = wanted(queries.parse("ការ", build_schema()).query)
    assert spans("ការពារ", want) == []
    assert spans("ការ ការពារ", want) == [(0, 3)]
    assert spans("ការពារ ការ", want) == [(7, 10)]


def test_a_khmer_snippet_ends_at_the_first_word_edge_after_its_size() -> None:
    """ក្រសួង ការពារជាតិ (ministry, national defence: 6 and 10 characters) 75 times,
    without spaces, ក្រសួង searched: the window is SNIPPET_CHARS (260) long from the
    first mark, and 260 falls inside the 17th ក្រសួង (256-262): it ends there, not at
    a later word's end."""
    text = "".join(itertools.islice(itertools.cycle(("ក្រសួង", "ការពារជាតិ")), 150))
    want = wanted(queries.parse("ក្រសួង", build_schema()).query)
    html = str(snippet(text, want))
    assert SNIPPET_CHARS == 260
    assert html == "<mark>ក្រសួង</mark>ការពារជាតិ" * 16 + "<mark>ក្រសួង</mark>…"


# --- 8: a month needs exactly one year ----------------------------------------------------


def test_a_month_with_two_years_is_refused() -> None:
    one = parse_request(MultiDict([("month", "5"), ("year", "2024")]))
    assert one.filters == (("year", ("2024",)), ("month", ("5",)))
    for years in ([], ["2024", "2025"]):
        args = MultiDict([("month", "5"), *(("year", y) for y in years)])
        with pytest.raises(BadParameter, match=r"^“month” needs exactly one “year”\.$"):
            parse_request(args)


# --- 9: a respelling that finds fewer is not offered ---------------------------------------


@pytest.mark.parametrize(
    ("typed", "relaxed", "respelled", "verdict"),
    [
        (5, False, 3, None),  # fewer: not offered
        (5, False, 5, None),  # as many: not offered
        (5, False, 6, "offer"),  # more, but not FAR (5) times more
        (5, False, 25, "show"),
        (0, False, 1, "show"),
        (10, True, 2, "show"),  # all the words beat some of them, unless 5 times fewer
        (10, True, 1, None),
        (3, False, 0, None),
    ],
)
def test_a_respelling_is_offered_only_when_it_finds_more(
    typed: int, relaxed: bool, respelled: int, verdict: str | None
) -> None:
    assert respell.verdict(typed, relaxed, respelled) == verdict


# --- 10: split Khmer vowels composed --------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "composed"),
    [
        ("\u1780\u17c1\u17b8", "\u1780\u17be"),  # ក េ ី → កើ
        ("\u1780\u17c1\u17b6", "\u1780\u17c4"),  # ក េ ា → កោ
        ("\u1794\u17c1\u17b8\u1780", "\u1794\u17be\u1780"),  # បើក, to open
        ("\u1781\u17d2\u1798\u17c2\u179a", "\u1781\u17d2\u1798\u17c2\u179a"),  # ខ្មែរ as is
    ],
)
def test_a_split_khmer_vowel_is_composed(typed: str, composed: str) -> None:
    assert khmer.normalise(typed) == composed


def test_a_search_typed_with_split_vowels_finds_the_composed_word(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    index = index_written(
        tmp_path_factory,
        {"km/bridge": "---\ntitle: ស្ពាន\ndate: 2024-03-05\n---\n\nបើកស្ពានថ្មី\n"},
    )
    service = SearchService(index, result_cache=0)
    hits = service.search(SearchRequest(q="\u1794\u17c1\u17b8\u1780")).hits  # បេីក
    assert [h.slug for h in hits] == ["bridge"]
