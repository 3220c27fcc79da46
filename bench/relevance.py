"""Relevance of search on the real corpus: our analysers against Whoosh's stock ones.

    python -m bench.relevance [--shared ../shared] [--json] [--misses]

Runs every query of each judged set against two indexes of ``corpus/ctc-website/blog``:
ours, through the search service the web app uses, and one built with Whoosh's
``StandardAnalyzer`` searched with Whoosh's default parser. Prints recall@10, MRR and
nDCG@10 per set and language, side by side. Each query is limited to the language of
its judged announcements. The sets (:data:`SETS`): ``judged`` (``queries.json``, words
as the articles write them) and ``typed`` (``typed.json``, as people type them: typos,
abbreviations, unfinished words, other romanisations).
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from whoosh import fields, index, qparser
from whoosh import query as Q
from whoosh.analysis import StandardAnalyzer

from indexer.build import build
from indexer.sources import discover, read
from webapp.search import SearchRequest, SearchService

HERE = Path(__file__).resolve().parent
K = 10
SETS = {"judged": "queries.json", "typed": "typed.json"}


def metrics(ranked: list[str], relevant: set[str]) -> dict[str, float]:
    top = ranked[:K]
    found = [i for i, doc in enumerate(top) if doc in relevant]
    recall = len(found) / min(len(relevant), K)
    mrr = 1.0 / (found[0] + 1) if found else 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i in found)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), K)))
    return {"recall@10": recall, "mrr": mrr, "ndcg@10": dcg / ideal}


def ours(blog: Path, workdir: Path) -> Callable[[str, str], list[str]]:
    index_dir = workdir / "ours"
    build([blog], index_dir)
    service = SearchService(index_dir)

    def run(q: str, lang: str) -> list[str]:
        result = service.search(SearchRequest(q=q, filters=(("lang", (lang,)),), per_page=K))
        return [h.id for h in result.hits]

    return run


def standard(blog: Path, workdir: Path) -> Callable[[str, str], list[str]]:
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        lang=fields.ID(),
        title=fields.TEXT(analyzer=StandardAnalyzer(), field_boost=3.0),
        description=fields.TEXT(analyzer=StandardAnalyzer()),
        body=fields.TEXT(analyzer=StandardAnalyzer()),
    )
    ix = index.create_in(str(workdir), schema)
    with ix.writer() as w:
        for source in discover([blog]):
            doc = read(source)
            w.add_document(
                id=doc.id,
                lang=doc.lang,
                title=doc.title,
                description=doc.description,
                body=doc.body_text,
            )
    parser = qparser.MultifieldParser(["title", "description", "body"], schema)
    searcher = ix.searcher()

    def run(q: str, lang: str) -> list[str]:
        hits = searcher.search(parser.parse(q), limit=K, filter=Q.Term("lang", lang))
        return [h["id"] for h in hits]

    return run


def throughput(blog: Path) -> dict[str, float]:
    """Characters per second through the main text analyser, per language."""
    from indexer.analysis import text_analyzer

    analyzer = text_analyzer()
    out: dict[str, float] = {}
    for lang in ("en", "km"):
        texts = [read(s).body_text for s in discover([blog / lang])] * 5
        started = time.perf_counter()
        for text in texts:
            for _ in analyzer(text, positions=True, chars=True):
                pass
        out[lang] = sum(map(len, texts)) / (time.perf_counter() - started)
    return out


def evaluate(shared: Path) -> dict:
    blog = shared / "corpus" / "ctc-website" / "blog"
    report: dict = {"sets": {}, "misses": []}
    with tempfile.TemporaryDirectory() as tmp:
        systems = {"ours": ours(blog, Path(tmp)), "whoosh-standard": standard(blog, Path(tmp))}
        for set_name, file_name in SETS.items():
            judged = json.loads((HERE / file_name).read_text("utf-8"))["queries"]
            scored = report["sets"][set_name] = {}
            for name, run in systems.items():
                per_lang: dict[str, list[dict[str, float]]] = {}
                started = time.perf_counter()
                for item in judged:
                    relevant = {f"{item['lang']}/{slug}" for slug in item["relevant"]}
                    ranked = run(item["q"], item["lang"])
                    m = metrics(ranked, relevant)
                    per_lang.setdefault(item["lang"], []).append(m)
                    if name == "ours" and (m["recall@10"] < 1 or m["mrr"] < 1):
                        report["misses"].append({"set": set_name, **item, "got": ranked, **m})
                scored[name] = {
                    lang: {k: sum(m[k] for m in ms) / len(ms) for k in ms[0]} | {"queries": len(ms)}
                    for lang, ms in per_lang.items()
                }
                scored[name]["ms_per_query"] = (time.perf_counter() - started) * 1000 / len(judged)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parents[1] / "shared")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list queries below 1.0")
    args = parser.parse_args()
    report = evaluate(args.shared)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for lang, rate in throughput(args.shared / "corpus" / "ctc-website" / "blog").items():
        print(f"analyser throughput {lang}: {rate:,.0f} characters/s")
    print(
        f"{'set':<8}{'lang':<5}{'system':<18}{'queries':>8}{'recall@10':>11}{'MRR':>8}{'nDCG@10':>9}"
    )
    for set_name, systems in report["sets"].items():
        for lang in ("en", "km"):
            for name, scores in systems.items():
                s = scores[lang]
                print(
                    f"{set_name:<8}{lang:<5}{name:<18}{s['queries']:>8}{s['recall@10']:>11.3f}"
                    f"{s['mrr']:>8.3f}{s['ndcg@10']:>9.3f}"
                )
        for name, scores in systems.items():
            print(f"{set_name} {name}: {scores['ms_per_query']:.1f} ms per query")
    if args.misses:
        for m in report["misses"]:
            print(
                f"  {m['set']} {m['lang']} {m['q']!r}: "
                f"recall {m['recall@10']:.2f} mrr {m['mrr']:.2f} "
                f"want {m['relevant']} got {m['got']}"
            )


if __name__ == "__main__":
    main()
