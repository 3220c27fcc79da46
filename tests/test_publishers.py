"""Publishers: two bodies' archives with the same file names stay apart, each named in
both scripts, a ``publisher`` facet on pages, JSON and CSV; one body keeps its URLs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from indexer import publishers
from tests.conftest import cli
from webapp import create_app

MPTC = (
    "id: mptc\nname:\n  en: Ministry of Posts and Telecommunications\n  km: ក្រសួងប្រៃសណីយ៍និងទូរគមនាគមន៍\n"
)
TRC = (
    "id: trc\nname:\n  en: Telecommunication Regulator of Cambodia\n"
    "  km: និយ័តករទូរគមនាគមន៍កម្ពុជា\ndate_order: MDY\n"
)


def _root(root: Path, settings: str | None, title: str, date: str) -> Path:
    for lang in ("en", "km"):
        (root / lang).mkdir(parents=True)
        text = f"---\ntitle: {title} ({lang})\ndate: '{date}'\n---\n{title} body in {lang}.\n"
        (root / lang / "1-post.md").write_text(text, "utf-8")
    if settings is not None:
        (root / publishers.SETTINGS_FILE).write_text(settings, "utf-8")
    return root


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("publishers")
    mptc = _root(base / "mptc", MPTC, "Postal codes", "2024-05-06")
    trc = _root(base / "trc", TRC, "Spectrum auction", "11/26/2020")
    index = base / "ix"
    result = cli("index", "--content", mptc, "--content", trc, "--index", index, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["indexed"] == 4
    return index


@pytest.fixture(scope="module")
def client(two: Path):
    return create_app({"INDEX_DIR": two}).test_client()


def test_same_file_names_stay_two_announcements(client) -> None:
    data = client.get("/api/search?per_page=10&sort=newest").get_json()
    assert sorted(h["id"] for h in data["results"]) == ["en/1-post", "en/trc/1-post"]
    assert data["total"] == 2
    by_slug = {h["slug"]: h for h in data["results"]}
    # the install's own publisher (the first root) keeps the bare slug, and its URL
    assert by_slug["1-post"]["url"] == "http://localhost/a/en/1-post"
    assert by_slug["trc/1-post"]["url"] == "http://localhost/a/en/trc/1-post"
    assert by_slug["1-post"]["publishers"] == ["mptc"]
    assert by_slug["trc/1-post"]["publishers"] == ["trc"]
    assert by_slug["trc/1-post"]["date"] == "2020-11-26"
    assert set(by_slug["trc/1-post"]["versions"]) == {"en", "km"}
    page = client.get("/a/km/trc/1-post").get_data(as_text=True)
    assert "Spectrum auction (km)" in page


def test_the_publisher_facet_in_json_with_both_names(client) -> None:
    facet = client.get("/api/search?per_page=1").get_json()["facets"]["publisher"]
    assert {v["value"]: (v["count"], v["labels"]) for v in facet} == {
        "mptc": (
            1,
            {"en": "Ministry of Posts and Telecommunications", "km": "ក្រសួងប្រៃសណីយ៍និងទូរគមនាគមន៍"},
        ),
        "trc": (
            1,
            {"en": "Telecommunication Regulator of Cambodia", "km": "និយ័តករទូរគមនាគមន៍កម្ពុជា"},
        ),
    }
    only = client.get("/api/search?publisher=trc").get_json()
    assert [h["id"] for h in only["results"]] == ["en/trc/1-post"]


def test_the_publisher_column_in_csv(client) -> None:
    text = client.get("/api/search.csv?sort=newest").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["id"]: r["publishers"] for r in rows} == {"en/1-post": "mptc", "en/trc/1-post": "trc"}


def test_the_publisher_facet_on_pages_in_both_languages(client) -> None:
    en = client.get("/search?q=").get_data(as_text=True)
    assert 'id="facet-publisher"' in en and ">Publisher<" in en
    assert "Telecommunication Regulator of Cambodia" in en
    km = client.get("/search?q=&ui=km").get_data(as_text=True)
    assert "ស្ថាប័នផ្សាយ" in km and "និយ័តករទូរគមនាគមន៍កម្ពុជា" in km
    article = client.get("/a/en/trc/1-post?ui=en").get_data(as_text=True)
    assert "Telecommunication Regulator of Cambodia" in article


def test_labels_survive_an_incremental_run(tmp_path: Path) -> None:
    mptc = _root(tmp_path / "mptc", MPTC, "Postal codes", "2024-05-06")
    trc = _root(tmp_path / "trc", TRC, "Spectrum auction", "2020-11-26")
    index = tmp_path / "ix"
    assert cli("index", "--content", mptc, "--content", trc, "--index", index).returncode == 0
    (mptc / "en" / "2-post.md").write_text("---\ntitle: New\ndate: 2024-06-01\n---\nx\n")
    result = cli("index", "--content", mptc, "--content", trc, "--index", index, "--json")
    assert json.loads(result.stdout)["mode"] == "incremental"
    facet = create_app({"INDEX_DIR": index}).test_client().get("/api/search").get_json()
    labels = {v["value"]: v["labels"]["en"] for v in facet["facets"]["publisher"]}
    assert labels == {
        "mptc": "Ministry of Posts and Telecommunications",
        "trc": "Telecommunication Regulator of Cambodia",
    }


def test_a_single_publisher_keeps_its_urls(tmp_path: Path) -> None:
    root = _root(tmp_path / "only", MPTC, "Postal codes", "2024-05-06")
    result = cli("index", "--content", root, "--index", tmp_path / "ix")
    assert result.returncode == 0, result.stderr
    data = create_app({"INDEX_DIR": tmp_path / "ix"}).test_client().get("/api/search").get_json()
    assert [h["url"] for h in data["results"]] == ["http://localhost/a/en/1-post"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("id: Bad Id\nname: {en: A, km: ក}\n", "id must be"),
        ("id: ok\nname: {en: A}\n", "name.en, name.km"),
        ("id: ok\nname: {en: A, km: ក}\ndate_order: YMD\n", "date_order must be"),
        ("id: ok\nname: {en: A, km: ក}\ncolour: red\n", "unknown setting(s) colour"),
        ("id: [unclosed\n", "cannot read"),
    ],
)
def test_bad_settings_stop_the_run_with_the_reason(
    tmp_path: Path, settings: str, message: str
) -> None:
    root = _root(tmp_path / "site", settings, "T", "2024-05-06")
    result = cli("index", "--content", root, "--index", tmp_path / "ix")
    assert result.returncode == 2
    assert message in result.stderr and "publisher.yaml" in result.stderr
    assert not (tmp_path / "ix" / "CURRENT").exists()


def test_a_publisher_named_on_the_command_line(tmp_path: Path) -> None:
    mptc = _root(tmp_path / "mptc", None, "Postal codes", "2024-05-06")
    moh = _root(tmp_path / "moh", None, "Dengue", "2024-05-07")
    args = ["index", "--content", mptc, "--content", moh, "--index", tmp_path / "ix"]
    named = ["--publisher", moh, "moh", "Ministry of Health", "ក្រសួងសុខាភិបាល"]
    result = cli(*args, *named, "--json")
    assert result.returncode == 0, result.stderr
    client = create_app({"INDEX_DIR": tmp_path / "ix"}).test_client()
    data = client.get("/api/search?sort=newest").get_json()
    assert [h["id"] for h in data["results"]] == ["en/moh/1-post", "en/1-post"]
    assert data["facets"]["publisher"] == [
        {
            "value": "moh",
            "count": 1,
            "selected": False,
            "labels": {"en": "Ministry of Health", "km": "ក្រសួងសុខាភិបាល"},
        }
    ]
    elsewhere = cli(*args, "--publisher", tmp_path, "x", "X", "ក")
    assert elsewhere.returncode == 2 and "not one of the content folders" in elsewhere.stderr


def test_the_box_offers_a_publisher_by_its_names(client) -> None:
    """A facet row with no place in a hand-kept table of ranks (the publisher's was
    missing, and any publisher's name typed into the box failed the suggestions)."""
    got = client.get("/api/suggest?q=Telecommunication+Reg").get_json()
    assert got == [
        {
            "label": "Telecommunication Regulator of Cambodia",
            "kind": "publisher",
            "value": "trc",
            "url": "/search?publisher=trc",
        }
    ]
    km = client.get("/api/suggest", query_string={"q": "និយ័តករ"}).get_json()
    assert [(s["label"], s["value"]) for s in km] == [("និយ័តករទូរគមនាគមន៍កម្ពុជា", "trc")]


def test_a_publisher_file_is_read_as_utf_8_whatever_the_locale(
    tmp_path: Path, ascii_locale
) -> None:
    """(mutant ``publishers.load`` 6: the file read in the locale's encoding.)"""
    root = _root(tmp_path / "trc", TRC, "Spectrum auction", "11/26/2020")
    publisher = publishers.load(root)
    assert publisher is not None
    assert dict(publisher.name) == {
        "en": "Telecommunication Regulator of Cambodia",
        "km": "និយ័តករទូរគមនាគមន៍កម្ពុជា",
    }
