"""The script that generated ``indexer/data/gazetteer.json``
(:mod:`indexer.data.build_gazetteer`), on a hand-written extract of pumi's files in
pumi's own layout: four rows, offline; the output written to a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.data import build_gazetteer as G

PROVINCES = """---
provinces:
  '21':
    name:
      km: តាកែវ
      latin: Takéo
      ungegn: Takêv
    administrative_unit:
      km: ខេត្ត
      latin: Khaet
      en: Province
  '17':
    name:
      km: សៀមរាប
      latin: Siem Reap
    administrative_unit:
      km: ខេត្ត
      latin: Khaet
      en: Province
"""
DISTRICTS = """---
districts:
  '2101':
    name:
      km: អង្គរបូរី
      latin: Angkor Borei
    administrative_unit:
      km: ស្រុក
      latin: Srok
      en: District
"""
COMMUNES = """---
communes:
  '120801':
    name:
      km: គីឡូម៉ែត្រលេខ៦
      latin: Kilomaetr Lekh Prammuoy
    administrative_unit:
      km: សង្កាត់
      latin: Sangkat
      en: Quarter
"""
SOURCE = "dwilkie/pumi data/*.yml (NCDD gazetteer), MIT licence: LICENSE-pumi.txt"
EXPECTED = {
    "source": SOURCE,
    "provinces": [  # by code; the English name first, pumi's Latin one an alias
        {
            "code": "17",
            "name": "Siem Reap",
            "aliases": ["Siemreap"],
            "km": "សៀមរាប",
            "unit": "Province",
        },
        {"code": "21", "name": "Takeo", "aliases": ["Takéo"], "km": "តាកែវ", "unit": "Province"},
    ],
    "districts": [{"code": "2101", "name": "Angkor Borei", "km": "អង្គរបូរី", "unit": "District"}],
    "communes": [
        {
            "code": "120801",
            "name": "Kilomaetr Lekh Prammuoy",
            "km": "គីឡូម៉ែត្រលេខ៦",
            "unit": "Quarter",
            "aliases": ["Kilometre 6", "Kilometer 6", "Km 6"],
        }
    ],
}


@pytest.fixture()
def pumi(tmp_path: Path) -> Path:
    source = tmp_path / "pumi"
    source.mkdir()
    for name, text in (
        ("provinces.yml", PROVINCES),
        ("districts.yml", DISTRICTS),
        ("communes.yml", COMMUNES),
        ("LICENSE.txt", "The MIT License (MIT)\n"),
    ):
        (source / name).write_text(text, "utf-8")
    return source


def test_the_gazetteer_keeps_codes_names_and_units_with_english_names(pumi: Path) -> None:
    assert G.build(pumi) == EXPECTED


@pytest.mark.parametrize(
    ("latin", "aliases"),
    [
        ("Kilomaetr Lekh Dab", ["Kilometre 10", "Kilometer 10", "Km 10"]),
        ("Kilomaetr Lekh Muoy", ["Kilometre 1", "Kilometer 1", "Km 1"]),
        ("Kilomaetr Lekh Dabmuoy", []),  # not a number word of the table
        ("Kilomaetr Prammuoy", []),
        ("Lekh Kilomaetr Pir", []),
        ("Phum Lekh Pir", []),
        ("Kilomaetr Lekh Pir Thmei", []),
    ],
)
def test_english_names_of_numbered_places(latin: str, aliases: list[str]) -> None:
    assert G.english_aliases(latin) == aliases


def test_the_script_writes_the_json_and_the_licence(
    pumi: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(G, "HERE", out)
    G.main(pumi)
    text = (out / "gazetteer.json").read_text("utf-8")
    assert text.endswith("}\n") and "\n" not in text[:-1]  # one compact line
    assert '"km":"តាកែវ"' in text  # Khmer as written, not \\u escapes
    assert json.loads(text) == EXPECTED
    assert (out / "LICENSE-pumi.txt").read_text("utf-8") == "The MIT License (MIT)\n"
    counts = "{'provinces': 2, 'districts': 1, 'communes': 1}"
    assert capsys.readouterr().out == f"wrote {out / 'gazetteer.json'} {counts}\n"


def test_the_script_reads_and_writes_utf_8_whatever_the_locale(
    pumi: Path, tmp_path: Path, monkeypatch, ascii_locale
) -> None:
    monkeypatch.setattr(G, "HERE", tmp_path)
    G.main(pumi)
    assert json.loads((tmp_path / "gazetteer.json").read_bytes()) == EXPECTED
