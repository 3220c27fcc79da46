"""Entity extraction: the hard cases, on real sentences and on sentences we write."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bench.entities import FIELDS, score
from indexer.entities import align_with_twin, extract, resolve_latin_name
from indexer.places import (
    collapse_doubles,
    drop_separators,
    fold_kampong,
    fold_latin,
    fold_nasal,
    fold_vowel_runs,
    strip_accents,
)
from tests.conftest import prakas

D = dt.date(2025, 3, 1)


def ex(text: str, lang: str = "en", date: dt.date = D):
    return extract("", "", text, lang, date)


# --- romanisation folding, one rule each ---------------------------------------------


def test_fold_rules() -> None:
    assert strip_accents("Takéo") == "Takeo"
    assert drop_separators("pea ream") == drop_separators("pea-ream") == "peaream"
    assert fold_kampong("kompongcham") == "kampongcham"
    assert fold_nasal("svaydangkum") == "svaydankum"
    assert collapse_doubles("battambang") == "batambang"
    assert fold_vowel_runs("peaream") == fold_vowel_runs("pearam") == "param"
    assert (
        fold_latin("Peaream")
        == fold_latin("Pearam")
        == fold_latin("Param")
        == fold_latin("Pea Ream")
    )
    assert fold_latin("Kompong Speu") == fold_latin("Kampong Speu")


# --- people ------------------------------------------------------------------------------


def test_honorifics_and_apposition_real_sentence() -> None:
    text = (
        "Phnom Penh, 9 October 2023: at the Ministry of Post and Telecommunications, His "
        "Excellency Minister Chea Vandeth and His Excellency Deputy Prime Minister Hangchuon "
        "Naron, Minister of Education, Youth and Sport, presided over the signing ceremony."
    )
    found = ex(text, date=dt.date(2023, 10, 9))
    assert {p.name for p in found.people} == {"Chea Vandeth", "Hang Chuon Naron"}
    assert set(found.ministers) == {"Chea Vandeth", "Hang Chuon Naron"}


@pytest.mark.parametrize(
    "spelling", ["Chea Vandet", "Chea Vannadet", "Chea Vandeeth", "Chea Vandeth"]
)
def test_misspelt_minister_resolves(spelling: str) -> None:
    found = ex(f"H.E. {spelling}, Minister of Posts and Telecommunications, spoke.")
    assert [p.name for p in found.people] == ["Chea Vandeth"]
    assert found.people[0].mentions == [spelling]


def test_two_real_people_are_never_merged() -> None:
    assert resolve_latin_name("Hun Many")[0].name == "Hun Many"
    assert resolve_latin_name("Hun Manet")[0].name == "Hun Manet"
    # one edit from both: resolves to neither and is kept as written
    assert resolve_latin_name("Hun Mane")[0] is None
    found = ex("Samdech Hun Mane spoke. H.E. Hun Many, Deputy Prime Minister, replied.")
    assert {p.name for p in found.people} == {"Hun Mane", "Hun Many"}


def test_unknown_minister_recognised_from_text() -> None:
    found = ex("H.E. Sok Sambath, Deputy Prime Minister and Minister of Public Service, opened it.")
    assert found.ministers == ["Sok Sambath"]


def test_secretary_of_state_principal_and_foreigner_are_not_ministers() -> None:
    text = (
        "His Excellency San Vathana, Secretary of State of the Ministry of Education, and "
        "Her Excellency Hean Polyne, Undersecretary of State of MPTC, met Dr. Cosmas "
        "Zavazava, Director of the Telecommunication Development Bureau. The principal, "
        "Mr. Seom Rong, thanked them."
    )
    found = ex(text)
    assert {p.name for p in found.people} == {
        "San Vathana",
        "Hean Poline",
        "Cosmas Zavazava",
        "Seom Rong",
    }
    assert found.ministers == []


def test_rank_follows_the_date() -> None:
    text = "Samdech Techo Hun Sen presided over the ceremony."
    assert ex(text, date=dt.date(2022, 5, 1)).ministers == ["Hun Sen"]
    assert ex(text, date=dt.date(2025, 5, 1)).ministers == []


def test_names_inside_school_names_are_not_people() -> None:
    text = (
        "The first CTC is at Hun Sen Mouy Mithona High School. Hun Sen Mouy Mithona is a "
        "leading high school in Bati district."
    )
    assert ex(text).people == []


def test_khmer_people_with_honorifics() -> None:
    text = (
        "ឯកឧត្ដម ជា វ៉ាន់ដេត រដ្ឋមន្ត្រី ក.ប.ទ. និងឯកឧត្តមបណ្ឌិតសភាចារ្យ ហង់ជួន ណារ៉ុន "
        "ឧបនាយករដ្ឋមន្ត្រី និងលោកជំទាវ ហ៊ាន ប៉ូលីណេ អនុរដ្ឋលេខាធិការ ក្រោមការដឹកនាំរបស់ "
        "សម្តេចមហាបវរធិបតី ហ៊ុន ម៉ាណែត នាយករដ្ឋមន្ត្រី"
    )
    found = ex(text, "km", dt.date(2023, 10, 9))
    assert {p.name for p in found.people} == {
        "Chea Vandeth",
        "Hang Chuon Naron",
        "Hean Poline",
        "Hun Manet",
    }
    assert set(found.ministers) == {"Chea Vandeth", "Hang Chuon Naron", "Hun Manet"}


def test_khmer_spelling_variants_resolve() -> None:
    # coeng-DA for coeng-TA and a zero-width space inside the name
    found = ex("ឯកឧត្ដម ជា វ៉ាន់\u200bដេត បានអញ្ជើញ", "km")
    assert [p.name for p in found.people] == ["Chea Vandeth"]


def test_khmer_unknown_name_takes_the_english_twins_spelling() -> None:
    english = ex("Ms. Thorn Makara, Deputy Head of the Maintenance Team, led the visit.")
    khmer_side = ex("លោកស្រី ថន មករា អនុប្រធានក្រុមការងារ បានដឹកនាំ", "km")
    assert [p.name for p in align_with_twin(khmer_side, english).people] == ["Thorn Makara"]


# --- places ------------------------------------------------------------------------------


def test_commune_romanisations_and_district_without_province() -> None:
    for spelling in ("Peaream", "Pearam", "Param"):
        found = ex(f"The centre is in {spelling} commune, Bati district.")
        assert {(p.name, p.level, p.province) for p in found.places} == {
            ("Pea Ream", "commune", "Takeo"),
            ("Bati", "district", "Takeo"),
        }
        assert set(found.provinces) == {"Takeo"}


def test_repeated_commune_name_needs_a_deciding_province() -> None:
    alone = ex("Students from Khvav commune attended.")
    assert alone.places[0].province is None and alone.provinces == {}
    decided = ex("Students from Khvav commune, Siem Reap province, attended.")
    assert decided.places[0].province == "Siem Reap"


def test_dateline_and_spellings_of_provinces() -> None:
    found = ex("PHNOM PENH, 9 Oct — Officials from Takéo and Kompong Cham met.")
    assert set(found.provinces) == {"Phnom Penh", "Takeo", "Kampong Cham"}


def test_khmer_places_without_spaces() -> None:
    found = ex("នៅក្នុងឃុំពារាម ស្រុកបាទី ខេត្តតាកែវ", "km")
    assert {(p.name, p.province) for p in found.places} == {
        ("Pea Ream", "Takeo"),
        ("Bati", "Takeo"),
    }
    assert set(found.provinces) == {"Takeo"}
    # ឬ written for ឫ, the Khmer digit ៦ in a commune name
    found = ex("ស្ថិតនៅសង្កាត់គីឡូម៉ែត្រលេខ៦ ខណ្ឌឬស្សីកែវ រាជធានីភ្នំពេញ", "km")
    assert {p.name for p in found.places} == {"Kilometre 6", "Russey Keo"}


def test_province_in_a_school_name_is_an_eponym() -> None:
    assert ex("He spoke at Preah Sihanouk Raja Buddhist High School.").provinces == {}


def test_organisations_with_abbreviations() -> None:
    found = ex("The MPTC and the Ministry of Education, Youth and Sports signed with ITU.")
    assert set(found.organisations) == {
        "Ministry of Posts and Telecommunications",
        "Ministry of Education, Youth and Sport",
        "International Telecommunication Union",
    }
    km = ex("ក.ប.ទ. និង ក.អ.យ.ក.", "km")
    assert set(km.organisations) == {
        "Ministry of Posts and Telecommunications",
        "Ministry of Education, Youth and Sport",
    }


# --- the real corpus against the gold annotations -------------------------------------


def test_scores_against_gold(shared: Path) -> None:
    result = score(shared)
    targets = {"ministers": 0.95, "provinces": 0.95, "people": 0.90}
    for lang, tallies in result["tallies"].items():
        for field in FIELDS:
            p, r, f1 = tallies[field].prf()
            print(f"{lang}.{field}: P {p:.3f} R {r:.3f} F1 {f1:.3f}")
            if field in targets:
                assert f1 >= targets[field], (lang, field, f1, tallies[field].errors)


def test_english_and_khmer_versions_agree(shared: Path) -> None:
    agreement = score(shared)["agreement"]
    for field, (same, pairs) in agreement.items():
        print(f"EN/KM agreement on {field}: {same}/{pairs}")
        assert same / pairs >= 0.95, field


def test_cli_entities_json(blog: Path) -> None:
    result = prakas("entities", "--json", blog / "km" / "2-post.md")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"people", "ministers", "provinces", "places", "organisations"}
    assert "Chea Vandeth" in data["ministers"] and data["provinces"] == ["Takeo"]
    assert {"name": "Bati", "level": "district", "province": "Takeo"} in data["places"]
    assert all(set(p) == {"name", "minister", "mentions"} for p in data["people"])


def test_index_holds_canonical_values_and_finds_any_spelling(tmp_path: Path) -> None:
    content = tmp_path / "content" / "en"
    content.mkdir(parents=True)
    (content / "a.md").write_text(
        "---\ntitle: Visit to Param\ndate: 2025-01-02\n---\n\n"
        "H.E. Chea Vannadet, Minister of Posts and Telecommunications, visited Pearam commune.\n",
        "utf-8",
    )
    index_dir = tmp_path / "ix"
    assert prakas("index", "--content", content.parent, "--index", index_dir).returncode == 0
    from indexer import store

    ix, _ = store.open_index(index_dir)
    with ix.searcher() as s:
        fields = next(s.all_stored_fields())
    assert fields["ministers"] == "Chea Vandeth" and fields["provinces"] == "Takeo"
    assert fields["places"].splitlines() == ["Pea Ream"]
    for query in ("Chea Vandeth", "Vannadet", "Takeo"):
        out = prakas("search", "--index", index_dir, query)
        assert out.stdout.startswith("en/a "), (query, out.stdout, out.stderr)
