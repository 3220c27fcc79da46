"""Behaviours mutmut's sample run (docs/testing.md) found no test pinning down: each
test here kills the surviving mutants named in its docstring. Expected values written
out by hand."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from indexer.entities.registry import registry
from indexer.entities.staff import read_folder
from tests.conftest import index_written
from webapp import create_app

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
