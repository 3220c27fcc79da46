"""Generate ``gazetteer.json`` from the NCDD gazetteer as compiled by ``pumi``.

Run from the project root when the source changes::

    python -m indexer.data.build_gazetteer ../shared/gazetteer/pumi

Source: ``data/{provinces,districts,communes}.yml`` of the MIT-licensed ``dwilkie/pumi``
(licence in ``LICENSE-pumi.txt`` beside the output). The output keeps only what the
extractor needs (code, Latin and Khmer names, unit type) and adds the English names
people actually write for provinces (Takeo for Takéo, Kratie for Kratié, Sihanoukville
for Preah Sihanouk). The project reads only the generated file at run time.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent

# Common English names and spellings in use (facts), by province code. The first
# name is the canonical facet value; pumi's own Latin name is always an alias too.
PROVINCE_ENGLISH: dict[str, list[str]] = {
    "01": ["Banteay Meanchey"],
    "02": ["Battambang", "Batdambang"],
    "03": ["Kampong Cham", "Kompong Cham"],
    "04": ["Kampong Chhnang", "Kompong Chhnang"],
    "05": ["Kampong Speu", "Kompong Speu"],
    "06": ["Kampong Thom", "Kompong Thom"],
    "07": ["Kampot"],
    "08": ["Kandal"],
    "09": ["Koh Kong", "Kaoh Kong"],
    "10": ["Kratie", "Kracheh"],
    "11": ["Mondulkiri", "Mondul Kiri"],
    "12": ["Phnom Penh"],
    "13": ["Preah Vihear"],
    "14": ["Prey Veng"],
    "15": ["Pursat", "Pouthisat"],
    "16": ["Ratanakiri", "Rattanakiri", "Ratanak Kiri"],
    "17": ["Siem Reap", "Siemreap"],
    "18": ["Preah Sihanouk", "Sihanoukville", "Kampong Som"],
    "19": ["Stung Treng", "Steung Treng"],
    "20": ["Svay Rieng"],
    "21": ["Takeo"],
    "22": ["Oddar Meanchey", "Otdar Meanchey"],
    "23": ["Kep"],
    "24": ["Pailin"],
    "25": ["Tboung Khmum", "Tbong Khmum"],
}


# Khmer number words as the gazetteer romanises them, for names such as
# "Kilomaetr Lekh Prammuoy", which English texts write "Kilometre 6".
NUMBER_WORDS = {
    "Muoy": 1,
    "Pir": 2,
    "Bei": 3,
    "Buon": 4,
    "Pram": 5,
    "Prammuoy": 6,
    "Prampir": 7,
    "Prambei": 8,
    "Prambuon": 9,
    "Dab": 10,
}


def english_aliases(latin: str) -> list[str]:
    """English forms of a gazetteer name: "Kilomaetr Lekh Prammuoy" → "Kilometre 6"."""
    words = latin.split()
    if len(words) == 3 and words[0] == "Kilomaetr" and words[1] == "Lekh":
        n = NUMBER_WORDS.get(words[2])
        if n is not None:
            return [f"Kilometre {n}", f"Kilometer {n}", f"Km {n}"]
    return []


def _load(path: Path, key: str) -> dict:
    return yaml.safe_load(path.read_text("utf-8"))[key]


def build(source: Path) -> dict:
    provinces = _load(source / "provinces.yml", "provinces")
    districts = _load(source / "districts.yml", "districts")
    communes = _load(source / "communes.yml", "communes")
    out: dict = {
        "source": "dwilkie/pumi data/*.yml (NCDD gazetteer), MIT licence: LICENSE-pumi.txt",
        "provinces": [],
        "districts": [],
        "communes": [],
    }
    for code, p in sorted(provinces.items()):
        english = PROVINCE_ENGLISH[code]
        aliases = list(dict.fromkeys([*english[1:], p["name"]["latin"]]))
        out["provinces"].append(
            {
                "code": code,
                "name": english[0],
                "aliases": [a for a in aliases if a != english[0]],
                "km": p["name"]["km"],
                "unit": p["administrative_unit"]["en"],
            }
        )
    for table, rows in (("districts", districts), ("communes", communes)):
        for code, d in sorted(rows.items()):
            row = {
                "code": code,
                "name": d["name"]["latin"],
                "km": d["name"]["km"],
                "unit": d["administrative_unit"]["en"],
            }
            if aliases := english_aliases(d["name"]["latin"]):
                row["aliases"] = aliases
            out[table].append(row)
    return out


def main(source: Path) -> None:
    data = build(source)
    target = HERE / "gazetteer.json"
    target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    shutil.copyfile(source / "LICENSE.txt", HERE / "LICENSE-pumi.txt")
    counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    print(f"wrote {target} {counts}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/gazetteer/pumi"))
