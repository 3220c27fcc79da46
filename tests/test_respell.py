"""Issue 23, typos: a misspelt word shows the respelling's results ("Showing results for
X — search for Y instead"), on the page in both languages, in the JSON, the CSV and the
feed; and what people could not find goes to a log that ``prakas queries --zero``
reads.

The rules are tested on vocabularies written here (:func:`respell.vocabulary`); the
search on the bundled ``content/`` and on the real corpus, with counts found by hand
(``grep -li communit content/*/*.md``: 8 announcements; 32 in the real corpus)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import cli

from bench import respell as bench_respell
from webapp import create_app, respell
from webapp.querylog import QueryLog, age, files, read, unanswered
from webapp.search import SearchRequest, SearchService
from webapp.vector import Deadline


def never(word: str) -> bool:
    """The index's stemmed fields know none of the words (the vocabulary alone decides)."""
    return False


def vocab(*terms: tuple[str, int], names: tuple[str, ...] = ()) -> respell.Vocabulary:
    return respell.vocabulary(terms, names)


# --- the rules, on vocabularies written here ---------------------------------------------


def test_an_unknown_word_becomes_the_nearest_word_of_the_index() -> None:
    v = vocab(("community", 32), ("commodity", 1), ("communities", 3))
    assert respell.respell(["comunity"], v, never) == "community"
    # the case and the punctuation stay as typed
    assert respell.respell(["Comunity,", "centre"], v, never) == "Community, centre"


def test_a_word_of_the_index_a_name_a_unit_word_or_a_stop_word_is_never_replaced() -> None:
    v = vocab(
        ("khna", 90), ("kheo", 80), ("takes", 40), ("kampong", 30), ("into", 50), names=("Takeo",)
    )
    assert respell.respell(["Khet", "Takeo"], v, never) is None  # a unit word, a name
    assert respell.respell(["Kampot"], v, never) is None  # a province of the gazetteer
    assert respell.respell(["techn"], vocab(("tech", 28)), lambda w: w == "techn") is None
    assert respell.respell(["to", "Kak"], v, never) is None  # a stop word; too short


def test_a_stop_word_is_never_offered() -> None:
    v = vocab(("into", 500), ("there", 400), ("intro", 1))
    assert "into" not in v and "there" not in v
    assert respell.respell(["intoo"], v, never) == "intro"
    assert respell.respell(["therre"], v, never) is None


def test_names_first_then_the_more_frequent_word() -> None:
    v = vocab(("zorbex", 40), ("zorbax", 2), names=("Zorbek Prum",))
    assert respell.respell(["zorbez"], v, never) == "zorbek"  # a name at the same distance
    assert respell.respell(["zorbqx"], v, never) == "zorbex"  # then the more frequent
    assert respell.respell(["zorbqqq"], v, never) is None  # three edits: too far


def test_khmer_by_clusters() -> None:
    v = vocab(("កំពុង", 40), names=("តាកែវ",))
    assert respell.respell(["តាកេវ"], v, never) == "តាកែវ"  # one vowel: one cluster
    assert respell.respell(["ខេត្តតាកេវ"], v, never) == "ខេត្តតាកែវ"  # the unit word kept
    # Kampot is a province; and two of its three clusters differ from កំពុង
    assert respell.respell(["កំពត"], v, never) is None
    assert v.candidates("កំពត") == []


def test_a_khmer_typo_that_segments_into_known_pieces_is_still_respelt() -> None:
    """សហគន៍ (សហគមន៍, community, without ម) segments as សហ|គ|ន៍, three pieces the index
    has: a lone cluster among them marks a misspelling, not words of the index."""
    v = vocab(("សហគមន៍", 30), ("ការអភិវឌ្ឍ", 30))
    every_piece = lambda w: True  # noqa: E731 — the index knows every piece
    assert respell.respell(["សហគន៍"], v, every_piece) == "សហគមន៍"
    # a word the segmenter keeps whole stays as typed when the index has it
    assert respell.respell(["ការអភិវឌ្ឍន៍"], v, every_piece) is None


