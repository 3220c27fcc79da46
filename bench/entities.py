"""Score the entity extractor against the hand annotations in ../shared/gold.

    python -m bench.entities [--shared ../shared] [--errors] [--json]
    python -m bench.entities --bodies [--errors] [--json]

``--bodies`` scores the announcements we wrote in the style of other bodies
(``tests/data/bodies/``, gold in the same format beside them) instead.

Per language: precision, recall and F1 of the sets of people, ministers, provinces
and places per file (micro-averaged over files; gold provinces marked ``optional``
are scored either way), and how often the English and Khmer files of one
announcement get the same ministers and provinces. Scored twice: with the registry,
and with the registry emptied (no officials, no organisations), which is what the
text alone achieves for the officials no registry knows.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from indexer import announcement
from indexer.entities import Entities
from indexer.entities.registry import Registry, registry, using
from indexer.places import fold_latin
from indexer.sources import Source

FIELDS = ("ministers", "people", "provinces", "places")
GOLD = ("en", "km")  # the versions the gold annotations have, the Latin-script one first


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, predicted: set[str], gold: set[str], where: str) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)
        if predicted != gold:
            self.errors.append(
                f"{where}: extra {sorted(predicted - gold)} missing {sorted(gold - predicted)}"
            )

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def gold_sets(record: dict) -> tuple[dict[str, set[str]], set[str]]:
    optional = {p["name"] for p in record["provinces"] if p.get("optional")}
    return {
        "people": {p["name"] for p in record["people"]},
        "ministers": {p["name"] for p in record["people"] if p["minister"]},
        "provinces": {p["name"] for p in record["provinces"]} - optional,
        "places": {
            fold_latin(p["name"])
            for p in record["places"]
            if p["level"].startswith(("district", "commune"))
        },
    }, optional


def extract_versions(files: Mapping[str, Path]) -> dict[str, Entities]:
    """language → the entities of one announcement's version in that file, as the index
    has them (the one pipeline, :mod:`indexer.announcement`)."""
    found = announcement.read(
        Source(path=path, slug=path.stem, lang=lang) for lang, path in files.items()
    )
    return {version.doc.lang: version.entities for version in found}


def as_sets(found: Entities) -> dict[str, set[str]]:
    return {
        "people": {p.name for p in found.people},
        "ministers": set(found.ministers),
        "provinces": set(found.provinces),
        "places": {fold_latin(p.name) for p in found.places},
    }


BODIES = Path(__file__).resolve().parents[1] / "tests" / "data" / "bodies"


def score(shared: Path, reg: Registry | None = None) -> dict:
    """Scores on ../shared with ``reg`` in force (default: the registry of the settings)."""
    return score_gold(shared / "gold" / "entities.json", shared / "corpus" / "ctc-website", reg)


def score_gold(gold_file: Path, corpus: Path, reg: Registry | None = None) -> dict:
    """Scores of the files under ``corpus`` against ``gold_file``, ``reg`` in force."""
    with using(reg if reg is not None else registry()):
        return _score(gold_file, corpus)


def _score(gold_file: Path, corpus: Path) -> dict:
    gold = json.loads(gold_file.read_text("utf-8"))
    tallies = {lang: {f: Tally() for f in FIELDS} for lang in GOLD}
    agree = {"ministers": [0, 0], "provinces": [0, 0]}
    for slug, article in sorted(gold["articles"].items()):
        predicted_pair = {}
        found = extract_versions({lang: corpus / article[lang]["file"] for lang in GOLD})
        for lang in GOLD:
            record = article[lang]
            expected, optional = gold_sets(record)
            predicted = as_sets(found[lang])
            predicted["provinces"] -= optional
            predicted_pair[lang] = predicted
            for f in FIELDS:
                tallies[lang][f].add(predicted[f], expected[f], f"{lang}/{slug}")
        for f in agree:
            agree[f][0] += predicted_pair[GOLD[0]][f] == predicted_pair[GOLD[1]][f]
            agree[f][1] += 1
    return {"tallies": tallies, "agreement": agree}


MODES = {"registry": None, "text alone": Registry()}


def rows_of(result: dict) -> dict[str, dict[str, float]]:
    rows = {}
    for lang, fields in result["tallies"].items():
        for f, tally in fields.items():
            rows[f"{lang}.{f}"] = dict(zip(("precision", "recall", "f1"), tally.prf(), strict=True))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared"
    )
    parser.add_argument("--bodies", action="store_true", help=f"score {BODIES} instead")
    parser.add_argument("--errors", action="store_true", help="list every file that differs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {}
    for mode, reg in MODES.items():
        if args.bodies:
            result = score_gold(BODIES / "gold.json", BODIES, reg)
        else:
            result = score(args.shared, reg)
        agreement = {f: a / n for f, (a, n) in result["agreement"].items()}
        report[mode] = {"scores": rows_of(result), "agreement": agreement, "result": result}
    if args.json:
        out = {m: {k: v for k, v in r.items() if k != "result"} for m, r in report.items()}
        print(json.dumps(out, indent=2))
        return
    for mode, r in report.items():
        print(f"\n{mode}")
        print(f"{'field':<16}{'precision':>10}{'recall':>10}{'F1':>10}")
        for key, v in r["scores"].items():
            print(f"{key:<16}{v['precision']:>10.3f}{v['recall']:>10.3f}{v['f1']:>10.3f}")
        for f, rate in r["agreement"].items():
            print(f"EN/KM agreement on {f}: {rate:.3f}")
        if args.errors:
            for fields in r["result"]["tallies"].values():
                for f, tally in fields.items():
                    for e in tally.errors:
                        print(f"  {f:<10} {e}")


if __name__ == "__main__":
    main()
