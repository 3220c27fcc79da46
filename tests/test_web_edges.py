"""Edges of the web app that a mutation run found no test for, each in process (no
server: a mutation run does not collect the files that start one): the site mounted
under a path, a proxy's Host with ``BASE_URL``, what is compressed, the generation
watcher's default, the search box's hidden fields, a Khmer cut's edge, the metrics
folder, a column sorted once."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
import pytest

from webapp import create_app, metrics
from webapp.facets import Pairs
from webapp.snippets import _cluster_edge


@pytest.fixture()
def app(content_index: Path):
    # one for each test: a mutation run credits what a module fixture calls (here the
    # app factory) to the first test that asks for it, and runs only that one
    return create_app({"INDEX_DIR": content_index, "GENERATION_CHECK_S": 0})


def _links(html: str) -> list[str]:
    return re.findall(r'<link rel="(?:canonical|alternate)"[^>]*>', html)


def test_an_error_page_under_a_mount_path_names_itself_once(app) -> None:
    """(mutants ``seo.default_meta`` 12 and 19: the mount path kept twice; ``ui`` kept
    among the other parameters.) An address no route has, on a site mounted at
    ``/prakas``, in the Khmer interface."""
    response = app.test_client().get("/nowhere?x=1&ui=km", base_url="http://localhost/prakas/")
    assert response.status_code == 404
    assert _links(response.text) == [
        '<link rel="canonical" href="http://localhost/prakas/nowhere?x=1&amp;ui=km">',
        '<link rel="alternate" hreflang="en" href="http://localhost/prakas/nowhere?x=1&amp;ui=en">',
        '<link rel="alternate" hreflang="km" href="http://localhost/prakas/nowhere?x=1&amp;ui=km">',
        '<link rel="alternate" hreflang="x-default" href="http://localhost/prakas/nowhere?x=1">',
    ]


def test_a_new_search_from_the_box_keeps_the_filters_not_the_order(app) -> None:
    """(mutant ``views._render_search`` 123: the order kept.) The box's hidden fields
    carry the filters and the interface language; the order, the open facet lists, the
    page size and ``exact`` start afresh with a new search."""
    html = (
        app.test_client()
        .get("/search?q=broadband&sort=newest&province=Kampot&per_page=20&more=place&exact=1")
        .text
    )
    box = html.split('role="search"', 1)[1].split("</form>", 1)[0]
    assert re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', box) == [
        ("province", "Kampot"),
        ("ui", "en"),
    ]


def test_with_a_public_address_any_proxy_host_is_served(content_index: Path) -> None:
    """(mutant ``create_app`` 63.) With ``BASE_URL`` set and no ``TRUSTED_HOSTS`` of its
    own, links never read ``Host``, so the name a proxy passes on is served."""
    app = create_app({"INDEX_DIR": content_index, "BASE_URL": "https://news.example.gov.kh"})
    response = app.test_client().get("/search?q=broadband", headers={"Host": "10.0.0.7:8000"})
    assert response.status_code == 200
    assert '<link rel="canonical" href="https://news.example.gov.kh/search?q=broadband' in (
        response.text
    )


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/search?q=broadband", "text/html"),
        ("/api/search?q=broadband", "application/json"),
        ("/feed.atom?q=broadband", "application/atom+xml"),
        ("/api/search.csv?q=broadband", "text/csv"),
    ],
)
def test_pages_json_feeds_and_exports_are_compressed(app, path: str, mimetype: str) -> None:
    """(mutant ``create_app`` 30: flask-compress's own list, without feeds and CSV.)
    Brotli for a client that takes it; the CSV is streamed, and flask-compress streams
    no gzip, so a gzip-only client gets it whole (a proxy may compress it)."""
    response = app.test_client().get(path, headers={"Accept-Encoding": "br, gzip"})
    assert (response.mimetype, response.headers.get("Content-Encoding")) == (mimetype, "br")


def test_a_worker_watches_for_new_generations_unless_told_not_to(content_index: Path) -> None:
    """(mutant ``create_app`` 149: no watcher by default.) Every 30 s by default; the
    threads compared are the ones each call started (an older app's may end meanwhile)."""

    def started_by(make) -> list[str]:
        before = set(threading.enumerate())
        kept = make()  # the app (and its service) alive while its threads are listed
        names = [t.name for t in set(threading.enumerate()) - before]
        del kept
        return names

    assert started_by(lambda: create_app({"INDEX_DIR": content_index})) == ["prakas-generations"]
    assert (
        started_by(lambda: create_app({"INDEX_DIR": content_index, "GENERATION_CHECK_S": 0})) == []
    )


def test_a_khmer_cut_moves_to_a_cluster_s_edge() -> None:
    """(mutant ``snippets._cluster_edge`` 8: a dependent vowel, Unicode category Mn, not
    kept with its consonant.) ការកិច្ច: ក ា រ ក ិ ច ្ ច, positions 0 to 7."""
    text = "ការកិច្ច"
    assert _cluster_edge(text, 4, 1) == 5  # ិ (Mn) goes with the ក before it
    assert _cluster_edge(text, 4, -1) == 3
    assert _cluster_edge(text, 1, 1) == 2  # ា (Mc)
    assert _cluster_edge(text, 7, -1) == 5  # ច after the coeng ្ is part of ច្ច
    assert _cluster_edge(text, 7, 1) == 8
    assert _cluster_edge(text, 3, 1) == 3  # a consonant that starts a cluster stays


def test_the_metrics_folder_is_new_or_emptied(tmp_path: Path) -> None:
    """(mutant ``metrics.fresh_multiproc_dir`` 2.) ``prakas serve`` gets a new folder
    when none is configured; a configured one loses a previous server's counts only."""
    new = metrics.fresh_multiproc_dir(None)
    try:
        assert new.is_dir() and new.name.startswith("prakas-metrics-")
        assert list(new.iterdir()) == []
    finally:
        new.rmdir()
    configured = tmp_path / "metrics"
    configured.mkdir()
    (configured / "counter_1.db").write_bytes(b"old")
    (configured / "notes.txt").write_text("kept", "utf-8")
    assert metrics.fresh_multiproc_dir(configured) == configured
    assert sorted(p.name for p in configured.iterdir()) == ["notes.txt"]


def test_a_column_is_sorted_by_owner_once() -> None:
    """(mutant ``Pairs._by_owner`` 2: sorted again on every count of a few owners.)"""
    pairs = Pairs(
        ["a", "b"],
        {"a": 0, "b": 1},
        np.array([2, 0, 1, 0], dtype=np.int32),
        np.array([1, 0, 1, 1], dtype=np.int32),
    )
    first = pairs._by_owner(3)
    assert first[0].tolist() == [0, 2, 3, 4] and first[1].tolist() == [0, 1, 1, 1]
    assert pairs._by_owner(3) is first


def test_a_page_cut_short_is_never_kept(content_index: Path, monkeypatch) -> None:
    """(mutant ``views._page`` 28: a page cut short kept in the worker's page cache.)
    A search that found results but ran out of time (its result marked incomplete, as
    the evaluator's deadline marks it), asked twice: computed twice, kept by no one."""
    import dataclasses

    app = create_app({"INDEX_DIR": content_index})
    service = app.extensions["search"]
    search = service.search
    monkeypatch.setattr(
        service, "search", lambda *a, **k: dataclasses.replace(search(*a, **k), complete=False)
    )
    client = app.test_client()
    for _ in range(2):
        response = client.get("/search?q=broadband")
        assert response.status_code == 200 and "Rural broadband project" in response.text
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers.get("ETag") is None


def test_a_search_whoosh_cannot_parse_is_read_as_plain_words(
    content_index: Path, monkeypatch, caplog
) -> None:
    """No input known today makes Whoosh's parser raise; if one does, the search is
    read as plain words, the notices said so far kept, and the text logged."""
    from webapp import query as queries
    from webapp.search import SearchService

    class Broken:
        def parse(self, text: str):
            raise ValueError("a tree Whoosh cannot build")

    searcher = SearchService(content_index).searcher()
    plain = queries._parser
    monkeypatch.setattr(
        queries, "_parser", lambda *a, staff=False, **k: Broken() if staff else plain(*a, **k)
    )
    parsed = queries.parse('title:"broadband kampot', searcher.schema)
    assert [str(n) for n in parsed.notices] == [
        "A quotation mark was not closed; it was ignored.",
        "That search could not be read as written; it was searched as plain words.",
    ]
    assert parsed.words == ["title", "broadband", "kampot"]
    assert "query read as plain words" in caplog.text


def test_a_request_s_time_is_its_end_less_its_start(app, monkeypatch, caplog) -> None:
    """(mutant ``metrics._finished`` 2.) The clock read as a request starts and ends
    (``time.perf_counter``, replaced here for this module only), in the log line."""
    import itertools
    import logging
    import time as real_time
    from types import SimpleNamespace

    from webapp import requestlog

    readings = itertools.chain([100.0], itertools.repeat(100.25))  # the start, then on
    clock = SimpleNamespace(perf_counter=lambda: next(readings), time=real_time.time)
    monkeypatch.setattr(metrics, "time", clock)
    with caplog.at_level(logging.INFO, logger=requestlog.LOGGER):
        assert app.test_client().get("/help").status_code == 200
    (line,) = [r.getMessage() for r in caplog.records if r.name == requestlog.LOGGER]
    assert " ms=250.0 " in line, line


def test_a_request_that_cannot_be_counted_is_answered_and_logged(app, monkeypatch, caplog) -> None:
    """(mutant ``metrics._finished`` 38.) The metrics folder full or gone: the answer
    goes out all the same, and the log says why it was not counted."""
    from types import SimpleNamespace

    class Full:
        def labels(self, *values: str):
            raise OSError(28, "No space left on device")

    full = SimpleNamespace(requests=Full(), latency=Full(), page_cache=Full())
    monkeypatch.setattr(metrics, "_instruments", lambda: full)
    assert app.test_client().get("/help").status_code == 200
    (record,) = [r for r in caplog.records if r.getMessage() == "cannot count the request"]
    assert record.exc_info is not None and "No space left" in str(record.exc_info[1])


def test_a_wrong_language_value_is_named_in_the_error(app) -> None:
    """(mutant ``LanguageFacet.parse`` 11: the value left out of the message.) Cut at
    40 characters."""
    client = app.test_client()
    assert client.get("/api/search?lang=fr").get_json() == {
        "error": "“lang” is en or km, not “fr”."
    }
    long = client.get("/api/search?lang=" + "x" * 60)
    assert long.status_code == 400
    assert long.get_json() == {"error": f"“lang” is en or km, not “{'x' * 40}”."}


def test_the_language_switch_keeps_everything_but_the_language(app) -> None:
    """(mutant ``views.ui_switch_url`` 5: the old ``ui`` kept beside the new one.)"""
    html = app.test_client().get("/search?q=broadband&ui=km&province=Kampot").text
    (switch,) = re.findall(r'<a class="ui-switch"[^>]*href="([^"]*)"', html)
    assert switch == "/search?q=broadband&amp;province=Kampot&amp;ui=en"


def test_an_unreadable_part_of_a_staff_search_is_left_out_the_rest_kept(
    content_index: Path,
) -> None:
    """(mutant ``query._parse_staff``: the whole query dropped with its unreadable part,
    which then falls back to plain words.)"""
    from webapp import query as queries
    from webapp.search import SearchService

    searcher = SearchService(content_index).searcher()
    parsed = queries.parse("title:broadband year:abc", searcher.schema, searcher.reader())
    assert [str(n) for n in parsed.notices] == [
        "Part of that search could not be read (a date, perhaps); it was left out."
    ]
    assert parsed.words == ["broadband"]


def test_a_generation_s_language_column_is_small_integers(content_index: Path) -> None:
    """(mutant ``Columns.load`` 28: the column made of floats.) Built in the test, not a
    fixture, so a mutation run credits the column's reading to it. The bundled content:
    24 English and 24 Khmer files."""
    from webapp.search import SearchService

    lang = SearchService(content_index).snapshot().columns.lang
    assert lang.dtype == np.int8
    assert np.bincount(lang).tolist() == [24, 24]


def test_a_window_s_end_in_a_long_latin_word_goes_to_the_text_s_end_within_40() -> None:
    """(mutant ``snippets._word_edge`` 112: ``>=`` → ``>``.) No space after ``pos``:
    the text's end when it is 40 characters or fewer away, else the cluster's edge."""
    from webapp.snippets import _word_edge

    text = "x" * 50  # one word, no space
    assert _word_edge(text, 10, 1) == 50  # 40 away: the end
    assert _word_edge(text, 11, 1) == 50
    assert _word_edge(text, 9, 1) == 9  # 41 away: where it stands (a Latin letter's edge)


def test_a_search_of_stop_words_only_says_so(content_index: Path) -> None:
    """(mutant ``query.parse`` 109: the notice's words.)"""
    from webapp import query as queries
    from webapp.search import SearchService

    searcher = SearchService(content_index).searcher()
    parsed = queries.parse("the of", searcher.schema, searcher.reader())
    assert [str(n) for n in parsed.notices] == [
        "“the of” is made only of words too common to search for (such as “the” or “of”);"
        " add a more specific word."
    ]


def test_a_cached_result_is_a_copy_its_reader_may_change(content_index: Path) -> None:
    """(mutant ``cache._copy`` 9: the notices shared between the cache and a reader.)"""
    from webapp.search import SearchRequest, SearchService

    service = SearchService(content_index)  # with its result cache
    request = SearchRequest(q="title:(broadband")
    first = service.search(request)
    assert [str(n) for n in first.notices] == [
        "Brackets did not pair up; the unpaired ones were ignored."
    ]
    first.notices.append("a reader's own note")
    first.hits.clear()
    again = service.search(request)
    assert [str(n) for n in again.notices] == [
        "Brackets did not pair up; the unpaired ones were ignored."
    ]
    assert again.hits


def test_a_result_without_search_words_shows_its_summary(content_index: Path) -> None:
    """(mutant ``SearchService._hit`` 47: no snippet text when nothing is marked.) The
    newest announcement of the bundled content, its description as written."""
    from webapp.search import SearchRequest, SearchService

    result = SearchService(content_index).search(SearchRequest(sort="newest", per_page=1))
    (hit,) = result.hits
    assert hit.slug == "2026-unknown-royal-reading-awards"
    assert str(hit.snippet) == (
        "Forty village libraries that lend e-readers received the Royal Reading Awards in "
        "Siem Reap, under the high patronage of His Majesty the King."
    )
