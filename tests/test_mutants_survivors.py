"""Behaviours mutmut's sample run (docs/testing.md) found no test pinning down: each
test here kills the surviving mutants named in its docstring. Expected values written
out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.fields import TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from indexer import build, whoosh_compat
from indexer.entities.names import is_place
from indexer.entities.people import find_people
from indexer.entities.registry import registry
from indexer.entities.staff import read_folder
from indexer.entities.text import Text
from indexer.schema import build_schema
from indexer.sources import discover
from tests.conftest import index_written
from webapp import create_app, entities_view, querylog, related, vector
from webapp.search import SearchService
from webapp.suggest import name_entries

A = "{http://www.w3.org/2005/Atom}"


def _problems(folder: Path, base=None) -> list[tuple[str, int, str]]:
    return [(p.path.name, p.line, p.message) for p in read_folder(folder, base).problems]


def test_a_staff_file_s_problems_name_their_line(tmp_path: Path) -> None:
    """``staff._yaml_records`` (the YAML error's line: ``problem_mark``),
    ``staff._check_name`` ("name is missing")."""
    (tmp_path / "a.yaml").write_text(
        "people:\n  - name: Ouk Rachana\n    km: [x\n  - name: B\n", "utf-8"
    )
    (tmp_path / "b.yaml").write_text("people:\n  - name: Ouk Rachana\n  - km: [អ៊ុក រចនា]\n", "utf-8")
    assert _problems(tmp_path) == [
        ("a.yaml", 4, "not valid YAML: expected ',' or ']', but got ':'"),
        ("b.yaml", 3, "name is missing"),
    ]


def test_a_staff_spelling_of_a_registry_official_is_refused(tmp_path: Path) -> None:
    """``staff.read_folder`` (the folder is checked against ``base``, not an empty
    registry): Chea Vanndeth is a spelling of Chea Vandeth in officials.json."""
    (tmp_path / "c.yaml").write_text(
        "people:\n  - name: Chea Vanndeth\n    km: [ជា វ៉ាន់ដេត]\n", "utf-8"
    )
    assert _problems(tmp_path) == []
    conflict = ("c.yaml", 2, "a spelling of Chea Vanndeth already names Chea Vandeth")
    assert _problems(tmp_path, registry()) == [conflict, conflict]  # the Latin, the Khmer


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    page = "---\ntitle: Harbour opens\ndate: 2024-03-05\n---\n\nThe harbour opens.\n"
    index = index_written(tmp_path_factory, {"en/harbour": page})
    return create_app({"INDEX_DIR": index}).test_client()


def test_an_atom_feed_names_its_author_and_links_each_entry_s_page(client) -> None:
    """``api.atom`` (the feed's author), ``feeds.feed`` (``rel="alternate"``)."""
    root = ET.fromstring(client.get("/feed.atom?q=harbour").data)
    assert [a.findtext(f"{A}name") for a in root.findall(f"{A}author")] == [
        "Ministry announcements"
    ]
    (entry,) = root.findall(f"{A}entry")
    links = [(link.get("rel"), link.get("type")) for link in entry.findall(f"{A}link")]
    assert ("alternate", "text/html") in links


def test_a_staff_file_s_entry_problems_are_each_reported(tmp_path: Path) -> None:
    """``staff._yaml_records`` (an entry that is not a mapping ends no read: ``continue``),
    ``staff._check_person`` (an office that is not a mapping), ``staff._check_office``
    (the dates of an office that ends before it starts)."""
    (tmp_path / "a.yaml").write_text(
        "people:\n  - just a string\n  - name: Ouk Rachana\n    offices:\n"
        "      - title: Minister of Tourism\n        from: 2024-05-01\n        to: 2024-01-01\n"
        "      - a string\n",
        "utf-8",
    )
    assert _problems(tmp_path) == [
        ("a.yaml", 1, "people: each entry must be a mapping, not 'just a string'"),
        ("a.yaml", 5, "office 'Minister of Tourism': minister must be true or false"),
        ("a.yaml", 5, "office 'Minister of Tourism': from 2024-05-01 is after to 2024-01-01"),
        ("a.yaml", 3, "offices: each office is a mapping, not 'a string'"),
    ]


def test_the_json_timeline_and_a_bad_date_s_notice(client) -> None:
    """``api.as_json`` (a timeline point's ``selected``), ``query._date_clause`` (the
    notice names the date as typed, not the whole clause)."""
    data = client.get("/api/search?q=harbour").get_json()
    assert data["timeline"] == {
        "by": "year",
        "points": [{"count": 1, "label": "2024", "selected": False}],
    }
    data = client.get("/api/search", query_string={"q": "harbour date:2024-13"}).get_json()
    assert data["notices"] == ["2024-13 is not a real date; that part could not be read."]


def test_the_json_answer_restates_its_filters(client) -> None:
    """``api._filters`` (each parameter under its own name)."""
    data = client.get("/api/search?q=harbour&year=2024&sort=oldest").get_json()
    assert data["filters"] == {"year": ["2024"], "sort": ["oldest"]}


def test_a_yaml_error_without_a_position_is_reported_on_line_0(tmp_path: Path) -> None:
    """``staff._yaml_records`` 24 (line 0, not 1, when the error has no mark) and 32 (the
    message of an error that has no ``problem``): a ``ValueError`` from the loader
    (``!!int`` on a word) and a character YAML does not accept (a ``ReaderError``)."""
    (tmp_path / "a.yaml").write_text(
        "people:\n  - name: Ouk Rachana\n    offices: !!int many\n", "utf-8"
    )
    (tmp_path / "b.yaml").write_text("people:\n  - name: Ouk\x07 Rachana\n", "utf-8")
    assert _problems(tmp_path) == [
        ("a.yaml", 0, "not valid YAML: invalid literal for int() with base 10: 'many'"),
        (
            "b.yaml",
            0,
            "not valid YAML: unacceptable character #x0007: special characters are not "
            'allowed\n  in "<unicode string>", position 21',
        ),
    ]


def test_a_place_is_known_by_its_folded_name() -> None:
    """``names.is_place`` 1 (the name folded before the gazetteer is asked): the
    province Siem Reap in any case and spacing, Kampong Cham by its older spelling."""
    assert [is_place(n) for n in ("Siem Reap", "SIEM  REAP", "siem reap", "Kompong Cham")] == [
        True,
        True,
        True,
        True,
    ]
    assert [is_place(n) for n in ("Chea Vandeth", "Harbour")] == [False, False]


def _people(text: str) -> list[tuple[str, str, bool, list[str]]]:
    found = find_people(Text.of(text), dt.date(2025, 1, 1))
    return [(p.name, p.how, p.known, p.titles) for p in found]


def test_a_three_word_official_is_resolved_by_the_registry() -> None:
    """``people._add_latin`` 14 (``and`` → ``or``: a three-word name the registry knows
    would be looked up again by its first two words, which name nobody, and kept as a
    pattern's)."""
    assert _people("Minister of Education Hang Chuon Naron opened the school.") == [
        ("Hang Chuon Naron", "registry", True, ["Minister of Education"])
    ]


def test_a_khmer_name_keeps_the_title_written_after_it_and_how_it_was_found() -> None:
    """``people._take_khmer`` 52 (the title after the name: រដ្ឋមន្ត្រីក្រសួង…) and 80 (how the
    name was found: "pattern" for a name the registry does not know, the registry's
    answer for one it knows)."""
    assert _people("ឯកឧត្តម សុខ វិបុល រដ្ឋមន្ត្រីក្រសួងសុខាភិបាល បានមកដល់។") == [
        ("សុខ វិបុល", "pattern", False, ["ឯកឧត្តម រដ្ឋមន្ត្រីក្រសួងសុខាភិបាល"])
    ]
    assert _people("ឯកឧត្តម ជា វ៉ាន់ដេត រដ្ឋមន្ត្រីក្រសួងប្រៃសណីយ៍ បានមកដល់។") == [
        ("Chea Vandeth", "registry", True, ["ឯកឧត្តម រដ្ឋមន្ត្រីក្រសួងប្រៃសណីយ៍"])
    ]


def test_a_title_s_words_for_related_announcements_leave_out_stop_words() -> None:
    """``related._words`` 10 (stop words kept instead of dropped)."""
    assert related._words("The Harbour of the Harbour Opens") == ["harbour", "opens"]


def test_an_announcement_sharing_one_value_of_weight_1_is_related(tmp_path_factory) -> None:
    """``related._compute`` 63 (``score > 0`` → ``> 1``): of two announcements, each
    names Kampot province and nothing else in common (titles without a shared word); a
    value two of two live announcements share weighs log(2 / 2) + 1 = 1 exactly."""
    index = index_written(
        tmp_path_factory,
        {
            "en/broadband": "---\ntitle: Broadband reaches schools\ndate: 2025-07-09\n---\n\n"
            "Fibre now reaches schools in Kampot province.\n",
            "en/postal": "---\ntitle: New postal rates\ndate: 2025-07-07\n---\n\n"
            "The post office of Kampot province publishes its rates.\n",
        },
    )
    service = SearchService(index)
    snap = service.snapshot()
    assert related.related(service, snap, "en", "broadband") == [
        related.Related("en", "postal", "New postal rates", "2025-07-07", (("province", "Kampot"),))
    ]


KAMPOT = {
    "en/minister-visit": "---\ntitle: Minister visits Kampot schools\ndate: 2024-01-10\n---\n\n"
    "Minister of Education Hang Chuon Naron visited schools in Kampot province.\n",
    "en/library": "---\ntitle: A library opens in Kampot\ndate: 2025-03-01\n---\n\n"
    "H.E. Mao Sela opened a library in Kampot province.\n",
    "en/books": "---\ntitle: Books for Kampot schools\ndate: 2024-06-15\n---\n\n"
    "The schools of Kampot province receive books.\n",
}


@pytest.fixture(scope="module")
def kampot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three announcements of Kampot province: a minister, a person, neither."""
    return index_written(tmp_path_factory, KAMPOT)


def test_a_csv_cut_at_its_row_limit_counts_the_rows_it_wrote(kampot: Path) -> None:
    """``api._csv_rows`` 11 (the count of rows written starts at 0)."""
    client = create_app({"INDEX_DIR": kampot, "CSV_MAX_ROWS": 2}).test_client()
    response = client.get("/api/search.csv?q=kampot")
    assert response.headers["X-Prakas-Truncated"] == "rows"
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert [r[0] for r in rows] == [
        "id",
        "en/library",
        "en/books",
        "# truncated: 2 of 3 rows (the limit is 2)",
    ]


def test_an_entity_page_lists_its_latest_announcements_newest_first(kampot: Path) -> None:
    """``entities_view.profile`` 5 (``sort="newest"``). A search without words is in
    date order whatever its sort (webapp/search.py, ``_order``), so the order alone
    cannot tell the mutant; the request the page's result answers can."""
    app = create_app({"INDEX_DIR": kampot})
    latest = app.test_client().get("/api/entity/province/Kampot").get_json()["latest"]
    assert [(h["id"], h["date"]) for h in latest] == [
        ("en/library", "2025-03-01"),
        ("en/books", "2024-06-15"),
        ("en/minister-visit", "2024-01-10"),
    ]
    with app.test_request_context("/"):
        snap = app.extensions["search"].snapshot()
        found = entities_view.profile("province", "Kampot", snap, "en")
    assert found is not None and found.result.request.sort == "newest"


def test_completions_offer_each_name_once_under_its_own_facet(kampot: Path) -> None:
    """``suggest.name_entries`` 22 (``or`` → ``and``: a minister offered as a person
    too) and 29 (``continue`` → ``break``: the people after the minister, in the
    facet's order, lost)."""
    snap = SearchService(kampot).snapshot()
    assert {(item[2].kind, item[2].value) for _, item in name_entries(snap)} == {
        ("minister", "Hang Chuon Naron"),
        ("person", "Mao Sela"),
        ("province", "Kampot"),
    }


def test_a_bad_query_log_line_is_named_by_its_number(tmp_path: Path, caplog) -> None:
    """``querylog.read`` 39 (the line's number in the warning)."""
    log = tmp_path / "queries.jsonl"
    log.write_text(
        '{"at": "2025-01-02T03:04:05Z", "q": "harbor", "total": 0, "respelled": null}\n'
        "cut short {\n"
        '{"at": "2025-01-02T03:05:00", "q": "kampot", "total": 0}\n',
        "utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="webapp.querylog"):
        entries = list(querylog.read([log]))
    assert [(e.q, e.at.isoformat()) for e in entries] == [
        ("harbor", "2025-01-02T03:04:05+00:00"),
        ("kampot", "2025-01-02T03:05:00+00:00"),
    ]
    assert caplog.messages == [f"{log}:2: not a query log entry, skipped"]


def _whoosh_index(texts: list[str]):
    schema = Schema(body=TEXT(phrase=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        for text in texts:
            w.add_document(body=text)
    return ix


def test_a_timed_phrase_keeps_its_boost() -> None:
    """``vector._TimedPhrase.matcher`` 58 (the boost applied when it is 1 and dropped
    when it is not): a phrase bound to a deadline scores as the phrase does, twice as
    much with a boost of 2."""
    ix = _whoosh_index(["the harbour opens today", "it opens a new harbour"])
    never = vector.Deadline(60.0, clock=lambda: 0.0)
    with ix.searcher() as s:

        def scores(q: Q.Query) -> dict[int, float]:
            return {hit.docnum: hit.score for hit in s.search(q)}

        plain = scores(Q.Phrase("body", ["harbour", "opens"]))
        assert list(plain) == [0]
        boosted = scores(vector.timed(Q.Phrase("body", ["harbour", "opens"], boost=2.0), never))
        assert boosted == {0: pytest.approx(2 * plain[0])}
        assert scores(vector.timed(Q.Phrase("body", ["harbour", "opens"]), never)) == plain


def test_a_timed_intersection_skips_to_the_next_common_document() -> None:
    """``vector._TimedMatcher.skip_to`` 1 (the target dropped): an ``And`` skips each
    word's postings to the other's document."""
    ix = _whoosh_index(["harbour", "opens", "harbour opens", "opens", "harbour", "opens harbour"])
    never = vector.Deadline(60.0, clock=lambda: 0.0)
    query = Q.And([Q.Term("body", "harbour"), Q.Term("body", "opens")])
    with ix.searcher() as s:
        assert vector.docs_until(s, query, never).tolist() == [2, 5]


PAIR = {
    "en/2025-visit.md": "---\ntitle: Maintenance team visits Takeo\ndate: 2025-03-01\n---\n"
    "Ms. Thorn Makara, Deputy Head of the Maintenance Team, led the visit to Takeo province.\n",
    "km/2025-visit.md": "---\ntitle: ក្រុមថែទាំចុះទៅខេត្តតាកែវ\ndate: 2025-03-01\n---\n"
    "លោកស្រី ថន មករា អនុប្រធានក្រុមការងារ បានដឹកនាំ ការចុះទៅខេត្តតាកែវ។\n",
}


def test_a_worker_s_chunk_is_one_segment_of_the_index(tmp_path: Path, monkeypatch) -> None:
    """``build._index_chunk``, what each process of the parallel build runs (a mutation
    run skips the pool), called here in process: the two versions of an announcement
    into one new segment with its numpy copy, the counts, the Khmer spelling of a name
    the English version gave, the manifest's entries; files over ``max_bytes`` leave no
    segment; the crash tests' hook fails it."""
    content = tmp_path / "content"
    for name, text in PAIR.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, "utf-8")
    sources = list(discover([content]))
    index = tmp_path / "index"
    index.mkdir()
    ix = whoosh_index.create_in(str(index), build_schema())

    segment, part, entries = build._index_chunk(str(index), sources, None)
    assert segment.doc_count() == 2
    assert (part.read, part.added, part.skipped, part.roots) == (2, 2, [], {str(content): [2, 0]})
    paired = {"Thorn Makara": {"km": "ថន មករា"}}  # both people facets keep the pairing
    assert part.labels == {"minister": paired, "person": paired}
    expected = {}
    for name in PAIR:
        path = content / name
        stat = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        expected[str(path)] = [name.removesuffix(".md"), digest, stat.st_size, stat.st_mtime_ns]
    assert entries == expected
    assert (index / f"numpy-{segment.segment_id()}.json").is_file()
    whoosh_compat.publish_segments(ix, [segment])
    with whoosh_index.open_dir(str(index)).searcher() as s:
        assert sorted((f["id"], f["people"]) for f in s.all_stored_fields()) == [
            ("en/2025-visit", "Thorn Makara"),
            ("km/2025-visit", "Thorn Makara"),
        ]

    small = tmp_path / "small"
    small.mkdir()
    whoosh_index.create_in(str(small), build_schema())
    segment, part, entries = build._index_chunk(str(small), sources, 100)
    assert (segment, part.read, part.added, entries) == (None, 2, 0, {})
    assert [(s.path, s.reason) for s in part.skipped] == [
        (str(content / name), f"file is {len(text.encode())} bytes, over the limit of 100")
        for name, text in PAIR.items()
    ]

    monkeypatch.setenv("PRAKAS_FAIL_AT", "worker")
    with pytest.raises(RuntimeError, match=r"^failure injected by PRAKAS_FAIL_AT=worker$"):
        build._index_chunk(str(small), sources, None)


class _Killed(Exception):
    """What a crash test's kill is to the code: the run stops where it paused."""


def test_a_worker_pauses_after_its_first_document_and_cancels_when_stopped(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """``build._index_chunk``'s checkpoint (``PRAKAS_PAUSE_AT=worker``: the crash tests
    kill a worker there) comes after the first document is written, before its manifest
    entry; a chunk stopped there cancels its writer."""
    content = tmp_path / "content"
    for name, text in PAIR.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, "utf-8")
    index = tmp_path / "index"
    index.mkdir()
    whoosh_index.create_in(str(index), build_schema())
    events: list[str] = []
    stat = build._stat

    def paused(seconds: float) -> None:
        events.append(f"paused {seconds:g} s")
        raise _Killed

    def stat_logged(path: Path) -> tuple[int, int]:
        events.append(f"manifest entry of {path.relative_to(content)}")
        return stat(path)

    monkeypatch.setenv("PRAKAS_PAUSE_AT", "worker")
    monkeypatch.setattr(build.time, "sleep", paused)
    monkeypatch.setattr(build, "_stat", stat_logged)
    with pytest.raises(_Killed):
        build._index_chunk(str(index), list(discover([content])), None)
    assert events == ["paused 3600 s"]
    assert capsys.readouterr().err == f"checkpoint worker pid {os.getpid()}\n"
    # the writer cancelled: its temporary storage gone (the segment's own files stay
    # until a publication cleans them up), nothing published
    assert "MAIN.tmp" not in [p.name for p in index.iterdir()]
    assert whoosh_index.open_dir(str(index)).doc_count() == 0
