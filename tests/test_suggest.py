"""``/api/suggest`` (issue 23): completions of what is typed, in both scripts.

The expected answers on the bundled ``content/`` were written by hand from the titles
(``grep -h ^title: content/*/*.md``), the registry (``indexer/data/``) and the gazetteer:
names before titles, the names found in more announcements first, the newest titles
first, at most eight.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from webapp import create_app, suggest


@pytest.fixture(scope="module")
def client(content_index: Path, tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    cache = tmp_path_factory.mktemp("cache")
    app = create_app({"INDEX_DIR": str(content_index), "CACHE_DIR": str(cache)})
    return app.test_client()


def ask(client: FlaskClient, q: str) -> list[dict[str, str]]:
    response = client.get("/api/suggest", query_string={"q": q})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def title(label: str, lang: str, slug: str) -> dict[str, str]:
    return {"label": label, "kind": "title", "value": label, "url": f"/a/{lang}/{slug}"}


HEALTH_RECORDS_EN = "Senior Minister Opens Digital Health Records Pilot in Kratie"
TELEMEDICINE_EN = "Telemedicine links rural health centres in Kratie with the provincial hospital"
HEALTH_RECORDS_KM = "ទេសរដ្ឋមន្ត្រី ដាក់ឱ្យដំណើរការគម្រោងសាកល្បងកំណត់ត្រាសុខភាពឌីជីថល នៅខេត្តក្រចេះ"
TELEMEDICINE_KM = "សេវាវេជ្ជសាស្ត្រពីចម្ងាយ តភ្ជាប់មណ្ឌលសុខភាពជនបទនៅខេត្តក្រចេះ ជាមួយមន្ទីរពេទ្យខេត្ត"
KRATIE = {
    "label": "Kratie",
    "kind": "province",
    "value": "Kratie",
    "url": "/search?province=Kratie",
}
KRATIE_EN = [
    KRATIE,
    title(HEALTH_RECORDS_EN, "en", "2026-unknown-health-records-kratie"),  # 2026
    title(TELEMEDICINE_EN, "en", "2024-health-telemedicine-kratie"),  # 2024
]
KRATIE_KM = [
    {**KRATIE, "label": "ក្រចេះ"},
    title(HEALTH_RECORDS_KM, "km", "2026-unknown-health-records-kratie"),
    title(TELEMEDICINE_KM, "km", "2024-health-telemedicine-kratie"),
]
MPTC = "Ministry of Posts and Telecommunications"
MPTC_URL = "/search?org=Ministry+of+Posts+and+Telecommunications"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("krat", KRATIE_EN),
        # case and accents do not count
        ("KRÂTIÉ", KRATIE_EN),
        # a province by its Khmer name, and the Khmer titles that name it inside a word
        # run (ខេត្តក្រចេះ)
        ("ក្រចេ", KRATIE_KM),
        # the same typed with a zero-width space and a Khmer spelling variant
        ("ក្រ\u200bចេ", KRATIE_KM),
        # a minister by the start of any word of the name
        (
            "vandeth",
            [
                {
                    "label": "Chea Vandeth",
                    "kind": "minister",
                    "value": "Chea Vandeth",
                    "url": "/search?minister=Chea+Vandeth",
                }
            ],
        ),
        # an organisation by its abbreviation, in either script
        ("mptc", [{"label": f"{MPTC} (MPTC)", "kind": "org", "value": MPTC, "url": MPTC_URL}]),
        (
            "ក.ប.",
            [
                {
                    "label": "ក្រសួងប្រៃសណីយ៍និងទូរគមនាគមន៍ (ក.ប.ទ.)",
                    "kind": "org",
                    "value": MPTC,
                    "url": MPTC_URL,
                }
            ],
        ),
        # a person, then the titles in both languages that name him
        (
            "zava",
            [
                {
                    "label": "Cosmas Zavazava",
                    "kind": "person",
                    "value": "Cosmas Zavazava",
                    "url": "/search?person=Cosmas+Zavazava",
                },
                title(
                    "The Minister receives Dr. Cosmas Zavazava of the International "
                    "Telecommunication Union",
                    "en",
                    "sample-2024-itu-zavazava",
                ),
                title(
                    "ឯកឧត្តមរដ្ឋមន្ត្រី ទទួលជួបបណ្ឌិត Cosmas Zavazava នៃសហភាពទូរគមនាគមន៍អន្តរជាតិ",
                    "km",
                    "sample-2024-itu-zavazava",
                ),
            ],
        ),
        (
            "inaug",
            [
                title(
                    "Inauguration ceremony of a Community Tech Centre at a high school in "
                    "Pearam commune, Bati district",
                    "en",
                    "sample-2024-ctc-bati-inauguration",
                )
            ],
        ),
        ("no such name", []),
    ],
)
def test_completions_on_content(client: FlaskClient, q: str, expected: list[dict]) -> None:
    assert ask(client, q) == expected


def test_at_most_eight_names_first(client: FlaskClient) -> None:
    found = ask(client, "ka")
    assert len(found) == suggest.LIMIT == 8
    kinds = [f["kind"] for f in found]
    assert kinds.index("title") > max(i for i, k in enumerate(kinds) if k != "title")
    # the provinces starting with Ka that the content names (Kampong Cham, Kampong Speu,
    # Kampot, Kandal) all come before any title
    provinces = {f["value"] for f in found if f["kind"] == "province"}
    assert provinces == {"Kampong Cham", "Kampong Speu", "Kampot", "Kandal"}


@pytest.mark.parametrize(
    "q",
    [
        "",
        " \t\n",
        "\x00\x01\x7f",
        "a" * 100_000,
        "\u17d2" * 5000,  # coengs with nothing to sit on
        "ក" * 3000,
        "<script>alert(1)</script>",
        '"(*?[{',
        "\ufeff\u200b",
    ],
)
def test_hostile_input_gets_a_list(client: FlaskClient, q: str) -> None:
    found = ask(client, q)
    assert isinstance(found, list) and len(found) <= suggest.LIMIT


def test_undecodable_and_repeated_parameters(client: FlaskClient) -> None:
    for qs in ("q=%ff%fe%ed%a0%80", "q=krat&q=zzz", "", "x=1"):
        response = client.get("/api/suggest?" + qs)
        assert response.status_code == 200, qs
        assert isinstance(response.get_json(), list)
    assert client.get("/api/suggest?q=krat&q=zzz").get_json() == KRATIE_EN


def test_the_typed_text_is_cut(client: FlaskClient) -> None:
    # what lies past MAX_CHARS is not read: the answer is the first 100 characters'
    long = "krat" + " " * (suggest.MAX_CHARS - 4) + "zzz"
    assert ask(client, long) == KRATIE_EN


def test_headers_like_api_search(client: FlaskClient) -> None:
    encoded = {"Accept-Encoding": "gzip"}
    mine = client.get("/api/suggest?q=k", headers=encoded)
    theirs = client.get("/api/search?q=kratie", headers=encoded)
    assert mine.headers.get("Cache-Control") == theirs.headers.get("Cache-Control")
    assert mine.headers.get("Vary") == theirs.headers.get("Vary")
    assert "Accept-Encoding" in mine.headers["Vary"]


def test_built_once_per_generation(client: FlaskClient, monkeypatch) -> None:
    built = []
    real = suggest.build
    monkeypatch.setattr(suggest, "build", lambda snap: built.append(1) or real(snap))
    service = client.application.extensions["search"]
    service.snapshot().memo._values.pop("completions", None)
    ask(client, "krat")
    ask(client, "zava")
    assert built == [1]


def test_a_lookup_reads_at_most_max_scan_keys() -> None:
    target = suggest.Target("title", "x")
    entries = [(f"a{i:06d}", ((3, 0), "x", target)) for i in range(suggest.MAX_SCAN * 3)]
    table = suggest.Table(entries)
    assert len(table.scan("a")) == suggest.MAX_SCAN
    assert len(table.scan("a00001")) == 10
    assert table.scan("b") == []


def test_fold() -> None:
    assert suggest.fold("  Krâtié,  PROVINCE ") == "kratie province"
    assert suggest.fold("M.P.T.C.") == suggest.fold("mptc") == "mptc"
    assert suggest.fold("ក.ប.ទ.") == "កបទ"
    # Khmer: zero-width spaces go, coeng-DA is coeng-TA (khmer.normalise)
    assert suggest.fold("ក្រ\u200bចេះ") == suggest.fold("ក្រចេះ")
    assert suggest.fold("សេចក្\u178a") == suggest.fold("សេចក្\u178f")


def test_a_long_typed_title_still_completes(client: FlaskClient) -> None:
    # keys keep their first KEY_CHARS characters; what is typed is cut the same way
    typed = HEALTH_RECORDS_EN[:55]
    assert len(suggest.fold(typed)) > suggest.KEY_CHARS
    assert ask(client, typed) == [KRATIE_EN[1]]
    assert ask(client, "records pilot in kra") == [KRATIE_EN[1]]


def test_a_large_generation_reads_its_titles_in_the_background(
    client: FlaskClient, monkeypatch
) -> None:
    read = []
    real = suggest.title_entries
    monkeypatch.setattr(suggest, "title_entries", lambda snap: read.append(1) or real(snap))
    monkeypatch.setattr(suggest, "SYNC_FILES", 0)  # every generation is "large"
    snap = client.application.extensions["search"].snapshot()
    snap.memo._values.pop("completions", None)
    first = ask(client, "zava")
    assert first[0]["kind"] == "person"  # the names answer at once
    index = snap.memo.get("completions", lambda: None)
    assert index.ready.wait(30)
    again = ask(client, "zava")
    assert [f["kind"] for f in again] == ["person", "title", "title"]
    assert read == [1]  # one thread, however many requests


def test_an_organisation_is_keyed_by_its_registry_abbreviations(content_index: Path) -> None:
    """(mutant ``suggest.name_entries`` 50.) Built in this thread, not the background
    one a service starts, so a mutation run sees which test reads it: the organisation
    the bundled content names is found by the abbreviations the registry gives it
    (ក.ប.ទ. folded as typed without its dots)."""
    from webapp.search import SearchService

    snap = SearchService(content_index).snapshot()
    keys = {key for key, item in suggest.name_entries(snap) if item[2].value == MPTC}
    assert {"mptc", "កបទ"} <= keys, sorted(keys)
