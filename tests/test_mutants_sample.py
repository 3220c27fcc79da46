"""Survivors of the 300-mutant sample run (issue 27, docs/testing.md) in
``indexer.build``, ``indexer.documents`` and ``indexer.entities``: each test names the
mutants it kills. All in process (the mutation run skips tests that start a process);
expected values written out by hand."""

from __future__ import annotations

import datetime as dt
import logging
import os
from concurrent.futures import Future
from pathlib import Path
from typing import Any, ClassVar

import pytest

from indexer import build, store
from indexer.documents import BadFile, Draft, decode, parse_announcement
from indexer.entities import extract
from indexer.entities.names import family_frequency
from indexer.entities.places import find_places
from indexer.entities.registry import official_from_record
from indexer.entities.staff import read_folder
from indexer.entities.text import Text
from indexer.sources import Skipped, Source

D = dt.date(2025, 3, 1)


def _md(title: str, body: str = "Body text.", date: str = "2025-03-01") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n---\n{body}\n"


def _content(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


# --- indexer.build ------------------------------------------------------------------------


def test_an_unforeseen_parser_error_logs_the_file_s_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """``build._readable`` mutmut_51 (the log line names ``None``, not the file): no
    real input raises a ``ValueError`` past the parser's rules, so one is injected."""
    path = _content(tmp_path, {"en/a.md": _md("A")}) / "en" / "a.md"

    def broken(source: Source, max_bytes: int | None = None) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(build, "read", broken)
    report = build.Report()
    with caplog.at_level(logging.WARNING, logger="indexer.build"):
        assert list(build._readable([Source(path, "a", "en", root=tmp_path)], report, {})) == []
    assert [r.getMessage() for r in caplog.records] == [f"unexpected error reading {path}"]
    assert report.skipped == [Skipped(str(path), "cannot be parsed (ValueError: boom)")]


def test_a_flat_folder_s_file_does_not_end_the_search_for_duplicates(tmp_path: Path) -> None:
    """``build._winners`` mutmut_6 (``continue`` → ``break`` after a file whose language
    is inside it: every file after it was dropped)."""
    flat = Source(tmp_path / "flat" / "a.md", "a", None)
    en_b = Source(tmp_path / "en" / "b.md", "b", "en")
    en_b_again = Source(tmp_path / "other" / "en" / "b.md", "b", "en")
    kept, losers = build._winners([flat, en_b, en_b_again])
    assert kept == [flat, en_b]
    assert losers == [
        Skipped(
            str(en_b_again.path),
            f"duplicate id en/b (also {en_b.path}, in an earlier content root, which wins)",
        )
    ]


class _InProcessPool:
    """A stand-in for ``ProcessPoolExecutor`` that runs each chunk here and records the
    number of workers asked for (the mutation run refuses real processes)."""

    asked: ClassVar[list[int | None]] = []

    def __init__(self, max_workers: int | None = None, **kwargs: Any) -> None:
        self.asked.append(max_workers)

    def __enter__(self) -> _InProcessPool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Any, *args: Any) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future


