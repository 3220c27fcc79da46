"""Officials no registry knows: ministers from the titles of the text, names that are
names (never a headline's words), honorifics and titles of both scripts.

The announcements ``content/{en,km}/2026-unknown-*.md`` are ours, written in the style
of the ministry's press releases; none of their officials is in the registry.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.entities import MODES, extract_versions, score
from indexer.entities import extract
from indexer.entities.registry import Registry, registry, using
from tests.conftest import CONTENT, PROJECT, prakas

D = dt.date(2026, 3, 1)
UNKNOWN = sorted(p.stem for p in (CONTENT / "en").glob("2026-unknown-*.md"))
# What each of our announcements names (both languages): people, and who is a minister.
EXPECTED = {
    "2026-unknown-health-records-kratie": (
        {"Phal Sothea", "Kong Sovann", "Chan Dara"},
        {"Phal Sothea"},
    ),
    "2026-unknown-rice-farmers-battambang": (
        {"Ouk Rachana", "Leang Meng", "Seng Bopha"},
        {"Ouk Rachana"},
    ),
    "2026-unknown-trade-fair-phnom-penh": (
        {"Nuon Vichet", "David L. Almirol Jr.", "Touch Pisey"},
        {"Nuon Vichet"},
    ),
    "2026-unknown-royal-reading-awards": (
        {"Norodom Sihamoni", "Khim Sokhom", "Ros Chantrea"},
        {"Khim Sokhom"},
    ),
}


def ex(text: str, lang: str = "en"):
    return extract("", "", text, lang, D)


def test_our_announcements_are_all_expected() -> None:
    assert sorted(EXPECTED) == UNKNOWN
    for slug in UNKNOWN:
        assert (CONTENT / "km" / f"{slug}.md").is_file(), slug


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_unknown_officials_in_both_languages(slug: str) -> None:
    people, ministers = EXPECTED[slug]
    both = extract_versions({lang: CONTENT / lang / f"{slug}.md" for lang in ("en", "km")})
    for found in (both["en"], both["km"]):
        assert {p.name for p in found.people} == people
        assert set(found.ministers) == ministers
        assert not any(p.known for p in found.people)  # none of them is in the registry
        assert all(p.rank_from.startswith("text: ") for p in found.people if p.minister)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_the_headline_alone_names_no_one(slug: str) -> None:
    # "Senior Minister Opens Digital Health…", "Agriculture Minister Visits Rice Farmers…"
    for lang in ("en", "km"):
        title = (CONTENT / lang / f"{slug}.md").read_text("utf-8").split("title: ", 1)[1]
        title = title.split("\n", 1)[0]
        assert extract(title, "", "", lang, D).people == [], (lang, title)


@pytest.mark.parametrize(
    "headline",
    [
        "Senior Minister Opens Digital Health Records Pilot in Kratie",
        "Agriculture Minister Visits Rice Farmers in Battambang",
        "Deputy Prime Minister Calls for Faster Broadband in Rural Schools",
        "Minister of Health Launches National Vaccination Week",
        "Prime Minister Presides Over Graduation Ceremony, Minister Says",
        "Tourism Minister Welcomes First Cruise Ship of the Season",
    ],
)
def test_title_case_headlines_are_not_names(headline: str) -> None:
    assert ex(headline).people == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Minister of Agriculture, Forestry and Fisheries Ouk Rachana visited farmers.",
            "Ouk Rachana",
        ),
        ("Agriculture Minister Ouk Rachana visited farmers.", "Ouk Rachana"),
        ("Senior Minister Phal Sothea Opens Digital Health Records Pilot", "Phal Sothea"),
        ("Deputy Prime Minister Nuon Vichet opened the fair.", "Nuon Vichet"),
        ("Nuon Vichet, Deputy Prime Minister and Minister of Commerce, spoke.", "Nuon Vichet"),
        ("H.E. Minister of Culture and Fine Arts Khim Sokhom presented the awards.", "Khim Sokhom"),
        ("ឯកឧត្តម អ៊ុក រចនា រដ្ឋមន្ត្រីក្រសួងកសិកម្ម រុក្ខាប្រមាញ់ និងនេសាទ បានចុះ", "អ៊ុក រចនា"),
        ("ឯកឧត្តមបណ្ឌិត ផល សុធា ទេសរដ្ឋមន្ត្រី បានអញ្ជើញ", "ផល សុធា"),
        ("ឧបនាយករដ្ឋមន្ត្រី នួន វិចិត្រ បានបើកពិព័រណ៍", "នួន វិចិត្រ"),
        ("ឯកឧត្តមរដ្ឋមន្ត្រី ឃឹម សុខុម បានប្រគល់", "ឃឹម សុខុម"),
    ],
)
def test_minister_rank_from_the_text(text: str, name: str) -> None:
    found = ex(text, "km" if "ឯ" in text or "ឧ" in text else "en")
    assert found.ministers == [name]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Deputy Minister Touch Pisey spoke.", "Touch Pisey"),
        ("Mr. Touch Pisey, Secretary of State of the Ministry of Commerce, spoke.", "Touch Pisey"),
        ("Mr. Ly Sovann, Representative of the Minister of Health, spoke.", "Ly Sovann"),
        ("ឯកឧត្តម ទូច ពិសី រដ្ឋលេខាធិការក្រសួងពាណិជ្ជកម្ម បានបង្ហាញ", "ទូច ពិសី"),
        ("ឯកឧត្តម ទូច ពិសី អនុរដ្ឋលេខាធិការ បានបង្ហាញ", "ទូច ពិសី"),
    ],
)
def test_offices_that_are_not_minister_rank(text: str, name: str) -> None:
    found = ex(text, "km" if "ឯ" in text else "en")
    assert [p.name for p in found.people] == [name] and found.ministers == []


def test_royalty_are_people_never_ministers() -> None:
    english = ex("Under the high patronage of His Majesty King Norodom Sihamoni, King of Cambodia.")
    khmer = ex("ក្រោមព្រះរាជូបត្ថម្ភ ព្រះករុណា ព្រះបាទសម្តេចព្រះបរមនាថ នរោត្តម សីហមុនី", "km")
    assert [p.name for p in english.people] == ["Norodom Sihamoni"]
    assert [p.name for p in khmer.people] == ["នរោត្តម សីហមុនី"]
    assert english.ministers == khmer.ministers == []
    assert english.people[0].royal and khmer.people[0].royal


def test_initials_suffixes_and_professional_titles() -> None:
    found = ex(
        "It was prepared with David L. Almirol Jr., Chief of Party, Dr. Kong Sovann, "
        "Miss Chan Dara, Oknha Leang Meng and Lok Chumteav Seng Bopha."
    )
    assert {p.name for p in found.people} == {
        "David L. Almirol Jr.",
        "Kong Sovann",
        "Chan Dara",
        "Leang Meng",
        "Seng Bopha",
    }
    khmer = ex(
        "វេជ្ជបណ្ឌិត គង់ សុវណ្ណ និងកញ្ញា ចាន់ ដារ៉ា ឧកញ៉ា លាង ម៉េង "
        "សាស្ត្រាចារ្យ រស់ ចន្ទ្រា និងលោក David L. Almirol Jr. បានចូលរួម",
        "km",
    )
    assert {p.name for p in khmer.people} == {
        "គង់ សុវណ្ណ",
        "ចាន់ ដារ៉ា",
        "លាង ម៉េង",
        "រស់ ចន្ទ្រា",
        "David L. Almirol Jr.",
    }


def test_an_honorific_pair_without_a_name_is_no_one() -> None:
    assert ex("សូមគោរព ឯកឧត្តម លោកជំទាវ លោក លោកស្រី ជាទីមេត្រី", "km").people == []
    # a title inside a word ("គតិបណ្ឌិត", wisdom) does not hide the name after it
    found = ex("ក្រោមការដឹកនាំប្រកបដោយគតិបណ្ឌិតរបស់ សម្តេចមហាបវរធិបតី ហ៊ុន ម៉ាណែត", "km")
    assert [p.name for p in found.people] == ["Hun Manet"]


def test_text_alone_without_any_registry() -> None:
    with using(Registry()):
        assert registry().officials == ()
        found = ex("Deputy Prime Minister Nuon Vichet met H.E. Chea Vandeth, Minister of Posts.")
        assert set(found.ministers) == {"Nuon Vichet", "Chea Vandeth"}
        assert not any(p.known for p in found.people)
    assert registry().officials  # the registry in force again


def test_gold_scores_with_the_registry_and_text_alone(shared: Path) -> None:
    """≥ 0.98 for ministers and people with the registry; text alone reported, and above
    what a name-blind extractor would get (its misses are the registry's spellings)."""
    floors = {"registry": 0.98, "text alone": 0.85}
    for mode, reg in MODES.items():
        result = score(shared, reg)
        for lang, tallies in result["tallies"].items():
            for field in ("ministers", "people"):
                f1 = tallies[field].prf()[2]
                print(f"{mode} {lang}.{field}: F1 {f1:.3f}")
                assert f1 >= floors[mode], (mode, lang, field, tallies[field].errors)


def test_the_query_side_loads_resolution_not_the_extractor() -> None:
    code = (
        "import sys, webapp.query; "
        "print(sorted(m for m in sys.modules if m.startswith('indexer.entities')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT, check=True
    )
    loaded = json.loads(out.stdout.replace("'", '"'))
    assert "indexer.entities.registry" in loaded and "indexer.entities.vocabulary" in loaded
    assert not {"indexer.entities.people", "indexer.entities.pipeline"} & set(loaded)


def test_review_queues_from_the_cli() -> None:
    result = prakas("people", "--unresolved", "--json", "--content", CONTENT)
    assert result.returncode == 0, result.stderr
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    for slug, (people, _) in EXPECTED.items():
        for name in people:
            assert any(slug in e for e in rows[name]["examples"]), (name, rows[name])
    assert "Chea Vandeth" not in rows  # the registry knows him
    ouk = rows["Ouk Rachana"]
    assert ouk["files"] == 2 and ouk["latin"] == ["Ouk Rachana"] and ouk["km"] == ["អ៊ុក រចនា"]
    assert "Agriculture Minister" in ouk["titles"]
    assert any("រដ្ឋមន្ត្រី" in t for t in ouk["titles"])

    result = prakas("people", "--minister", "--json", "--content", CONTENT)
    assert result.returncode == 0, result.stderr
    ministers = {r["name"]: r for r in json.loads(result.stdout)}
    assert {w["source"] for w in ministers["Chea Vandeth"]["why"]} == {"registry"}
    assert {w["source"] for w in ministers["Ouk Rachana"]["why"]} == {"text"}
    assert "Norodom Sihamoni" not in ministers and "Touch Pisey" not in ministers
    assert prakas("people").returncode == 2  # which list is a usage question