def test_the_benchmark_runs(content_index: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.respell", "--index", str(content_index), "--words", "4"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert re.search(r"^4 misspelt words: \d respelt as meant", out.stdout, re.M)
    assert bench_respell.misspell("province", random.Random(1)) != "province"


def test_past_the_deadline_no_respelling() -> None:
    """The clock is injected: the deadline passes when the test says so."""
    v = vocab(("community", 32), ("center", 30))
    now = [0.0]

    def clock() -> float:
        return now[0]

    assert respell.respell(["comunity"], v, never, Deadline(1.0, clock)) == "community"
    late = Deadline(1.0, clock)
    now[0] = 1.0
    assert respell.respell(["comunity"], v, never, late) is None

    class Ticking:  # a second passes with every reading of the clock
        t = 0.0

        def __call__(self) -> float:
            self.t += 0.6
            return self.t

    # the first word is respelt in time, the second is not: no half respelling
    assert respell.respell(["comunity", "centr"], v, never, Deadline(1.0, Ticking())) is None
    # the deadline passed while the last word was looked up: its result is not used
    assert respell.respell(["comunity"], v, never, Deadline(1.0, Ticking())) is None


def test_a_respelling_past_the_budget_leaves_the_words_results_whole(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock is injected: the budget runs out while the respelling's vocabulary is
    built; the search answers as typed, whole (not "cut short"), and is not respelt."""
    service = SearchService(content_index, result_cache=0)
    now = [0.0]
    service.clock = lambda: now[0]
    real = SearchService.suggest

    def slow(self, *args):
        now[0] += 5.0  # past the one-second budget
        return real(self, *args)

    monkeypatch.setattr(SearchService, "suggest", slow)
    result = service.search(SearchRequest(q="comunity"))
    assert (result.total, result.suggestion, result.respelled_from) == (0, None, None)
    assert result.complete and result.notices == []
    now[0] = 0.0
    monkeypatch.setattr(SearchService, "suggest", real)
    assert service.search(SearchRequest(q="comunity")).respelled_from == "comunity"


@pytest.mark.parametrize(
    ("typed", "relaxed", "respelled", "expected"),
    [
        (0, False, 8, "show"),  # nothing found as typed
        (1, False, 5, "show"),  # five times fewer
        (2, False, 9, "offer"),  # fewer, not far fewer
        (9, False, 9, None),
        (9, True, 7, "show"),  # all the words beat some of them, unless far fewer…
        (31, True, 1, None),  # …comunity techn center: never a respelling finding 1 of 31
        (31, True, 6, None),
        (3, False, 0, None),
    ],
)
def test_when_the_respelling_is_shown(typed, relaxed, respelled, expected) -> None:
    assert respell.verdict(typed, relaxed, respelled) == expected


# --- the search: the bundled content and the real corpus ----------------------------------


def warmed(index_dir: Path) -> SearchService:
    """A service whose vocabulary is built, as the app's is when it starts: the
    searches below run within the time budget on a busy machine too."""
    service = SearchService(index_dir)
    service.warm()
    return service


@pytest.fixture(scope="module")
def content_service(content_index: Path) -> SearchService:
    return warmed(content_index)


@pytest.fixture(scope="module")
def real_service(corpus_index: Path) -> SearchService:
    return warmed(corpus_index)


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


@pytest.mark.parametrize(("which", "found"), [("content_service", 8), ("real_service", 32)])
def test_comunity_shows_the_results_for_community(request, which: str, found: int) -> None:
    service = request.getfixturevalue(which)
    result = service.search(SearchRequest(q="comunity", per_page=100))
    assert (result.respelled_from, result.suggestion, result.total) == (
        "comunity",
        "community",
        found,
    )
    meant = service.search(SearchRequest(q="community", per_page=100))
    assert ids(result) == ids(meant)
    as_typed = service.search(SearchRequest(q="comunity", exact=True))
    assert (as_typed.total, as_typed.suggestion, as_typed.respelled_from) == (0, None, None)


@pytest.mark.parametrize("which", ["content_service", "real_service"])
def test_the_issues_examples_get_no_misleading_respelling(request, which: str) -> None:
    service = request.getfixturevalue(which)
    takeo = service.search(SearchRequest(q="Takeo", per_page=100))
    khet = service.search(SearchRequest(q="Khet Takeo", per_page=100))
    assert khet.suggestion is None and khet.respelled_from is None  # never "khna Takeo"
    assert set(ids(khet)) == set(ids(takeo))
    assert service.search(SearchRequest(q="to Kak")).suggestion is None
    kampot = service.search(SearchRequest(q="កំពត"))  # Kampot, never កំពុង
    assert kampot.suggestion is None and kampot.respelled_from is None


def test_comunity_techn_center_on_the_real_corpus(real_service: SearchService) -> None:
    """ "techn" is a word of the index (one announcement has it): it stays, and the
    respelling "community techn center" finds 1 where the any-word fallback finds 31,
    so it is neither shown nor offered."""
    result = real_service.search(SearchRequest(q="comunity techn center"))
    assert result.relaxed and result.total == 31
    assert result.suggestion is None and result.respelled_from is None
    assert real_service.search(SearchRequest(q="community techn center")).total == 1


def test_khmer_typo_on_the_real_corpus(real_service: SearchService) -> None:
    result = real_service.search(SearchRequest(q="ខេត្តតាកេវ", per_page=100))
    assert (result.respelled_from, result.suggestion, result.total) == (
        "ខេត្តតាកេវ",
        "ខេត្តតាកែវ",
        24,  # grep -li "takeo\|តាកែវ": 24 announcements
    )


def test_a_warmed_service_builds_no_vocabulary_in_a_search(
    content_index: Path, monkeypatch
) -> None:
    """What a web worker does as it starts (and the benchmark measures): the first
    misspelt search finds the vocabulary built."""
    built = []
    real = respell.vocabulary
    monkeypatch.setattr(respell, "vocabulary", lambda *a: built.append(1) or real(*a))
    service = SearchService(content_index)
    service.warm()
    assert built == [1]
    assert service.search(SearchRequest(q="comunity")).respelled_from == "comunity"
    assert built == [1]


def test_the_vocabulary_is_built_once_per_generation(content_service: SearchService) -> None:
    snap = content_service.snapshot()
    assert snap.vocabulary() is snap.vocabulary()
    assert "community" in snap.vocabulary() and "of" not in snap.vocabulary()


# --- the page, the JSON, the CSV, the feed ------------------------------------------------


@pytest.fixture()
def logged(tmp_path: Path, content_index: Path):
    """The app over the bundled content, its query log in ``tmp_path`` at a fixed time."""
    app = create_app({"INDEX_DIR": content_index, "QUERY_LOG": tmp_path / "q.jsonl"})
    service = app.extensions["search"]
    service.query_log = QueryLog(
        tmp_path / "q.jsonl", clock=lambda: dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)
    )
    return app.test_client(), tmp_path / "q.jsonl"


def test_the_page_says_what_it_shows_in_both_languages(logged) -> None:
    client, _ = logged
    page = client.get("/search?q=comunity&ui=en").text
    line = re.search(r'<p class="suggestion" role="status">(.*?)</p>', page).group(1)
    assert line == (
        "Showing results for <strong>community</strong> — search for "
        '<a href="/search?q=comunity&amp;exact=1&amp;ui=en" data-source="query" '
        'id="respelled-typed">comunity</a> instead.'
    )
    assert page.count('<li class="hit">') == 8
    km = client.get("/search?q=comunity&ui=km").text
    assert (
        "កំពុងបង្ហាញលទ្ធផលសម្រាប់ <strong>community</strong> — ស្វែងរក "
        '<a href="/search?q=comunity&amp;exact=1&amp;ui=km"'
    ) in km
    exact = client.get("/search?q=comunity&exact=1&ui=en").text
    assert 'class="suggestion"' not in exact
    # the box starts a new search, respelt again: it does not carry exact=1
    box = re.search(r'<form class="search".*?</form>', exact, re.S).group(0)
    assert 'name="q"' in box and 'name="exact"' not in box
    # the dates' form keeps the words, and reads them as typed
    assert '<input type="hidden" name="exact" value="1">' in exact


def test_a_typed_query_is_escaped_in_the_respelling_line(logged) -> None:
    client, _ = logged
    page = client.get("/search?q=comunity%20%3Cb%3Ex&ui=en").text
    assert "<b>x" not in page and "comunity &lt;b&gt;x" in page
    r = client.get("/api/search?q=comunity&exact=2")
    assert r.status_code == 400 and r.get_json() == {"error": "“exact” is 1 or 0, not “2”."}


def test_json_csv_and_feed_carry_the_same_respelling(logged) -> None:
    client, _ = logged
    data = client.get("/api/search?q=comunity&per_page=100").get_json()
    assert (data["query"], data["respelled_from"], data["suggestion"], data["total"]) == (
        "comunity",
        "comunity",
        "community",
        8,
    )
    wanted = [r["id"] for r in data["results"]]
    rows = list(csv.reader(io.StringIO(client.get("/api/search.csv?q=comunity").text[1:])))
    assert [r[0] for r in rows[1:]] == wanted
    feed = ET.fromstring(client.get("/feed.atom?q=comunity").data)
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.find(f"{atom}title").text == "Announcements: community"
    assert len(feed.findall(f"{atom}entry")) == 8
    exact = client.get("/api/search?q=comunity&exact=1").get_json()
    assert (exact["total"], exact["respelled_from"], exact["suggestion"]) == (0, None, None)
    plain = client.get("/api/search?q=community").get_json()
    assert (plain["respelled_from"], plain["suggestion"]) == (None, None)


# --- what people could not find -----------------------------------------------------------


def test_searches_that_found_nothing_as_typed_are_logged_once(logged) -> None:
    client, path = logged
    client.get("/search?q=comunity&ui=km", headers={"Cookie": "ui=km"})
    client.get("/search?q=comunity&ui=km")  # the same page again: logged again
    client.get("/api/search?q=comunity&page=2&per_page=5")  # a second page: not again
    client.get("/api/search?q=xyzzyq")
    client.get("/api/search?q=Takeo")  # found: not logged
    client.get("/search")  # no words: not logged
    client.get("/api/search.csv?q=qwertzuiop")
    lines = path.read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"at": "2026-12-04T09:30:00Z", "q": "comunity", "total": 8, "respelled": "community"},
        {"at": "2026-12-04T09:30:00Z", "q": "comunity", "total": 8, "respelled": "community"},
        {"at": "2026-12-04T09:30:00Z", "q": "xyzzyq", "total": 0, "respelled": None},
        {"at": "2026-12-04T09:30:00Z", "q": "qwertzuiop", "total": 0, "respelled": None},
    ]
    assert "127.0.0.1" not in path.read_text("utf-8") and "ui" not in lines[0]


def test_the_log_is_reopened_for_each_line_so_logrotate_may_move_it(logged) -> None:
    client, path = logged
    client.get("/api/search?q=xyzzyq")
    path.rename(path.with_name("q.jsonl.1"))  # logrotate (no copytruncate)
    client.get("/api/search?q=qwertzuiop")
    assert [json.loads(x)["q"] for x in path.read_text("utf-8").splitlines()] == ["qwertzuiop"]
    assert files(path) == [path.with_name("q.jsonl.1"), path]


def test_a_log_that_cannot_be_written_never_fails_the_search(tmp_path: Path, content_index) -> None:
    app = create_app({"INDEX_DIR": content_index, "QUERY_LOG": tmp_path / "no" / "q.jsonl"})
    r = app.test_client().get("/api/search?q=xyzzyq")
    assert r.status_code == 200 and r.get_json()["total"] == 0


LOG = [
    {"at": "2026-11-01T08:00:00Z", "q": "mptc fibre", "total": 0, "respelled": None},
    {"at": "2026-12-01T10:00:00Z", "q": "comunity", "total": 8, "respelled": "community"},
    {"at": "2026-12-02T10:00:00Z", "q": "Comunity ", "total": 8, "respelled": "community"},
    {"at": "2026-12-03T10:00:00Z", "q": "comunity", "total": 8, "respelled": "community"},
    {"at": "2026-12-03T11:00:00Z", "q": "ក្រសួងទូរគមនាគម", "total": 0, "respelled": None},
]


def write_log(path: Path, entries: list[dict], shift: dt.timedelta = dt.timedelta()) -> None:
    lines = []
    for e in entries:
        at = dt.datetime.fromisoformat(e["at"]) + shift
        lines.append(json.dumps({**e, "at": at.isoformat()}, ensure_ascii=False))
    path.write_text("\n".join([*lines, "not json"]) + "\n", "utf-8")


def test_unanswered_groups_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    write_log(path, LOG)
    rows = unanswered(read([path], since=dt.datetime(2026, 11, 27, tzinfo=dt.UTC)))
    assert [(r.q, r.count, r.respelled) for r in rows] == [
        ("comunity", 3, "community"),
        ("ក្រសួងទូរគមនាគម", 1, None),
    ]
    assert age("7d") == dt.timedelta(days=7) and age("24h") == dt.timedelta(hours=24)
    with pytest.raises(ValueError):
        age("7 days")


def test_prakas_queries_zero(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    # the log's times moved so that its last entry is an hour old today: --since 7d
    # keeps the four of December, not the one of November
    now = dt.datetime.now(dt.UTC)
    write_log(path, LOG, now - dt.timedelta(hours=1) - dt.datetime(2026, 12, 3, 11, tzinfo=dt.UTC))
    out = cli("queries", "--zero", "--log", path)
    assert out.returncode == 0
    assert out.stdout == ("    3  comunity  → community\n    1  mptc fibre\n    1  ក្រសួងទូរគមនាគម\n")
    assert out.stderr.endswith("5 searches, 3 different\n")
    week = cli("queries", "--zero", "--since", "7d", "--log", path)
    assert week.stdout == "    3  comunity  → community\n    1  ក្រសួងទូរគមនាគម\n"
    as_json = json.loads(cli("queries", "--zero", "--log", path, "--json").stdout)
    assert as_json[0] == {"q": "comunity", "count": 3, "respelled": "community"}
    assert cli("queries", "--zero", "--since", "soon", "--log", path).returncode == 2
    assert cli("queries", "--log", path).returncode == 2
    missing = cli("queries", "--zero", env={"PRAKAS_QUERY_LOG": ""})
    assert missing.returncode == 2 and "PRAKAS_QUERY_LOG" in missing.stderr


def test_prakas_search_says_what_it_shows(content_index: Path) -> None:
    out = cli("search", "--index", content_index, "comunity")
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 8
    assert "Showing results for: community (as typed: --exact)" in out.stderr
    exact = cli("search", "--index", content_index, "--exact", "comunity")
    assert exact.stdout == "" and exact.stderr.startswith("0 found")


def test_the_real_corpus_page_json_and_csv(corpus_index: Path) -> None:
    client = create_app({"INDEX_DIR": corpus_index}).test_client()
    data = client.get("/api/search?q=comunity&per_page=100").get_json()
    assert (data["respelled_from"], data["suggestion"], data["total"]) == (
        "comunity",
        "community",
        32,  # grep -li communit blog/*/*.md: 32 announcements
    )
    rows = list(csv.reader(io.StringIO(client.get("/api/search.csv?q=comunity").text[1:])))
    assert [r[0] for r in rows[1:]] == [r["id"] for r in data["results"]]
    km = client.get("/search?q=ខេត្តតាកេវ&ui=km").text
    assert "កំពុងបង្ហាញលទ្ធផលសម្រាប់ <strong>ខេត្តតាកែវ</strong>" in km
    khet = client.get("/api/search?q=Khet+Takeo").get_json()
    assert (khet["suggestion"], khet["respelled_from"], khet["total"]) == (None, None, 24)


def test_the_vocabulary_is_built_only_for_a_word_to_respell(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_needed(*args):
        raise AssertionError("vocabulary built")

    monkeypatch.setattr(respell, "vocabulary", not_needed)
    service = SearchService(content_index)
    for q in ("community Takeo", "Khet Takeo", "to Kak", "កំពត", "ខេត្តតាកែវ", "title:comunity"):
        service.search(SearchRequest(q=q))
    with pytest.raises(AssertionError, match="vocabulary built"):
        service.search(SearchRequest(q="comunity"))
