"""The registry folder staff maintain (PRAKAS_REGISTRY), end to end through the real CLI,
and the Khmer spellings of facet values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer import store
from indexer.entities import khmer_name
from indexer.entities.registry import SPELLERS, bundled, load
from indexer.facets import FACETS
from tests.conftest import CONTENT, prakas

RICE = "2026-unknown-rice-farmers-battambang"
OFFICIALS = """\
people:
  - name: Ouk Rachana
    km: [អ៊ុក រចនា]
    latin: [Ouk Rachna]
    offices:
      - title: Minister of Agriculture, Forestry and Fisheries
        minister: true
        from: 2025-01-01
"""


def _stored(index_dir: Path) -> dict[str, dict]:
    ix, _ = store.open_index(index_dir)
    with ix.searcher() as s:
        return {f["id"]: f for f in s.all_stored_fields()}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Two files naming one official the registry does not know: the English one in a
    spelling of its own, the Khmer one without an English twin to borrow a name from."""
    content = tmp_path / "content"
    (content / "en").mkdir(parents=True)
    (content / "km").mkdir()
    english = (CONTENT / "en" / f"{RICE}.md").read_text("utf-8")
    (content / "en" / "rice-en.md").write_text(english.replace("Ouk Rachana", "Ouk Rachna"))
    (content / "km" / "rice-km.md").write_text((CONTENT / "km" / f"{RICE}.md").read_text("utf-8"))
    return content


def test_a_person_added_in_yaml_becomes_a_facet_value_in_both_scripts(
    archive: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "officials.yaml").write_text(OFFICIALS, "utf-8")
    env = {"PRAKAS_REGISTRY": str(folder)}
    check = prakas("registry", "check", folder)
    assert check.returncode == 0, check.stdout + check.stderr

    # without the folder: the text's own spellings, one per script
    plain = tmp_path / "plain"
    assert prakas("index", "--content", archive, "--index", plain).returncode == 0
    before = _stored(plain)
    assert before["en/rice-en"]["ministers"].splitlines() == ["Ouk Rachna"]
    assert before["km/rice-km"]["ministers"].splitlines() == ["អ៊ុក រចនា"]

    index_dir = tmp_path / "ix"
    run = prakas("index", "--content", archive, "--index", index_dir, "--json", env=env)
    assert run.returncode == 0, run.stderr
    after = _stored(index_dir)
    for doc_id in ("en/rice-en", "km/rice-km"):
        assert "Ouk Rachana" in after[doc_id]["people"].splitlines(), after[doc_id]["people"]
        assert after[doc_id]["ministers"].splitlines() == ["Ouk Rachana"]
    found = prakas("search", "--index", index_dir, "--minister", "Ouk Rachana", "--json", env=env)
    assert {h["id"] for h in json.loads(found.stdout)["results"]} == {"en/rice-en", "km/rice-km"}

    # nothing changed: nothing to do; the folder changed: a full rebuild, no version bumped
    again = prakas("index", "--content", archive, "--index", index_dir, "--json", env=env)
    assert json.loads(again.stdout)["mode"] == "unchanged"
    with (folder / "officials.yaml").open("a", encoding="utf-8") as f:
        f.write("  - name: Leang Meng\n    km: [លាង ម៉េង]\n")
    changed = prakas("index", "--content", archive, "--index", index_dir, "--json", env=env)
    report = json.loads(changed.stdout)
    assert report["mode"] == "full" and "entities" in report["reason"], report
    assert "Leang Meng" in _stored(index_dir)["km/rice-km"]["people"].splitlines()


