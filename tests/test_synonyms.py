"""Abbreviations and synonyms in the public box (issue 23): an organisation's
abbreviation or name finds what ``org:`` finds, and the synonyms staff keep in the
registry folder apply at the next search, with no reindex and no restart.

Expected sets are read from the files with regular expressions written here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import CONTENT, cli
from webapp import create_app

MPTC = re.compile(
    r"MPTC|Ministry of Posts? and Telecommunications?|ក្រសួងប្រៃសណីយ៍\s*និង\s*ទូរគមនាគមន៍|ក\.ប\.ទ\.",
    re.IGNORECASE,
)
TELEMEDICINE = re.compile(r"(?i)\btelemedicine\b")


def _announcements(root: Path, rx: re.Pattern[str]) -> list[str]:
    """Slugs any version of which (front matter aside, but its title kept) matches."""
    out = set()
    for path in root.glob("*/*.md"):
        raw = path.read_text("utf-8")
        head, _, body = raw.partition("\n---\n") if raw.startswith("---") else ("", "", raw)
        title = re.search(r"(?m)^title:\s*(.*)$", head)
        description = re.search(r"(?m)^description:\s*(.*)$", head)
        text = " ".join(m.group(1) for m in (title, description) if m) + "\n" + body
        if rx.search(text):
            out.add(path.stem)
    return sorted(out)


def _slugs(client, q: str) -> list[str]:
    """The slugs ``q`` finds as typed (``exact``: a respelling would blur what the
    synonyms do)."""
    r = client.get("/api/search", query_string={"q": q, "per_page": 100, "exact": 1})
    assert r.status_code == 200, r.text
    return sorted(h["slug"] for h in r.get_json()["results"])


@pytest.fixture(scope="module")
def client(content_index: Path):
    return create_app({"INDEX_DIR": content_index}).test_client()


@pytest.mark.parametrize("typed", ["MPTC", "mptc", "M.P.T.C.", "ក.ប.ទ."])
def test_an_abbreviation_in_the_box_finds_what_org_finds(client, typed: str) -> None:
    expected = _announcements(CONTENT, MPTC)
    assert len(expected) == 16
    assert _slugs(client, typed) == expected
    assert _slugs(client, f"org:{typed}") == expected


def test_an_abbreviation_beside_other_words_is_one_of_them(client) -> None:
    """``MPTC Takeo``: the abbreviation is a span of its own, Takeo is still required."""
    takeo = set(_slugs(client, "Takeo"))
    assert _slugs(client, "MPTC Takeo") == sorted(takeo & set(_announcements(CONTENT, MPTC)))


@pytest.mark.corpus
@pytest.mark.parametrize("typed", ["MPTC", "MoEYS", "ក.ប.ទ."])
def test_abbreviations_on_the_real_corpus(corpus_index: Path, typed: str) -> None:
    client = create_app({"INDEX_DIR": corpus_index}).test_client()
    assert _slugs(client, typed) == _slugs(client, f"org:{typed}")
    assert len(_slugs(client, typed)) >= 7


def test_staff_synonyms_apply_at_the_next_search(
    content_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    monkeypatch.setenv("PRAKAS_REGISTRY", str(folder))
    client = create_app({"INDEX_DIR": content_index}).test_client()
    assert _slugs(client, "telehealth") == []
    assert _slugs(client, "តេឡេវេជ្ជសាស្ត្រ") == []
    before = client.get("/search?q=telehealth&ui=en")
    (folder / "synonyms.yaml").write_text(
        "synonyms:\n  - [telehealth, telemedicine, តេឡេវេជ្ជសាស្ត្រ]\n", "utf-8"
    )
    expected = _announcements(CONTENT, TELEMEDICINE)
    assert expected == ["2024-health-telemedicine-kratie"]
    assert _slugs(client, "telehealth") == expected
    assert _slugs(client, "តេឡេវេជ្ជសាស្ត្រ") == expected
    after = client.get(
        "/search?q=telehealth&ui=en", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200, "the synonyms are part of the page's ETag"
    (folder / "synonyms.yaml").write_text(
        "synonyms:\n  - [telehealth, teleconsultation]\n", "utf-8"
    )
    assert _slugs(client, "telehealth") == []


def test_synonyms_from_a_csv_file(content_index: Path, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "synonyms-health.csv").write_text(
        "\ufeffterms,note\ntelehealth;telemedicine,health by video\n", "utf-8"
    )
    monkeypatch.setenv("PRAKAS_REGISTRY", str(folder))
    client = create_app({"INDEX_DIR": content_index}).test_client()
    assert _slugs(client, "telehealth") == ["2024-health-telemedicine-kratie"]


def test_registry_check_reports_each_bad_group_with_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "synonyms.yaml").write_text(
        "synonyms:\n"
        "  - [CTC, Community Tech Center]\n"  # line 2: good
        "  - [lonely]\n"  # line 3
        "  - [a, 'b: c']\n"  # line 4
        "  - just a string\n"  # line 5
        "  - [x, y]\n",  # line 6: good
        "utf-8",
    )
    (folder / "synonyms-bomb.yaml").write_text("synonyms:\n  - &a [lol, lol]\n  - *a\n", "utf-8")
    (folder / "synonyms-2.csv").write_text('terms\n"unclosed;quote\n', "utf-8")
    result = cli("registry", "check", folder)
    assert result.returncode == 1
    lines = [line.replace(str(folder) + "/", "") for line in result.stdout.splitlines()]
    assert lines == [
        "synonyms-2.csv:2: not valid CSV: unexpected end of data",
        "synonyms-bomb.yaml:3: not valid YAML: aliases are not allowed here",
        "synonyms.yaml:3: a group needs at least two terms",
        "synonyms.yaml:4: 'b: c': quotes, brackets, colons and wildcards are not allowed",
        "synonyms.yaml:5: a group is a list of terms (text), such as [CTC, Community Tech Center]",
    ]
    assert "2 synonym groups, 5 problems" in result.stderr


def test_synonyms_files_are_not_read_as_people(tmp_path: Path) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "synonyms.yaml").write_text("synonyms:\n  - [CTC, Community Tech Center]\n", "utf-8")
    result = cli("registry", "check", folder)
    assert result.returncode == 0, result.stdout
    assert "0 people, 0 organisations, 1 synonym groups, 0 problems" in result.stderr
