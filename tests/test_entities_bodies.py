"""Names from any body: the announcements we wrote in the style of other bodies
(tests/data/bodies/, gold beside them) and each case of issue 24 on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.entities import BODIES, rows_of, score_gold
from indexer.entities import extract
from indexer.entities.registry import Registry
from indexer.khmer import normalise
from tests.conftest import cli
from webapp import create_app


@pytest.fixture(autouse=True)
def _no_staff_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRAKAS_REGISTRY", raising=False)  # the registry folder empty


def test_the_bodies_score_with_the_registry_folder_empty() -> None:
    rows = rows_of(score_gold(BODIES / "gold.json", BODIES))
    for lang in ("en", "km"):
        assert rows[f"{lang}.people"]["f1"] >= 0.95, rows
        assert rows[f"{lang}.ministers"]["f1"] >= 0.95, rows
        assert rows[f"{lang}.provinces"]["f1"] == 1.0, rows


def test_the_bodies_from_the_text_alone() -> None:
    """No registry at all: every error left is the one only a registry can fix (the
    English file writes "Vandeth Chea", given name first)."""
    result = score_gold(BODIES / "gold.json", BODIES, Registry())
    for lang in ("en", "km"):
        errors = [e for t in result["tallies"][lang].values() for e in t.errors]
        assert all(e.startswith(f"{lang}/camcert-phishing-advisory") for e in errors), errors
        assert rows_of(result)[f"{lang}.provinces"]["f1"] == 1.0


def people(text: str, lang: str = "en") -> dict[str, bool]:
    found = extract("", "", text, lang)
    return {p.name: p.minister for p in found.people}


def test_a_name_in_capitals() -> None:
    assert people("Signed by SAMDECH MOHA BORVOR THIPADEI HUN MANET, Prime Minister.") == {
        "Hun Manet": True
    }
    assert people("The TRC and the ITU met in Geneva.") == {}


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Santibandit Neth Savoeun opened the meeting.", "Neth Savoeun"),
        ("Samdech Akka Moha Sena Padei Techo Hun Sen visited the school.", "Hun Sen"),
        ("Samdech Moha Bovor Thipadei Hun Manet visited the school.", "Hun Manet"),
        ("Samdech Vibol Panha Sar Sokha visited the school.", "Sar Sokha"),
        ("Neak Oknha Chhun Dara donated the prizes.", "Chhun Dara"),
        ("Oknha Ly Chhay donated the nets.", "Ly Chhay"),
        ("Academician Chan Sotheara read the citation.", "Chan Sotheara"),
        ("Lok Chumteav Dr. Yim Sovann joined them.", "Yim Sovann"),
        ("Prof. Dr. Vong Sokha spoke first.", "Vong Sokha"),
        ("Eng. Sok Piseth explained the attack.", "Sok Piseth"),
        ("The Venerable Hak Sienghai blessed the volunteers.", "Hak Sienghai"),
        ("Their Excellencies Keo Malis and guests arrived.", "Keo Malis"),
    ],
)
def test_honorifics_of_latin_script_are_not_names(written: str, name: str) -> None:
    assert list(people(written)) == [name]


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("សន្តិបណ្ឌិត ម៉ុក វិចិត្រ បានប្រកាស។", "ម៉ុក វិចិត្រ"),
        ("ឧកញ៉ា លី ឆាយ បានបរិច្ចាគមុង។", "លី ឆាយ"),
        ("អ្នកឧកញ៉ា ឈុន ដារា បានឧបត្ថម្ភ។", "ឈុន ដារា"),
        ("បណ្ឌិតសភាចារ្យ ចាន់ សុធារ៉ា បានអាន។", "ចាន់ សុធារ៉ា"),
        ("ព្រះតេជគុណ ហាក់ សៀងហៃ បានប្រសិទ្ធពរ។", "ហាក់ សៀងហៃ"),
        ("វិស្វករ សុខ ពិសិដ្ឋ បានពន្យល់។", "សុខ ពិសិដ្ឋ"),
        ("លោកជំទាវវេជ្ជបណ្ឌិត យឹម សុវណ្ណ បានចូលរួម។", "យឹម សុវណ្ណ"),
    ],
)
def test_honorifics_of_khmer_script_are_not_names(
    written: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer.entities.registry import using

    with using(Registry()):  # unknown to any registry: the name as written
        assert list(people(written, "km")) == [name]


def test_words_of_a_samdech_style_stay_given_names() -> None:
    assert people("H.E. Sok Vibol met Ms. Chan Panha.") == {"Sok Vibol": False, "Chan Panha": False}


def test_given_name_first_resolves_to_the_registry_form() -> None:
    text = "Vandeth Chea, Minister of Posts and Telecommunications, asked operators to act."
    assert people(text) == {"Chea Vandeth": True}


def test_a_formula_of_homage_is_no_minister_in_office() -> None:
    homage = extract(
        "",
        "",
        "The plan serves Vision 2050 under the wise leadership of Samdech Moha Borvor "
        "Thipadei Hun Manet, Prime Minister of the Kingdom of Cambodia. "
        "H.E. Chea Vandeth, Minister of Posts and Telecommunications, opened the forum.",
        "en",
    )
    assert homage.ministers == ["Hun Manet", "Chea Vandeth"]  # both of minister rank
    assert homage.office_holders == ["Chea Vandeth"]  # the Minister facet
    acting = extract("", "", "Samdech Hun Manet, Prime Minister, presided over the forum.", "en")
    assert acting.office_holders == ["Hun Manet"]
    km = extract(
        "",
        "",
        "ក្រោមការដឹកនាំដ៏ឈ្លាសវៃរបស់ សម្តេចមហាបវរធិបតី ហ៊ុន ម៉ាណែត នាយករដ្ឋមន្ត្រី។ "
        "ឯកឧត្តម ជា វ៉ាន់ដេត រដ្ឋមន្ត្រីក្រសួងប្រៃសណីយ៍និងទូរគមនាគមន៍ បានបើកវេទិកា។",
        "km",
    )
    assert km.office_holders == ["Chea Vandeth"] and "Hun Manet" in km.ministers


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    index = tmp_path_factory.mktemp("bodies") / "ix"
    result = cli("index", "--content", BODIES, "--index", index, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["indexed"] == 12 and report["skipped"] == []  # every date format read
    return create_app({"INDEX_DIR": index}).test_client()


def _facet(client, name: str, qs: str = "") -> dict[str, dict[str, str]]:
    data = client.get(f"/api/search?more={name}{qs}").get_json()
    return {v["value"]: v["labels"] for v in data["facets"][name]}


def test_one_person_one_value_with_a_khmer_label(client) -> None:
    people = _facet(client, "person")
    assert not any("\u1780" <= c <= "\u17ff" for value in people for c in value)
    # unknown to the registry, paired across the twins: the Khmer page writes them in Khmer
    assert people["Bin Sakda"] == {"km": normalise("ប៊ិន សក្ដា")}  # coeng-DA as coeng-TA
    assert people["Mok Vichet"] == {"km": "ម៉ុក វិចិត្រ"}
    # a minister is listed under Minister only, with the registry's Khmer name
    assert "Chea Vandeth" not in people
    assert _facet(client, "minister")["Chea Vandeth"] == {"km": "ជា វ៉ាន់ដេត"}
    page = client.get("/search?person=Bin+Sakda&ui=km").get_data(as_text=True)
    assert normalise("ប៊ិន សក្ដា") in page


def test_the_minister_facet_holds_those_in_office(client) -> None:
    ministers = _facet(client, "minister")
    assert set(ministers) == {"Chea Vandeth", "Chheang Ra", "Hang Chuon Naron", "Sar Sokha"}
    trc = _facet(client, "person", "&q=spectrum")
    assert "Hun Manet" in trc  # named in homage: a person, not a minister in office


def test_the_untranslated_version_and_its_html(client) -> None:
    hits = client.get("/api/search?q=boat&unit=file").get_json()["results"]
    assert {h["id"]: h["untranslated"] for h in hits} == {
        "en/siem-reap-water-festival": False,
        "km/siem-reap-water-festival": True,
    }
    page = client.get("/a/km/siem-reap-water-festival?ui=en").get_data(as_text=True)
    assert "This Khmer version has not been translated" in page
    assert "onerror" not in page and "Forty boat teams" in page


def test_bodies_text_is_ours(tmp_path: Path) -> None:
    """Our own text, not copied from ../shared: no sentence of ours is in the corpus."""
    from tests.conftest import BLOG

    if not BLOG.is_dir():
        pytest.skip("no corpus to compare with")
    corpus = "\n".join(p.read_text("utf-8") for p in BLOG.glob("*/*.md"))
    for path in BODIES.glob("*/*.md"):
        body = path.read_text("utf-8").split("---", 2)[2]
        for sentence in body.replace("។", ".").split(".")[:-1]:
            assert len(sentence.strip()) < 40 or sentence.strip() not in corpus, sentence
