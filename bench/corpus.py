"""A seeded generator of realistic announcements, for benchmarks at any size.

    python -m bench.corpus --size 100000 --out /tmp/corpus-100k [--seed 7]

Writes ``<out>/en/<slug>.md`` and ``<out>/km/<slug>.md`` pairs (``--size`` counts
files, so 100,000 is 50,000 pairs) in the real front-matter layout. Dates run over
2005–2026, more of them recent; titles and bodies follow a Zipf-like vocabulary of
the kind ministry announcements use, with a long tail of rare words; Khmer bodies are
real Khmer script written without spaces inside phrases, so Khmer analysis costs what
it will. Ministers, people, provinces and districts come from the project's registry
and gazetteer with skewed popularity, honorifics and the misspellings real text has.
Words and sentences here are ours; only names of people and places are facts.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "indexer" / "data"

EN_COMMON = (
    "the of and to in on for with at by from as was were is are has have will this that "
    "which their its an a be been also all more new public national provincial local "
    "ministry minister ministers excellency government royal cambodia kingdom people citizens "
    "digital technology community centre center centres school schools high students teachers "
    "training course courses ceremony meeting meetings workshop program programme project "
    "projects development service services postal telecommunications internet broadband network "
    "infrastructure policy strategy framework economy society education youth sport health "
    "agriculture rural village villages commune communes district districts province provinces "
    "officials representatives partners cooperation agreement memorandum understanding signed "
    "launched opened presided attended visited inspected discussed reviewed approved announced "
    "said stated highlighted thanked encouraged welcomed participation support progress report "
    "reports plan plans year years month week day morning afternoon evening first second third "
    "skills literacy innovation data security cybersecurity e-government online platform system "
    "systems equipment computers laboratory library road roads water electricity connectivity "
    "access quality inclusive sustainable growth investment private sector companies operators "
    "mobile phones families women men children girls boys gender equality transformation"
).split()
EN_RARE_STEMS = (
    "zen kor lum tar vex qui bram dol fen gar hux jin kel mor nup oxa pil rym sut tov "
    "ulm vag wix yor zab cre dri ful gno hyp"
).split()
KM_COMMON = (
    "ក្រសួង ការ និង បាន នៅ ក្នុង សម្រាប់ ដើម្បី របស់ ដែល ជា មាន ពី ទៅ លើ ជាមួយ ព្រមទាំង "
    "រដ្ឋាភិបាល ប្រជាពលរដ្ឋ បច្ចេកវិទ្យា ឌីជីថល សហគមន៍ មជ្ឈមណ្ឌល វិទ្យាល័យ សិស្សានុសិស្ស "
    "គ្រូបង្រៀន វគ្គបណ្តុះបណ្តាល ពិធី កិច្ចប្រជុំ សិក្ខាសាលា កម្មវិធី គម្រោង អភិវឌ្ឍន៍ សេវា "
    "ប្រៃសណីយ៍ ទូរគមនាគមន៍ អ៊ីនធឺណិត ហេដ្ឋារចនាសម្ព័ន្ធ គោលនយោបាយ យុទ្ធសាស្ត្រ សេដ្ឋកិច្ច "
    "សង្គម អប់រំ យុវជន កីឡា សុខាភិបាល កសិកម្ម ជនបទ ភូមិ ឃុំ ស្រុក ខេត្ត មន្ត្រី តំណាង "
    "កិច្ចសហប្រតិបត្តិការ កិច្ចព្រមព្រៀង អនុស្សរណៈ ចុះហត្ថលេខា ដាក់ឱ្យដំណើរការ បើក អញ្ជើញ "
    "អធិបតី ពិនិត្យ ពិភាក្សា អនុម័ត ប្រកាស មានប្រសាសន៍ ថ្លែង អំណរគុណ លើកទឹកចិត្ត ស្វាគមន៍ "
    "ការចូលរួម ការគាំទ្រ វឌ្ឍនភាព របាយការណ៍ ផែនការ ឆ្នាំ ខែ សប្តាហ៍ ថ្ងៃ ព្រឹក រសៀល ល្ងាច "
    "ជំនាញ អក្ខរកម្ម នវានុវត្តន៍ ទិន្នន័យ សន្តិសុខ សាយប័រ រដ្ឋាភិបាលអេឡិចត្រូនិក ប្រព័ន្ធ "
    "ឧបករណ៍ កុំព្យូទ័រ បន្ទប់ពិសោធន៍ បណ្ណាល័យ ផ្លូវ ទឹក អគ្គិសនី ការតភ្ជាប់ គុណភាព "
    "ចីរភាព កំណើន ការវិនិយោគ វិស័យឯកជន ក្រុមហ៊ុន ប្រតិបត្តិករ ទូរស័ព្ទ គ្រួសារ ស្ត្រី "
    "កុមារ សមភាពយេនឌ័រ បរិវត្តកម្ម"
).split()
KM_SYLLABLES = "ក ខ គ ង ច ឆ ជ ញ ដ ត ថ ទ ន ប ផ ព ម យ រ ល វ ស ហ អ".split()
KM_VOWELS = ["ា", "ិ", "ី", "ុ", "ូ", "េ", "ែ", "ោ", "ៅ", "ំ", ""]
HONORIFICS_EN = ["H.E.", "His Excellency", "Her Excellency", "H.E. Dr.", "Samdech"]
HONORIFICS_KM = ["ឯកឧត្តម", "ឯកឧត្ដម", "លោកជំទាវ", "ឯកឧត្តមបណ្ឌិត", "សម្តេច"]
KM_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


class Zipf:
    """Draws items with probability ∝ 1/rank^s."""

    def __init__(self, items: list, s: float, rng: random.Random) -> None:
        self.items = items
        weights = [1 / (r + 1) ** s for r in range(len(items))]
        self.cumulative = list(itertools.accumulate(weights))
        self.rng = rng

    def draw(self):
        x = self.rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect_left(self.cumulative, x)]


def _misspell(name: str, rng: random.Random) -> str:
    """An edit a writer makes: a dropped, doubled or swapped letter in the given name."""
    surname, _, given = name.partition(" ")
    if len(given) < 4:
        return name
    i = rng.randrange(1, len(given) - 1)
    edit = rng.choice(("drop", "double", "h"))
    if edit == "drop":
        given = given[:i] + given[i + 1 :]
    elif edit == "double":
        given = given[:i] + given[i] + given[i:]
    else:
        given = given + "h" if not given.endswith("h") else given[:-1]
    return f"{surname} {given}"


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        officials = json.loads((DATA / "officials.json").read_text("utf-8"))["people"]
        gazetteer = json.loads((DATA / "gazetteer.json").read_text("utf-8"))
        self.provinces = Zipf(gazetteer["provinces"], 1.1, rng)
        districts: dict[str, list[dict]] = {}
        for d in gazetteer["districts"]:
            districts.setdefault(d["code"][:2], []).append(d)
        self.districts = districts
        ministers = [p for p in officials if any(o["minister"] for o in p["offices"]) and p["km"]]
        others = [p for p in officials if p not in ministers and p["km"]]
        self.ministers = Zipf(ministers, 1.2, rng)
        self.others = Zipf(others, 1.0, rng)
        tail_en = [a + b + c for a in EN_RARE_STEMS for b in "aeiou" for c in EN_RARE_STEMS][:12000]
        self.en_words = Zipf(EN_COMMON + tail_en, 1.05, rng)
        tail_km = [
            a + v + b + w
            for a in KM_SYLLABLES
            for v in KM_VOWELS
            for b in KM_SYLLABLES
            for w in ("", "ា", "ី")
        ]
        rng.shuffle(tail_km)
        self.km_words = Zipf(KM_COMMON + tail_km[:12000], 1.05, rng)

    def date(self) -> dt.date:
        # more recent years are busier: 2005 … 2026
        year = 2026 - min(21, int(self.rng.expovariate(1 / 6)))
        start = dt.date(year, 1, 1).toordinal()
        end = min(dt.date(year, 12, 31), dt.date(2026, 11, 1)).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, end))

    def en_sentence(self, n: int) -> str:
        words = [self.en_words.draw() for _ in range(n)]
        return " ".join(words).capitalize() + "."

    def km_phrase(self, n: int) -> str:
        return "".join(self.km_words.draw() for _ in range(n))

    def pair(self, slug: str) -> tuple[str, str]:
        rng = self.rng
        date = self.date()
        minister = self.ministers.draw()
        person = self.others.draw()
        province = self.provinces.draw()
        district = rng.choice(self.districts[province["code"]])
        honor = rng.randrange(len(HONORIFICS_EN))
        name = minister["name"] if rng.random() > 0.1 else _misspell(minister["name"], rng)
        paragraphs = rng.randint(2, 7)
        topic = [self.en_words.draw() for _ in range(rng.randint(6, 16))]
        title_en = (" ".join(topic) + f" in {province['name']} province").capitalize()
        body_en = [
            f"{province['name'].upper()}, {date.day} {date.strftime('%B')} {date.year} — "
            f"{HONORIFICS_EN[honor]} {name}, {minister['offices'][0]['title']}, presided over "
            f"the {' '.join(topic[:4])} in {district['name']} district, {province['name']} "
            f"province, with {person['name']}, {person['offices'][0]['title']}."
        ]
        for _ in range(paragraphs):
            body_en.append(
                " ".join(self.en_sentence(rng.randint(8, 28)) for _ in range(rng.randint(2, 6)))
            )
        title_km = f"{self.km_phrase(rng.randint(4, 10))} នៅខេត្ត{province['km']}"
        body_km = [
            f"ខេត្ត{province['km']}៖ ថ្ងៃទី{str(date.day).translate(KM_DIGITS)} "
            f"ឆ្នាំ{str(date.year).translate(KM_DIGITS)} {HONORIFICS_KM[honor]} "
            f"{minister['km'][0]} រដ្ឋមន្ត្រី បានអញ្ជើញជាអធិបតី{self.km_phrase(4)} "
            f"នៅស្រុក{district['km']} ខេត្ត{province['km']} ជាមួយ {person['km'][0]}។"
        ]
        for _ in range(paragraphs):
            phrases = [self.km_phrase(rng.randint(3, 9)) for _ in range(rng.randint(3, 9))]
            body_km.append(" ".join(phrases) + "។")

        def doc(title: str, body: list[str], author: str) -> str:
            return (
                f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
                f"description: {json.dumps(body[0][:200], ensure_ascii=False)}\n"
                f"date: {date.isoformat()}\nauthor: {json.dumps(author, ensure_ascii=False)}\n"
                f'image: "@/assets/news/{slug}/thumbnail.webp"\ntags: []\n---\n\n'
                + "\n\n".join(body)
                + f"\n\n![photo 1](@/assets/news/{slug}/photo-1.webp)\n"
            )

        return (
            doc(title_en, body_en, "Ministry of Posts and Telecommunications"),
            doc(title_km, body_km, "ក្រសួងប្រៃសណីយ៍និងទូរគមនាគមន៍"),
        )


def generate(size: int, out: Path, seed: int = 7) -> int:
    """Write ``size`` announcement files (``size // 2`` pairs) under ``out``."""
    gen = Generator(seed)
    (out / "en").mkdir(parents=True, exist_ok=True)
    (out / "km").mkdir(parents=True, exist_ok=True)
    pairs = max(1, size // 2)
    for i in range(pairs):
        slug = f"{i + 1}-post"
        en, km = gen.pair(slug)
        (out / "en" / f"{slug}.md").write_text(en, "utf-8")
        (out / "km" / f"{slug}.md").write_text(km, "utf-8")
    return pairs * 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="number of files (pairs × 2)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    n = generate(args.size, args.out, args.seed)
    print(f"wrote {n} announcements to {args.out}")


if __name__ == "__main__":
    main()