def test_check_reports_bad_rows_with_their_line(tmp_path: Path) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "officials.yaml").write_text(
        OFFICIALS
        + "  - name: Seng Bopha\n"  # line 9
        + "    km: [Seng Bopha]\n"  # line 10: not Khmer script
        + "    offices:\n"
        + "      - title: Deputy Governor\n"  # line 12
        + "        minister: perhaps\n"
        + "        from: 2024-02-30\n",
        "utf-8",
    )
    (folder / "people.csv").write_text(
        "name,km,latin,title,minister,from,to\n"
        "Leang Meng,លាង ម៉េង,,,,,\n"
        "Vandeth Chea,ជា វ៉ាន់ដេត,,Adviser,false,,\n",  # line 3: a bundled official's spelling
        "utf-8",
    )
    result = prakas("registry", "check", folder)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    yaml_file, csv_file = folder / "officials.yaml", folder / "people.csv"
    assert f"{yaml_file}:9: km: 'Seng Bopha' is not in Khmer script" in lines
    assert any(line.startswith(f"{yaml_file}:12: ") and "minister" in line for line in lines)
    assert any(line.startswith(f"{yaml_file}:12: ") and "2024-02-30" in line for line in lines)
    assert any(line.startswith(f"{csv_file}:3: ") and "Chea Vandeth" in line for line in lines)
    assert len(lines) == 4, lines
    # the good rows still load; the bad ones are left out
    reg = load(folder)
    assert {"Ouk Rachana", "Leang Meng"} <= set(reg.by_name)
    assert "Seng Bopha" not in reg.by_name and "Vandeth Chea" not in reg.by_name
    assert prakas("registry", "check", tmp_path / "missing").returncode == 1
    # the nightly index still runs, says which rows it left out, and indexes the rest
    content = tmp_path / "content"
    (content / "en").mkdir(parents=True)
    (content / "en" / "a.md").write_text(
        "---\ntitle: Rice prices\ndate: 2026-04-03\n---\n\n"
        "H.E. Ouk Rachna, Minister of Agriculture, Forestry and Fisheries, spoke.\n",
        "utf-8",
    )
    env = {"PRAKAS_REGISTRY": str(folder)}
    run = prakas("index", "--content", content, "--index", tmp_path / "ix", env=env)
    assert run.returncode == 0, run.stderr
    assert f"registry folder: {yaml_file}:9: " in run.stderr
    assert _stored(tmp_path / "ix")["en/a"]["ministers"] == "Ouk Rachana"


def test_folder_entries_merge_over_the_bundled_facts(tmp_path: Path) -> None:
    (tmp_path / "more.yml").write_text(
        "people:\n  - name: Chea Vandeth\n    latin: [Chea Vanndeth]\n"
        "organisations:\n  - name: Ouk Mal Cooperative\n    km: [សហគមន៍អូរម៉ាល់]\n",
        "utf-8",
    )
    reg = load(tmp_path)
    chea = reg.by_name["Chea Vandeth"]
    assert chea.latin == ("Chea Vanndeth",)
    assert chea.offices == bundled().by_name["Chea Vandeth"].offices  # none given: kept
    assert len(reg.officials) == len(bundled().officials)
    assert "Ouk Mal Cooperative" in {o.name for o in reg.organisations}


def test_khmer_names_of_facet_values() -> None:
    assert khmer_name("official", "Chea Vandeth") == "ជា វ៉ាន់ដេត"
    assert khmer_name("official", "Hang Chuon Naron") == "ហង់ជួន ណារ៉ុន"
    assert khmer_name("province", "Takeo") == "តាកែវ"
    assert khmer_name("place", "Bati") == "បាទី"
    assert khmer_name("organisation", "Ministry of Posts and Telecommunications") == (
        "ក្រសួងប្រៃសណីយ៍និងទូរគមនាគមន៍"
    )
    assert khmer_name("official", "Ouk Rachana") is None  # not in the bundled registry
    assert khmer_name("official", "អ៊ុក រចនា") == "អ៊ុក រចនា"
    with pytest.raises(ValueError):
        khmer_name("tags", "health")
    # every facet whose values a registry or the gazetteer spells names one of them
    spelt = {f.name: f.spelt_by for f in FACETS if f.spelt_by}
    assert spelt == {
        "minister": "official",
        "province": "province",
        "person": "official",
        "place": "place",
        "org": "organisation",
    }
    assert set(spelt.values()) <= set(SPELLERS)
