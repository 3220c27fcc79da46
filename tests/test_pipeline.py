"""One announcement pipeline (indexer/announcement.py), one pairing of versions, and the
languages table it takes the version to borrow names from.

An English and a Khmer version of one announcement, written here: the Khmer one names
a person the registry does not know (ថន មករា), whom the English one spells Thorn
Makara. The expected fields and entities are written out by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bench.entities import extract_versions
from indexer import announcement, languages, review, store
from indexer.languages import Language, borrow_names_from
from indexer.sources import Source, of_file, versions
from tests.conftest import PROJECT, cli

EN = (
    "---\ntitle: Maintenance team visits Takeo\ndate: 2025-03-01\n"
    "description: A visit.\ntags: [training]\n---\n"
    "Ms. Thorn Makara, Deputy Head of the Maintenance Team, led the visit to Takeo province.\n"
)
KM = (
    "---\ntitle: ក្រុមថែទាំចុះទៅខេត្តតាកែវ\ndate: 2025-03-01\n---\n"
    "លោកស្រី ថន មករា អនុប្រធានក្រុមការងារ បានដឹកនាំ ការចុះទៅខេត្តតាកែវ។\n"
)
EN_BODY = "Ms. Thorn Makara, Deputy Head of the Maintenance Team, led the visit to Takeo province."
KM_BODY = "លោកស្រី ថន មករា អនុប្រធានក្រុមការងារ បានដឹកនាំ ការចុះទៅខេត្តតាកែវ។"
TITLE = "Maintenance team visits Takeo"
KM_TITLE = "ក្រុមថែទាំចុះទៅខេត្តតាកែវ"


@pytest.fixture()
def pair(tmp_path: Path) -> Path:
    """A content root holding the two versions of ``2025-visit``."""
    root = tmp_path / "content"
    for lang, text in (("en", EN), ("km", KM)):
        (root / lang).mkdir(parents=True)
        (root / lang / "2025-visit.md").write_text(text, encoding="utf-8")
    return root


def entities_json(mention: str) -> dict:
    """What ``prakas entities --json`` prints of either version: Thorn Makara, as written."""
    return {
        "people": [{"name": "Thorn Makara", "minister": False, "mentions": [mention]}],
        "ministers": [],
        "provinces": ["Takeo"],
        "places": [],
        "organisations": [],
    }


def _expected(root: Path, lang: str) -> dict:
    """The Whoosh fields of one version, by hand."""
    path = root / lang / "2025-visit.md"
    if lang == "en":
        title, description, body, tags = (TITLE, "A visit.", EN_BODY, "training")
    else:
        title, description, body, tags = KM_TITLE, "", KM_BODY, ""
    text = f"{title}\n\n{description}\n\n{body}"
    return {
        "id": f"{lang}/2025-visit",
        "lang": lang,
        "slug": "2025-visit",
        "title": title,
        "description": description,
        "body": body,
        "words": f"{title}\n{description}",
        "date": dt.datetime(2025, 3, 1),
        "year": 2025,
        "month": 3,
        "author": "",
        "tags": tags,
        "image": "",
        "body_markdown": body,  # the front matter's parser strips the final newline
        "path": str(path),
        "content_hash": hashlib.sha256(path.read_bytes()).hexdigest(),
        "untranslated": "",
        "ministers": "",
        "facet_ministers": "",
        "provinces": "Takeo",
        "facet_provinces": "Takeo",
        # the Khmer version's person takes the English version's Latin spelling
        "people": "Thorn Makara",
        "facet_people": "Thorn Makara",
        "places": "",
        "facet_places": "",
        "organisations": "",
        "facet_organisations": "",
        "publishers": "",
        "facet_publishers": "",
        # every canonical value of the entity facets is searchable
        "content": f"{text}\n\nTakeo\nThorn Makara",
        "content_kc": text,
    }


def test_the_pipeline_gives_each_version_its_fields_and_entities(pair: Path) -> None:
    files = [Source(pair / lang / "2025-visit.md", "2025-visit", lang) for lang in ("en", "km")]
    en, km = announcement.read(files)
    assert en.fields == _expected(pair, "en")
    assert km.fields == _expected(pair, "km")
    assert en.entities.as_json() == entities_json("Thorn Makara")
    assert km.entities.as_json() == entities_json("ថន មករា")
    assert km.entities.people[0].how == "paired with the Latin-script version"


def test_a_version_alone_borrows_nothing(pair: Path) -> None:
    (km,) = announcement.read([Source(pair / "km" / "2025-visit.md", "2025-visit", "km")])
    assert [p.name for p in km.entities.people] == ["ថន មករា"]


def test_an_unreadable_version_lends_nothing_and_is_reported(pair: Path) -> None:
    (pair / "en" / "2025-visit.md").write_text("---\ntitle: no date\n---\nMs. Thorn Makara.\n")
    failed: list[str] = []
    (km,) = announcement.read(
        versions(of_file(pair / "km" / "2025-visit.md"))["2025-visit"],
        on_error=lambda source, exc: failed.append(f"{source.lang}: {exc}"),
    )
    assert km.doc.id == "km/2025-visit"
    assert [p.name for p in km.entities.people] == ["ថន មករា"]
    assert failed == ["en: no date in the front matter (date, pubDate, publishDate, published)"]


# --- the languages table says which version lends its names ---------------------------

FRENCH_FIRST = (
    Language("fr", {"en": "French"}, cldr="fr", latin=True),
    Language("en", {"en": "English"}, cldr="en_GB", latin=True),
    Language("km", {"en": "Khmer"}, cldr="km", latin=False),
)


def test_the_version_to_borrow_from_is_a_column_of_the_table() -> None:
    assert borrow_names_from("km", ["en", "km"]) == "en"
    assert borrow_names_from("en", ["en", "km"]) is None  # Latin script: its own names
    assert borrow_names_from("km", ["km"]) is None
    assert borrow_names_from("km", ["fr", "en", "km"], FRENCH_FIRST) == "fr"  # table order
    assert borrow_names_from("km", ["en", "km"], FRENCH_FIRST) == "en"
    assert borrow_names_from("km", ["fr", "km"]) is None  # not a row of the real table


def test_a_khmer_version_borrows_from_a_french_one_when_the_table_says_so(pair: Path) -> None:
    en, km = (
        announcement.read([Source(pair / lang / "2025-visit.md", "2025-visit", lang)])[0].doc
        for lang in ("en", "km")
    )
    french = replace(en, lang="fr", id="fr/2025-visit")
    table = (FRENCH_FIRST[0], FRENCH_FIRST[2])  # fr and km, no English
    fr_version, km_version = announcement.versions([french, km], table)
    assert [p.name for p in km_version.entities.people] == ["Thorn Makara"]
    assert km_version.fields["people"] == "Thorn Makara"
    assert fr_version.fields["lang"] == "fr"
    # with the real table, French is no language of ours: nothing to borrow from
    _, alone = announcement.versions([french, km])
    assert [p.name for p in alone.entities.people] == ["ថន មករា"]


def test_the_interface_languages_are_the_tables() -> None:
    """webapp/i18n.py keeps no list of its own: a table with French as an interface and
    Khmer as none changes the interface languages, their locales and names."""
    code = (
        "from dataclasses import replace\n"
        "from indexer import languages\n"
        "from indexer.languages import Language\n"
        "en, km = languages.TABLE\n"
        "fr = Language('fr', {'en': 'French'}, cldr='fr_FR', latin=True)\n"
        "languages.TABLE = (en, replace(km, interface=False), fr)\n"
        "from webapp import i18n\n"
        "print(i18n.UI_LANGS, i18n.DEFAULT_UI, sorted(i18n.CLDR_LOCALE.items()),"
        " str(i18n.LANGUAGE_NAMES['fr']))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT, check=True
    ).stdout
    assert out == "('en', 'fr') en [('en', 'en_GB'), ('fr', 'fr_FR')] French\n"
    assert [r.code for r in languages.TABLE if r.interface] == ["en", "km"]


def test_language_names_follow_the_interface() -> None:
    from webapp import create_app, i18n

    app = create_app({"INDEX_DIR": PROJECT / "no-index", "TESTING": True})
    with app.test_request_context("/?ui=km"):
        assert (str(i18n.LANGUAGE_NAMES["en"]), str(i18n.LANGUAGE_NAMES["km"])) == (
            "អង់គ្លេស",
            "ខ្មែរ",
        )
    with app.test_request_context("/?ui=en"):
        assert str(i18n.LANGUAGE_NAMES["km"]) == "Khmer"


# --- every caller gives the index's entities ---------------------------------------------


def test_cli_review_queue_and_benchmark_give_the_entities_the_index_has(
    pair: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    assert cli("index", "--content", pair, "--index", index).returncode == 0
    ix, _ = store.open_index(index)
    with ix.searcher() as s:
        stored = {f["id"]: (f["people"], f["provinces"]) for f in s.all_stored_fields()}
    assert stored == {
        "en/2025-visit": ("Thorn Makara", "Takeo"),
        "km/2025-visit": ("Thorn Makara", "Takeo"),
    }

    shown = cli("entities", "--json", pair / "km" / "2025-visit.md")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == entities_json("ថន មករា")

    (row,) = review.unresolved([pair])
    assert (row["name"], row["files"], row["latin"], row["km"]) == (
        "Thorn Makara",
        2,
        ["Thorn Makara"],
        ["ថន មករា"],
    )
    assert sorted(row["examples"]) == [
        str(pair / "en" / "2025-visit.md"),
        str(pair / "km" / "2025-visit.md"),
    ]

    found = extract_versions({lang: pair / lang / "2025-visit.md" for lang in ("en", "km")})
    assert {lang: [p.name for p in e.people] for lang, e in found.items()} == {
        "en": ["Thorn Makara"],
        "km": ["Thorn Makara"],
    }


def test_cli_names_the_files_own_error(pair: Path) -> None:
    (pair / "km" / "2025-visit.md").write_text("---\ntitle: no date\n---\nនេះ\n", "utf-8")
    result = cli("entities", pair / "km" / "2025-visit.md")
    assert result.returncode == 1
    assert "no date in the front matter" in result.stderr


def test_one_pairing_for_a_file_named_alone(pair: Path) -> None:
    km = pair / "km" / "2025-visit.md"
    paired = versions(of_file(km))
    assert {slug: [(s.lang, s.path) for s in files] for slug, files in paired.items()} == {
        "2025-visit": [("en", pair / "en" / "2025-visit.md"), ("km", km)]
    }
    flat = pair / "2025-flat.md"
    flat.write_text(EN, "utf-8")
    assert [(s.slug, s.lang) for s in of_file(flat)] == [("2025-flat", None)]


def test_two_files_of_one_language_keep_their_own_entities(pair: Path) -> None:
    """Two flat folders may each hold a ``2025-visit.md`` in English: the review queue
    pairs them by slug, and each must keep what it names."""
    (en,) = announcement.read([Source(pair / "en" / "2025-visit.md", "2025-visit", "en")])
    other = replace(
        en.doc, path="elsewhere.md", title="Opening", body_text="Mr. Sok Dara opened it in Kampot."
    )
    first, second = announcement.versions([en.doc, other])
    assert first.fields["people"] == "Thorn Makara"
    assert (second.fields["people"], second.fields["provinces"]) == ("Sok Dara", "Kampot")