def test_a_parallel_build_asks_for_procs_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``build._write_parallel`` mutmut_26 (``max_workers=procs`` dropped: the pool
    takes one worker per CPU whatever ``--procs`` says); ``build._index_chunk``
    mutmut_55 ("no tests" in the run: a worker's segment read with the wrong
    arguments), which this test runs in process."""
    content = _content(tmp_path / "c", {f"en/{s}.md": _md(s.upper()) for s in "abc"})
    monkeypatch.setattr(build, "ProcessPoolExecutor", _InProcessPool)
    monkeypatch.setattr(build, "PARALLEL_FROM", 2)
    monkeypatch.setattr(_InProcessPool, "asked", [])
    procs = (os.cpu_count() or 1) + 3  # never the pool's own default
    report = build.build([content], tmp_path / "index", procs=procs)
    assert _InProcessPool.asked == [procs]
    assert (report.added, report.documents) == (3, 3)


def test_workers_counts_add_up_per_root() -> None:
    """``build.Report.merge`` mutmut_24 ("no tests" in the run: only the worker pool
    merges; the root's skipped count was the last worker's, not the sum)."""
    report = build.Report()
    report.merge(build.Report(read=2, roots={"/c": [2, 1]}))
    report.merge(build.Report(read=3, roots={"/c": [3, 1], "/d": [1, 0]}))
    assert (report.read, report.roots) == (5, {"/c": [5, 2], "/d": [1, 0]})


def test_strict_refuses_a_file_over_the_size_limit(tmp_path: Path) -> None:
    """``build.build`` mutmut_55 (strict mode's check read files without the size
    limit, so an oversized file passed the check)."""
    content = _content(tmp_path / "c", {"en/a.md": _md("A"), "en/big.md": _md("B", "x" * 300)})
    big = content / "en" / "big.md"
    size = big.stat().st_size
    with pytest.raises(build.StrictFailure) as caught:
        build.build([content], tmp_path / "index", strict=True, max_file_bytes=200)
    assert caught.value.skipped == [
        Skipped(str(big), f"file is {size:,} bytes, over the limit of 200")
    ]
    assert not (tmp_path / "index").exists() or store.current_generation(tmp_path / "index") is None


def test_an_emptied_content_folder_names_the_option_that_allows_it() -> None:
    """``build.check_deletions`` mutmut_9 (the message's sentence began in lower case)."""
    todo = build.Plan([], [], [], ["en/a"], 0, {}, {}, False, "", live_files=3, gone=3)
    with pytest.raises(build.MassDeletion) as caught:
        build.check_deletions(todo, 1.0)
    assert str(caught.value) == (
        "the content folders hold no announcements: all 3 indexed files would be deleted "
        "(is a share unmounted?); nothing was written. "
        "Run with --allow-mass-delete if this is meant"
    )


def test_an_unreadable_file_keeps_its_indexed_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``build.plan`` mutmut_110 (``entry is not None`` → ``is None``: a changed file
    that cannot be read lost its indexed version). The tests run as root, who reads
    any file, so the read error is injected."""
    content = _content(tmp_path / "c", {"en/a.md": _md("A"), "en/b.md": _md("B")})
    index = tmp_path / "index"
    build.build([content], index)
    live = store.current_generation(index)
    assert live is not None
    a = content / "en" / "a.md"
    old_entry = build.read_manifest(live)[str(a)]
    a.write_text(_md("A, changed"), "utf-8")
    real_hash = build._hash

    def denied(path: Path) -> str:
        if path == a:
            raise PermissionError(13, "Permission denied")
        return real_hash(path)

    monkeypatch.setattr(build, "_hash", denied)
    todo = build.plan([content], live, False)
    assert todo.manifest[str(a)] == old_entry
    assert (todo.unchanged, todo.deleted_ids, todo.to_index) == (2, [], [])
    assert todo.refused == [
        Skipped(str(a), "cannot read: Permission denied; its indexed version is kept")
    ]


def test_a_root_warns_only_when_most_of_its_files_fail() -> None:
    """``build.Report.warnings`` mutmut_3 (the share ``bad * 2 > n`` became a third)."""
    report = build.Report(roots={"/c/half": [5, 2], "/c/most": [5, 3]})
    assert report.warnings() == [
        "WARNING: /c/most: 3 of 5 files could not be indexed; see the skipped list"
    ]


# --- indexer.documents --------------------------------------------------------------------


def test_binary_detection_samples_the_first_4096_characters() -> None:
    """``documents._looks_binary`` mutmut_2 (a sample of 4,097): 40 control characters
    in the first 4,096 are text (the limit is 1 in 100), a 41st after them is unseen."""
    raw = b"\x01" * 40 + b"a" * 4056 + b"\x01" + b"b" * 100
    assert decode(raw) == (raw.decode("ascii"), [])
    with pytest.raises(BadFile, match=r"^binary file \(control characters, not text\)$"):
        decode(b"\x01" * 41 + b"a" * 4055)


# ``documents.check_markup`` mutmut_26 (``"[("`` → ``"XX[(XX"``) is equivalent: every
# mark the scan tests is one character of ``[]()*_~<>``` (newlines are handled before),
# never an ``X``, so no input can tell the two apart.


def test_a_non_text_image_field_is_named_in_the_error() -> None:
    """``documents.parse_announcement`` mutmut_149 (the error named ``'IMAGE'``)."""
    raw = b"---\ntitle: A\ndate: 2025-03-01\nimage: [a.png, b.png]\n---\nBody.\n"
    with pytest.raises(BadFile) as caught:
        parse_announcement(raw, path="a.md", slug="a", lang="en")
    assert str(caught.value) == "front-matter field 'image' must be text, not list"


def test_a_draft_says_why_it_is_left_out() -> None:
    """``documents.parse_announcement`` mutmut_40 (the message ``prakas entities``
    prints for a draft read "DRAFT: TRUE")."""
    raw = b"---\ntitle: A\ndate: 2025-03-01\ndraft: true\n---\nBody.\n"
    with pytest.raises(Draft) as caught:
        parse_announcement(raw, path="a.md", slug="a", lang="en")
    assert str(caught.value) == "draft: true"


# --- indexer.entities ---------------------------------------------------------------------


def test_a_word_english_never_writes_has_frequency_zero() -> None:
    """``names.family_frequency`` mutmut_18 (a form missing from the table counted 1)."""
    assert family_frequency("qzxv") == 0


def test_an_office_s_end_date_is_kept() -> None:
    """``registry.official_from_record`` mutmut_45 (every office's ``to`` dropped)."""
    official = official_from_record(
        {
            "name": "Ouk Rachana",
            "offices": [
                {"title": "Minister", "minister": True, "from": "2018-09-06", "to": "2023-08-22"}
            ],
        }
    )
    assert [(o.start, o.end) for o in official.offices] == [
        (dt.date(2018, 9, 6), dt.date(2023, 8, 22))
    ]


def test_an_organisations_csv_keeps_its_khmer_names(tmp_path: Path) -> None:
    """``staff._csv_record`` mutmut_19 (the organisations' ``km`` column read as
    ``KM``, i.e. never)."""
    (tmp_path / "organisations.csv").write_text(
        "name,abbr,latin,km\nRoad Fund Office,RFO,Road Fund,មូលនិធិផ្លូវ;ការិយាល័យមូលនិធិ\n",
        "utf-8",
    )
    read = read_folder(tmp_path)
    assert read.problems == []
    assert [(o.name, o.latin, o.km) for o in read.organisations] == [
        (
            "Road Fund Office",
            ("Road Fund Office", "Road Fund", "RFO"),
            ("មូលនិធិផ្លូវ", "ការិយាល័យមូលនិធិ"),
        )
    ]


def test_a_person_listed_twice_in_yaml_is_a_problem(tmp_path: Path) -> None:
    """``staff._read_file`` mutmut_50 (the names seen were not remembered)."""
    entry = "  - name: Ouk Rachana\n    km: [អ៊ុក រចនា]\n"
    (tmp_path / "a.yaml").write_text(f"people:\n{entry}{entry}", "utf-8")
    read = read_folder(tmp_path)
    assert [(p.path.name, p.line, p.message) for p in read.problems] == [
        ("a.yaml", 4, "Ouk Rachana is listed twice")
    ]
    assert [p.name for p in read.people] == ["Ouk Rachana"]


def _places(text: str) -> list[tuple[str, str, str | None, str | None, list[str]]]:
    return [
        (p.name, p.level, p.province, p.district, p.mentions)
        for p in find_places(Text.of(text), {})
    ]


def test_a_named_district_decides_between_same_named_communes() -> None:
    """``places._resolve_places`` mutmut_22 (the district filter applied to every level
    but communes). Ponley is a commune in Banteay Meanchey (010303), Kampong Chhnang
    (040110) and Takeo (210104); Phnum Srok district (0103) is only in Banteay Meanchey."""
    assert _places("Farmers met in Ponley commune, Phnum Srok district, on Monday.") == [
        ("Ponley", "commune", "Banteay Meanchey", "Phnum Srok", ["Ponley commune"]),
        ("Phnum Srok", "district", "Banteay Meanchey", None, ["Phnum Srok district"]),
    ]


def test_an_ambiguous_district_does_not_decide_a_commune() -> None:
    """``places._resolve_places`` mutmut_7 (``and`` → ``or``: the first candidate of a
    same-named district counted as named). Samraong is a district of Takeo (2107) and
    Oddar Meanchey (2204); Soengh a commune in Banteay Meanchey (010507) and in Takeo's
    Samraong (210709): nothing here says which."""
    assert _places("Farmers met in Soengh commune, Samraong district, on Monday.") == [
        ("Soengh", "commune", None, None, ["Soengh commune"]),
        ("Samraong", "district", None, None, ["Samraong district"]),
    ]


def test_districts_joined_by_and_are_two_places() -> None:
    """``places.find_places`` mutmut_49 (the split on " and " became " AND ")."""
    assert _places("Farmers met in Kandal Stueng and Ponhea Lueu districts on Monday.") == [
        ("Kandal Stueng", "district", "Kandal", None, ["Kandal Stueng districts"]),
        ("Ponhea Lueu", "district", "Kandal", None, ["Ponhea Lueu districts"]),
    ]


def ex(text: str, lang: str = "en"):
    return extract("", "", text, lang, D)


def test_a_registry_name_inside_a_school_s_name_does_not_end_the_scan() -> None:
    """``people.people_latin`` mutmut_191 (``continue`` → ``break`` after the
    registry's spelling inside a longer name: every later spelling was missed)."""
    found = ex("Students of Hun Sen Mouy Mithona High School thanked Hun Manet.")
    assert found.as_json()["people"] == [
        {"name": "Hun Manet", "minister": True, "mentions": ["Hun Manet"]}
    ]


def test_a_khmer_place_is_the_longest_prefix_of_its_run_of_letters() -> None:
    """``places._lookup_khmer`` mutmut_18 (prefixes tried two clusters at a time): in
    "ស្រុកកណ្ដាលស្ទឹងគឺ" the run after the unit word is six clusters, the district five."""
    assert _places("កសិករនៅស្រុកកណ្ដាលស្ទឹងគឺ ។") == [
        ("Kandal Stueng", "district", "Kandal", None, ["ស្រុកកណ្តាលស្ទឹង"])
    ]


def test_a_taken_match_is_not_read_again_from_inside_its_name() -> None:
    """``people._scan`` mutmut_9 (after a match was taken, the search resumed at its
    name, not its end): the "Prince" the name run swallowed then titled a street."""
    found = ex("H.E. Chea Vandeth Prince Sihanouk Street was paved.")
    assert [(p.name, p.titles) for p in found.people] == [("Chea Vandeth", ["H.E."])]
